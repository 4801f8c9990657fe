// The public gallery: full-text search (the canvas's own text included), tag filter, sorts, keyset
// pages that visit every publication once, hidden publications never shown; on both databases, in
// the domain and through the real server (JSON API and the server-rendered page, read as HTML
// without running any script).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import * as accounts from '../../src/lib/server/accounts.ts';
import * as gallery from '../../src/lib/server/gallery.ts';
import { sessionCookieName } from '../../src/lib/server/auth/sessions.ts';
import type { Database } from '../../src/lib/server/db/index.ts';
import { canvases as canvasRows, publications } from '../../src/lib/server/db/schema.ts';
import { describeEachDatabase, uniqueEmail } from '../helpers/databases.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { seededServer } from '../helpers/seeded-server.ts';
import { insertTestPublication, type TestPublicationInput } from '../helpers/publications.ts';
import { geoShape, richText } from '../helpers/tldraw-records.ts';
import type { RunningServer } from '../helpers/server.ts';
import { api, signUp } from '../helpers/clients.ts';

/** A word no other test uses, so suites sharing a database find only their own publications. */
const word = (prefix = 'w') => `${prefix}${randomBytes(5).toString('hex')}`;

/** A labelled rectangle: its text is the canvas's text that search must find. */
const label = (id: string, text: string) => geoShape(`shape:${id}`, {}, { richText: richText(text) });

async function author(db: Database) {
	const user = await accounts.signUp(db, { email: uniqueEmail('author'), password: 'a long enough password', name: 'Ada Author' });
	return {
		user,
		/** Publishes a fresh canvas of this author's (rows written directly: the plan's canvas limit does not apply). */
		async publish(input: Omit<TestPublicationInput, 'canvasId'>) {
			const [canvas] = await db
				.insert(canvasRows)
				.values({ teamId: user.personalTeamId, title: input.title.slice(0, 200), createdBy: user.id })
				.returning({ id: canvasRows.id });
			return insertTestPublication(db, { authorId: user.id, authorName: user.name, ...input, canvasId: canvas.id });
		}
	};
}

/** Every page of a listing, following nextCursor; fails if it does not end. */
async function allPages(db: Database, query: gallery.GalleryQuery): Promise<{ pages: gallery.GalleryItem[][] }> {
	const pages: gallery.GalleryItem[][] = [];
	let cursor: string | undefined;
	for (let i = 0; i < 100; i++) {
		const page = await gallery.listGallery(db, { ...query, cursor });
		pages.push(page.items);
		if (!page.nextCursor) return { pages };
		cursor = page.nextCursor;
	}
	throw new Error('paging did not end');
}

describeEachDatabase('gallery listing', (database) => {
	it('search finds a word that appears only in the text inside the canvas, and a prefix of it while it is typed', async () => {
		const { db } = database();
		const a = await author(db);
		const secret = word('zebra');
		const inside = await a.publish({
			title: 'Payments architecture',
			description: 'How money moves',
			tags: ['payments'],
			records: [label('a', `The ${secret} service talks to Redis`)]
		});
		await a.publish({ title: 'Unrelated', records: [label('b', 'nothing to see here')] });

		const found = await gallery.listGallery(db, { q: secret });
		expect(found.items.map((item) => item.id)).toEqual([inside.id]);
		expect(found.items[0]).toMatchObject({
			slug: inside.slug,
			title: 'Payments architecture',
			description: 'How money moves',
			tags: ['payments'],
			authorName: 'Ada Author',
			viewCount: 0,
			remixCount: 0,
			url: `/p/${inside.slug}`,
			previewUrl: `/p/${inside.slug}/preview`
		});
		expect(found.items[0].publishedAt).toBeInstanceOf(Date);
		// Case does not matter; the last word matches as a prefix; web-search syntax works.
		expect((await gallery.listGallery(db, { q: secret.toUpperCase() })).items.map((item) => item.id)).toEqual([inside.id]);
		expect((await gallery.listGallery(db, { q: `redis ${secret.slice(0, 8)}` })).items.map((item) => item.id)).toEqual([inside.id]);
		expect((await gallery.listGallery(db, { q: `"${secret} service"` })).items.map((item) => item.id)).toEqual([inside.id]);
		expect((await gallery.listGallery(db, { q: `"service ${secret}"` })).items).toEqual([]);
		expect((await gallery.listGallery(db, { q: `${secret} -redis` })).items).toEqual([]);
		expect((await gallery.listGallery(db, { q: `${word()} or ${secret}` })).items.map((item) => item.id)).toEqual([inside.id]);
		// Punctuation only, or hostile tsquery syntax, finds nothing and breaks nothing.
		expect((await gallery.listGallery(db, { q: '!!! & | :* ( ' })).items).toEqual([]);
		expect((await gallery.listGallery(db, { q: `${secret}:* & !(` })).items.map((item) => item.id)).toEqual([inside.id]);
	});

	it('searches title, tags and description too, and ranks nothing above the chosen sort', async () => {
		const { db } = database();
		const a = await author(db);
		const term = word('term');
		const inTitle = await a.publish({ title: `A ${term} in the title`, publishedAt: new Date(Date.now() - 3000) });
		const inTag = await a.publish({ title: 'Tagged', tags: [term], publishedAt: new Date(Date.now() - 2000) });
		const inDescription = await a.publish({ title: 'Described', description: `About ${term}.`, publishedAt: new Date(Date.now() - 1000) });
		const newest = await gallery.listGallery(db, { q: term });
		expect(newest.items.map((item) => item.id)).toEqual([inDescription.id, inTag.id, inTitle.id]);
	});

	it('the tag filter shows only publications carrying the tag, and combines with search', async () => {
		const { db } = database();
		const a = await author(db);
		const tag = word('tag');
		const other = word('tag');
		const marker = word('m');
		const both = await a.publish({ title: `Both ${marker}`, tags: [tag, other] });
		const onlyTag = await a.publish({ title: 'Only the tag', tags: [tag] });
		await a.publish({ title: `Other tag ${marker}`, tags: [other] });
		expect((await gallery.listGallery(db, { tag })).items.map((item) => item.id).sort()).toEqual([both.id, onlyTag.id].sort());
		expect((await gallery.listGallery(db, { tag: tag.toUpperCase() })).items).toHaveLength(2);
		expect((await gallery.listGallery(db, { tag, q: marker })).items.map((item) => item.id)).toEqual([both.id]);
		expect((await gallery.listGallery(db, { tag: word('none') })).items).toEqual([]);
	});

	it('sorts by newest, most viewed and most remixed, ties broken the same way every time', async () => {
		const { db } = database();
		const a = await author(db);
		const tag = word('sort');
		const now = Date.now();
		const old = await a.publish({ title: 'Old', tags: [tag], publishedAt: new Date(now - 60_000), viewCount: 500, remixCount: 1 });
		const middle = await a.publish({ title: 'Middle', tags: [tag], publishedAt: new Date(now - 30_000), viewCount: 20, remixCount: 9 });
		const fresh = await a.publish({ title: 'Fresh', tags: [tag], publishedAt: new Date(now), viewCount: 20, remixCount: 0 });
		const ids = async (sort: gallery.GallerySort) => (await gallery.listGallery(db, { tag, sort })).items.map((item) => item.id);
		expect(await ids('newest')).toEqual([fresh.id, middle.id, old.id]);
		const tied = [middle.id, fresh.id].sort().reverse();
		expect(await ids('views')).toEqual([old.id, ...tied]);
		expect(await ids('remixes')).toEqual([middle.id, old.id, fresh.id]);
		// The default sort is newest.
		expect((await gallery.listGallery(db, { tag })).items.map((item) => item.id)).toEqual([fresh.id, middle.id, old.id]);
	});

	it('cursor pages visit every publication exactly once, in order, across ties in every sort', async () => {
		const { db } = database();
		const a = await author(db);
		const tag = word('page');
		const at = new Date(Date.now() - 5000);
		const published: string[] = [];
		for (let i = 0; i < 23; i++) {
			// Many share a publish time, a view count and a remix count: ties the id must break.
			const row = await a.publish({
				title: `Page item ${i}`,
				tags: [tag],
				publishedAt: i % 3 === 0 ? at : new Date(at.getTime() + i * 1000),
				viewCount: i % 4,
				remixCount: i % 2
			});
			published.push(row.id);
		}
		for (const sort of gallery.GALLERY_SORTS) {
			const { pages } = await allPages(db, { tag, sort, limit: 4 });
			const seen = pages.flat().map((item) => item.id);
			expect(pages.slice(0, -1).every((page) => page.length === 4)).toBe(true);
			expect(seen).toHaveLength(published.length);
			expect(new Set(seen)).toEqual(new Set(published));
			const single = (await gallery.listGallery(db, { tag, sort, limit: 60 })).items.map((item) => item.id);
			expect(seen).toEqual(single);
		}
		// The last page says there is no next one; an exact multiple of the page size ends too.
		const exact = await allPages(db, { tag, limit: 23 });
		expect(exact.pages).toHaveLength(1);

		// Microseconds matter: two publications in the same millisecond stay apart across a page break.
		const close = word('micro');
		const pair = [await a.publish({ title: 'One', tags: [close], publishedAt: at }), await a.publish({ title: 'Two', tags: [close], publishedAt: at })];
		// The smaller id goes 7 µs later, so a cursor cut to milliseconds would skip the other one.
		const [later, earlier] = pair.sort((x, y) => (x.id < y.id ? -1 : 1));
		await db.execute(sql`update publications set published_at = published_at + interval '7 microseconds' where id = ${later.id}`);
		const { pages } = await allPages(db, { tag: close, limit: 1 });
		expect(pages.map((page) => page.map((item) => item.id))).toEqual([[later.id], [earlier.id]]);
	});

	it('hidden publications never appear: not in search, tags, sorts, pages or popular tags', async () => {
		const { db } = database();
		const a = await author(db);
		const tag = word('hid');
		const secret = word('hidden');
		const hidden = await a.publish({ title: `Hidden ${secret}`, tags: [tag], moderation: 'hidden', viewCount: 1_000_000, remixCount: 1000 });
		const later = await a.publish({ title: `Visible ${secret}`, tags: [tag] });
		for (const sort of gallery.GALLERY_SORTS) {
			const { pages } = await allPages(db, { sort, limit: 60 });
			expect(pages.flat().some((item) => item.id === hidden.id)).toBe(false);
			expect((await gallery.listGallery(db, { sort, q: secret })).items.map((item) => item.id)).toEqual([later.id]);
			expect((await gallery.listGallery(db, { sort, tag })).items.map((item) => item.id)).toEqual([later.id]);
		}
		// Hiding the visible one too leaves the tag unused.
		await db.update(publications).set({ moderation: 'hidden' }).where(eq(publications.id, later.id));
		expect((await gallery.listGallery(db, { q: secret })).items).toEqual([]);
		expect((await gallery.popularTags(db, 100)).some((entry) => entry.tag === tag)).toBe(false);
	});

	it('popular tags count visible publications, most used first', async () => {
		const { db } = database();
		const a = await author(db);
		const common = word('aaa');
		const rare = word('aab');
		for (let i = 0; i < 40; i++) await a.publish({ title: `Common ${i}`, tags: [common, ...(i === 0 ? [rare] : [])] });
		const tags = await gallery.popularTags(db, 100);
		const commonEntry = tags.find((entry) => entry.tag === common);
		expect(commonEntry).toEqual({ tag: common, count: 40 });
		expect(tags.findIndex((entry) => entry.tag === common)).toBeLessThan(tags.findIndex((entry) => entry.tag === rare));
		expect(await gallery.popularTags(db, 1)).toHaveLength(1);
	});

	it('the filter bar remembers popular tags for a while, then reads them again', async () => {
		const { db } = database();
		const a = await author(db);
		let clock = 0;
		const remembered = gallery.rememberedPopularTags(30_000, () => clock);
		const before = await remembered(db, 100);
		const tag = word('fresh');
		await a.publish({ title: 'Fresh tag', tags: [tag] });
		expect(await remembered(db, 100)).toEqual(before);
		clock = 30_000;
		expect((await remembered(db, 100)).some((entry) => entry.tag === tag)).toBe(true);
	});

	it('a cursor it did not give out, or one from another sort, is INVALID_INPUT; so are bad limits and sorts', async () => {
		const { db } = database();
		const a = await author(db);
		const tag = word('cur');
		for (let i = 0; i < 3; i++) await a.publish({ title: `Cursor ${i}`, tags: [tag] });
		const { nextCursor } = await gallery.listGallery(db, { tag, limit: 1 });
		expect(nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
		const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
		const bad = [
			'not a cursor',
			'%%%',
			'AAAA',
			forged({ s: 'newest', k: "2026-01-01'; drop table publications; --", i: crypto.randomUUID() }),
			forged({ s: 'newest', k: '2026-13-45T99:99:99.000000Z', i: crypto.randomUUID() }),
			forged({ s: 'views', k: '-1', i: crypto.randomUUID() }),
			forged({ s: 'views', k: '12', i: 'not-a-uuid' }),
			forged(['newest'])
		];
		for (const cursor of bad) {
			await expect(gallery.listGallery(db, { cursor }), cursor).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'cursor' } });
		}
		await expect(gallery.listGallery(db, { cursor: nextCursor!, sort: 'views' })).rejects.toMatchObject({
			code: 'INVALID_INPUT',
			message: expect.stringContaining('sorted by newest')
		});
		await expect(gallery.listGallery(db, { limit: 61 })).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'limit' } });
		await expect(gallery.listGallery(db, { limit: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
		await expect(gallery.listGallery(db, { sort: 'random' as never })).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'sort' } });
		await expect(gallery.listGallery(db, { q: 'x'.repeat(201) })).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'q' } });
		// The default page is 24, at most 60.
		expect((await gallery.listGallery(db, {})).items.length).toBeLessThanOrEqual(24);
	});
});

describeEachServerDatabase('the gallery over HTTP', (database) => {
	let server: RunningServer;
	let cleanup: () => Promise<void>;
	const secret = word('quokka');
	let seeded: { items: { id: string; slug: string; title: string }[]; hiddenTitle: string };

	beforeAll(async () => {
		const started = await seededServer(database(), async (db) => {
			const a = await author(db);
			const items = [];
			for (let i = 0; i < 30; i++) {
				const title = `Gallery canvas ${String(i).padStart(2, '0')}`;
				const row = await a.publish({
					title,
					tags: i % 2 === 0 ? ['even', 'diagrams'] : ['odd'],
					records: [label(`s${i}`, i === 7 ? `a lonely ${secret} lives here` : `box ${i}`)],
					publishedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
					viewCount: i * 3
				});
				items.push({ ...row, title });
			}
			const hiddenTitle = `Hidden canvas ${secret}`;
			await a.publish({ title: hiddenTitle, tags: ['even'], moderation: 'hidden' });
			return { items, hiddenTitle };
		});
		server = started.server;
		seeded = started.seeded;
		cleanup = started.cleanup;
	});
	afterAll(() => cleanup?.());

	it('GET /api/v1/gallery answers anyone with a page of items and a cursor, cacheable for 30 s', async () => {
		const first = await api(server.url, '/api/v1/gallery');
		expect(first.status).toBe(200);
		expect(first.headers.get('cache-control')).toBe('public, max-age=30');
		expect(first.body.items).toHaveLength(24);
		expect(first.body.items[0]).toMatchObject({ title: 'Gallery canvas 29', authorName: 'Ada Author', tags: ['odd'], viewCount: 87, remixCount: 0 });
		expect(first.body.items[0].url).toMatch(new RegExp(`^http://localhost:\\d+/p/${seeded.items[29].slug}$`));
		expect(first.body.items[0].previewUrl).toMatch(/\/p\/[^/]+\/preview$/);
		expect(first.body.items[0].publishedAt).toBe('2026-01-01T00:00:29.000Z');
		const second = await api(server.url, `/api/v1/gallery?cursor=${first.body.nextCursor}`);
		expect(second.status).toBe(200);
		expect(second.body.nextCursor).toBeNull();
		const titles = [...first.body.items, ...second.body.items].map((item: { title: string }) => item.title);
		expect(titles).toEqual(seeded.items.map((item) => item.title).reverse());
		expect(titles).not.toContain(seeded.hiddenTitle);

		const search = await api(server.url, `/api/v1/gallery?q=${secret}`);
		expect(search.body.items.map((item: { title: string }) => item.title)).toEqual(['Gallery canvas 07']);
		const tagged = await api(server.url, '/api/v1/gallery?tag=odd&sort=views&limit=3');
		expect(tagged.body.items.map((item: { title: string }) => item.title)).toEqual(['Gallery canvas 29', 'Gallery canvas 27', 'Gallery canvas 25']);
	});

	it('bad query values are 400 INVALID_INPUT naming the field, never a 500', async () => {
		for (const [query, field] of [
			['cursor=garbage', 'cursor'],
			['cursor=eyJzIjoibmV3ZXN0In0', 'cursor'],
			['sort=popular', 'sort'],
			['limit=1000', 'limit'],
			['limit=abc', 'limit'],
			[`q=${'x'.repeat(300)}`, 'q']
		]) {
			const response = await api(server.url, `/api/v1/gallery?${query}`);
			expect(response.status, query).toBe(400);
			expect(response.body.error).toMatchObject({ code: 'INVALID_INPUT', details: { field } });
			expect(response.body.error.message).toEqual(expect.any(String));
		}
	});

	it('the /gallery page is complete HTML from the server: cards, search, tags, and a plain "Load more" link', async () => {
		const response = await fetch(`${server.url}/gallery`);
		expect(response.status).toBe(200);
		expect(response.headers.get('cache-control')).toBe('public, max-age=30');
		const html = await response.text();
		expect(cardTitles(html)).toEqual(
			seeded.items
				.map((item) => item.title)
				.reverse()
				.slice(0, 24)
		);
		expect(html).toContain(`href="/p/${seeded.items[29].slug}"`);
		expect(html).toContain(`src="/p/${seeded.items[29].slug}/preview"`);
		expect(html).toMatch(/<form[^>]*method="GET"[^>]*action="\/gallery"/);
		expect(html).toContain('#even');
		expect(html).not.toContain(seeded.hiddenTitle);
		expect(html).not.toContain('/collab');
		// "Load more" is an ordinary link to the next page.
		const next = /href="(\/gallery\?cursor=[^"]+)"[^>]*rel="next"/.exec(html)?.[1];
		expect(next).toBeDefined();
		const page2 = await (await fetch(`${server.url}${next!.replaceAll('&amp;', '&')}`)).text();
		expect(cardTitles(page2)).toEqual(
			seeded.items
				.map((item) => item.title)
				.reverse()
				.slice(24)
		);
		expect(page2).not.toMatch(/rel="next"/);
	});

	it('searching and filtering through the page works without scripts, with an empty state when nothing matches', async () => {
		const search = await (await fetch(`${server.url}/gallery?q=${secret}`)).text();
		expect(cardTitles(search)).toEqual(['Gallery canvas 07']);
		expect(search).toContain(`value="${secret}"`);
		const tagged = await (await fetch(`${server.url}/gallery?tag=odd&sort=views`)).text();
		expect(cardTitles(tagged).slice(0, 2)).toEqual(['Gallery canvas 29', 'Gallery canvas 27']);
		expect(cardTitles(tagged)).toHaveLength(15);
		const nothing = await (await fetch(`${server.url}/gallery?q=nosuchword${secret}`)).text();
		expect(cardTitles(nothing)).toEqual([]);
		expect(nothing).toContain(`No canvases match “nosuchword${secret}”`);
		const bad = await fetch(`${server.url}/gallery?cursor=garbage`);
		expect(bad.status).toBe(400);
		expect(await bad.text()).toContain('This cursor is not one the gallery gave out');
	});

	it('a signed-in visitor gets the page too, marked private (it names them)', async () => {
		const visitor = await signUp(server.url, 'Visitor');
		const response = await fetch(`${server.url}/gallery`, { headers: { cookie: `${sessionCookieName(false)}=${visitor.token}` } });
		expect(response.status).toBe(200);
		expect(response.headers.get('cache-control')).toBe('private, no-cache');
		expect(response.headers.get('vary')).toMatch(/cookie/i);
		const html = await response.text();
		expect(html).toContain('Visitor');
		expect(cardTitles(html)).toHaveLength(24);
	});
});

/** The titles of the gallery cards in server-rendered HTML, in order. */
function cardTitles(html: string): string[] {
	return [...html.matchAll(/data-testid="gallery-card"[\s\S]*?<span class="title[^"]*">([^<]*)<\/span>/g)].map((match) => match[1]);
}
