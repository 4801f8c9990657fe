// Remix: copying a published canvas's frozen version into one of the visitor's teams, with its
// origin recorded, its assets copied, the team's canvas limit and storage quota respected; in the
// domain on both databases and through the real server.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { and, count, eq } from 'drizzle-orm';
import * as Y from 'yjs';
import { createHash, randomBytes } from 'node:crypto';
import * as accounts from '../../src/lib/server/accounts.ts';
import * as billing from '../../src/lib/server/billing.ts';
import * as canvases from '../../src/lib/server/canvases.ts';
import { remix, remixOrigin } from '../../src/lib/server/remix.ts';
import { sessionCookieName } from '../../src/lib/server/auth/sessions.ts';
import type { Database } from '../../src/lib/server/db/index.ts';
import { assetBlobs, assets, auditLog, canvases as canvasRows, memberships, publications } from '../../src/lib/server/db/schema.ts';
import { loadStoredDocument, writeNewDocument } from '../../src/lib/server/documents/document-store.ts';
import { tldrawSchema } from '../../src/lib/server/canvas-records.ts';
import { assetSrc } from '../../src/lib/asset-urls.ts';
import { documentName } from '../../src/lib/document-names.ts';
import { describeEachDatabase, uniqueEmail } from '../helpers/databases.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { seededServer } from '../helpers/seeded-server.ts';
import { recordingServices } from '../helpers/services.ts';
import { canvasState, insertTestPublication } from '../helpers/publications.ts';
import { DOCUMENT_RECORD, geoShape, PAGE_RECORD, richText } from '../helpers/tldraw-records.ts';
import { api, connectCanvas, signUp, type CanvasClient } from '../helpers/clients.ts';
import type { RunningServer } from '../helpers/server.ts';

const label = (id: string, text: string) => geoShape(`shape:${id}`, {}, { richText: richText(text) });

async function person(db: Database, name: string) {
	const user = await accounts.signUp(db, { email: uniqueEmail(name.toLowerCase()), password: 'a long enough password', name });
	return { ...user, actor: { kind: 'user' as const, userId: user.id }, teamId: user.personalTeamId };
}

/** An author's canvas published with `frozen` records, whose live document has since been edited to `live`. */
async function published(db: Database, input: { frozen: { id: string }[]; live?: { id: string }[]; title?: string; state?: Uint8Array }) {
	const author = await person(db, 'Author');
	const canvas = await canvases.create(db, author.actor, { teamId: author.teamId, title: 'The live canvas' });
	const publication = await insertTestPublication(db, {
		canvasId: canvas.id,
		title: input.title ?? 'Event sourcing, explained',
		records: input.frozen,
		state: input.state,
		authorId: author.id,
		authorName: author.name
	});
	if (input.live) {
		const doc = new Y.Doc();
		Y.applyUpdate(doc, canvasState([DOCUMENT_RECORD, PAGE_RECORD, ...input.live]));
		await writeNewDocument(db, documentName('canvas', canvas.id), Y.encodeStateAsUpdate(doc), Y.encodeStateVector(doc));
	}
	return { author, canvasId: canvas.id, publication };
}

/** The records of a canvas's stored document, and its meta. */
async function storedCanvas(db: Database, canvasId: string) {
	const stored = await loadStoredDocument(db, documentName('canvas', canvasId));
	const doc = new Y.Doc();
	if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
	for (const update of stored.updates) Y.applyUpdate(doc, update);
	return { records: doc.getMap('records').toJSON() as Record<string, { props?: Record<string, unknown> }>, meta: doc.getMap('meta').toJSON() };
}

const textOf = (record: { props?: Record<string, unknown> } | undefined) => JSON.stringify(record?.props?.richText ?? null);

async function remixCount(db: Database, publicationId: string) {
	const [row] = await db.select({ remixCount: publications.remixCount }).from(publications).where(eq(publications.id, publicationId));
	return row.remixCount;
}

async function canvasCount(db: Database, teamId: string) {
	const [{ value }] = await db.select({ value: count() }).from(canvasRows).where(eq(canvasRows.teamId, teamId));
	return value;
}

async function storedAsset(db: Database, canvasId: string, bytes: number) {
	const sha256 = createHash('sha256').update(randomBytes(16)).digest('hex');
	await db.insert(assetBlobs).values({ sha256, storageKey: `blobs/${sha256}`, mimeType: 'image/png', bytes });
	const [row] = await db.insert(assets).values({ canvasId, sha256, mimeType: 'image/png', bytes, width: 40, height: 30, fileName: 'diagram.png' }).returning();
	return row;
}

const imageAsset = (id: string, src: string | null) => ({
	id,
	typeName: 'asset',
	type: 'image',
	props: { name: 'diagram.png', src, w: 40, h: 30, mimeType: 'image/png', isAnimated: false },
	meta: {}
});

describeEachDatabase('remix', (database) => {
	it('copies the frozen version into the team, never the live canvas edited since publishing', async () => {
		const { db } = database();
		const { publication } = await published(db, {
			frozen: [label('a', 'Original label'), label('b', 'Only in the published copy')],
			live: [label('a', 'Edited after publishing'), label('c', 'Added after publishing')]
		});
		const visitor = await person(db, 'Visitor');
		const copy = await remix(recordingServices(db), visitor.actor, publication.id, visitor.teamId);
		expect(copy).toMatchObject({ teamId: visitor.teamId, title: 'Event sourcing, explained', createdBy: visitor.id, createdByName: 'Visitor' });
		const { records, meta } = await storedCanvas(db, copy.id);
		expect(Object.keys(records).sort()).toEqual(['document:document', 'page:page', 'shape:a', 'shape:b']);
		expect(textOf(records['shape:a'])).toContain('Original label');
		expect(textOf(records['shape:b'])).toContain('Only in the published copy');
		expect(meta.schema).toEqual(tldrawSchema.serialize());
		// The visitor can open it like any canvas of their team.
		await expect(canvases.get(db, visitor.actor, copy.id)).resolves.toMatchObject({ id: copy.id, access: { role: 'owner', canEdit: true } });
	});

	it('records where the copy came from, counts the remix and writes the audit log, in one go', async () => {
		const { db } = database();
		const { publication } = await published(db, { frozen: [label('a', 'x')] });
		const visitor = await person(db, 'Visitor');
		const first = await remix(recordingServices(db), visitor.actor, publication.id, visitor.teamId, { ip: '203.0.113.9' });
		const [row] = await db.select().from(canvasRows).where(eq(canvasRows.id, first.id));
		expect(row).toMatchObject({ remixedFromPublicationId: publication.id, remixedFromTitle: 'Event sourcing, explained', remixedFromSlug: publication.slug });
		expect(await remixCount(db, publication.id)).toBe(1);
		await remix(recordingServices(db), visitor.actor, publication.id, visitor.teamId);
		expect(await remixCount(db, publication.id)).toBe(2);
		const entries = await db
			.select()
			.from(auditLog)
			.where(and(eq(auditLog.teamId, visitor.teamId), eq(auditLog.action, 'canvas.remix')));
		expect(entries).toHaveLength(2);
		expect(entries.find((entry) => entry.targetId === first.id)).toMatchObject({
			actorId: visitor.id,
			targetType: 'canvas',
			ip: '203.0.113.9',
			details: { publicationId: publication.id, slug: publication.slug, publicationTitle: 'Event sourcing, explained' }
		});
		expect(await remixOrigin(db, first.id)).toEqual({ title: 'Event sourcing, explained', slug: publication.slug, href: `/p/${publication.slug}` });
		// Once the publication is hidden (or gone) the copy still says where it came from, without a dead link.
		await db.update(publications).set({ moderation: 'hidden' }).where(eq(publications.id, publication.id));
		expect(await remixOrigin(db, first.id)).toEqual({ title: 'Event sourcing, explained', slug: publication.slug, href: null });
		await db.delete(publications).where(eq(publications.id, publication.id));
		expect(await remixOrigin(db, first.id)).toMatchObject({ href: null });
		// A canvas that is no remix has no origin.
		expect(await remixOrigin(db, (await canvases.create(db, visitor.actor, { teamId: visitor.teamId })).id)).toBeNull();
	});

	it('into a full team (Free plan with 10 canvases) is 402 LIMIT_EXCEEDED, and nothing changes', async () => {
		const { db } = database();
		const { publication } = await published(db, { frozen: [label('a', 'x')] });
		const visitor = await person(db, 'Full');
		for (let i = 0; i < 10; i++) await canvases.create(db, visitor.actor, { teamId: visitor.teamId, title: `Canvas ${i}` });
		const refused = remix(recordingServices(db), visitor.actor, publication.id, visitor.teamId);
		await expect(refused).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', status: 402, details: { limit: 'canvases', allowed: 10, used: 10 } });
		await expect(refused).rejects.toThrow(/Free plan includes 10 canvases/);
		expect(await canvasCount(db, visitor.teamId)).toBe(10);
		expect(await remixCount(db, publication.id)).toBe(0);
		// On Pro there is room.
		await billing.setPlan(db, visitor.teamId, 'pro', null);
		await expect(remix(recordingServices(db), visitor.actor, publication.id, visitor.teamId)).resolves.toMatchObject({ teamId: visitor.teamId });
	});

	it('is NOT_FOUND for a team the visitor is not in, a hidden, unknown or malformed publication; FORBIDDEN for a viewer', async () => {
		const { db } = database();
		const { publication, author } = await published(db, { frozen: [label('a', 'x')] });
		const visitor = await person(db, 'Visitor');
		const services = recordingServices(db);
		await expect(remix(services, visitor.actor, publication.id, author.teamId)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'Team was not found.' });
		await expect(remix(services, visitor.actor, publication.id, 'not-a-team')).rejects.toMatchObject({ code: 'NOT_FOUND' });
		await expect(remix(services, visitor.actor, publication.id, '')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
		await expect(remix(services, visitor.actor, crypto.randomUUID(), visitor.teamId)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'Publication was not found.' });
		await expect(remix(services, visitor.actor, 'not-a-uuid', visitor.teamId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		await db.insert(memberships).values({ teamId: author.teamId, userId: visitor.id, role: 'viewer' });
		await expect(remix(services, visitor.actor, publication.id, author.teamId)).rejects.toMatchObject({ code: 'FORBIDDEN' });
		await db.update(publications).set({ moderation: 'hidden' }).where(eq(publications.id, publication.id));
		await expect(remix(services, visitor.actor, publication.id, visitor.teamId)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'Publication was not found.' });
		expect(await canvasCount(db, visitor.teamId)).toBe(0);
		expect(await remixCount(db, publication.id)).toBe(0);
	});

	it("gives the copy asset rows of its own for the published canvas's images, and none for another canvas's", async () => {
		const { db } = database();
		const author = await person(db, 'Author');
		const canvas = await canvases.create(db, author.actor, { teamId: author.teamId });
		const elsewhere = await canvases.create(db, author.actor, { teamId: author.teamId });
		const own = await storedAsset(db, canvas.id, 2048);
		const foreign = await storedAsset(db, elsewhere.id, 4096);
		const publication = await insertTestPublication(db, {
			canvasId: canvas.id,
			title: 'With pictures',
			records: [
				imageAsset('asset:own', assetSrc(own.id)),
				imageAsset('asset:foreign', assetSrc(foreign.id)),
				imageAsset('asset:inline', 'data:image/png;base64,iVBORw0KGgo=')
			]
		});
		const visitor = await person(db, 'Visitor');
		const copy = await remix(recordingServices(db), visitor.actor, publication.id, visitor.teamId);
		const copied = await db.select().from(assets).where(eq(assets.canvasId, copy.id));
		expect(copied).toHaveLength(1);
		expect(copied[0]).toMatchObject({ sha256: own.sha256, bytes: 2048, mimeType: 'image/png', width: 40, height: 30, fileName: 'diagram.png', uploadedBy: visitor.id });
		expect(copied[0].id).not.toBe(own.id);
		const { records } = await storedCanvas(db, copy.id);
		expect(records['asset:own'].props?.src).toBe(assetSrc(copied[0].id));
		expect(records['asset:foreign'].props?.src).toBeNull();
		expect(records['asset:inline'].props?.src).toBe('data:image/png;base64,iVBORw0KGgo=');
		// The original keeps its own.
		expect(await db.select({ id: assets.id }).from(assets).where(eq(assets.canvasId, canvas.id))).toEqual([{ id: own.id }]);
	});

	it("is 402 LIMIT_EXCEEDED when the copied images would exceed the team's storage, and nothing is created", async () => {
		const { db } = database();
		const author = await person(db, 'Author');
		const canvas = await canvases.create(db, author.actor, { teamId: author.teamId });
		const picture = await storedAsset(db, canvas.id, 3_000_000);
		const publication = await insertTestPublication(db, { canvasId: canvas.id, title: 'Heavy', records: [imageAsset('asset:big', assetSrc(picture.id))] });
		const visitor = await person(db, 'Visitor');
		// The visitor's team holds 998 MB of its 1 GB already.
		const theirs = await canvases.create(db, visitor.actor, { teamId: visitor.teamId, title: 'Photos' });
		await storedAsset(db, theirs.id, 998_000_000);
		const refused = remix(recordingServices(db), visitor.actor, publication.id, visitor.teamId);
		await expect(refused).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', status: 402, details: { limit: 'storage', allowed: 1_000_000_000, used: 1_001_000_000 } });
		await expect(refused).rejects.toThrow(/1 GB of storage/);
		expect(await canvasCount(db, visitor.teamId)).toBe(1);
		expect(await remixCount(db, publication.id)).toBe(0);
		const rows = await db.select({ id: assets.id }).from(assets).innerJoin(canvasRows, eq(canvasRows.id, assets.canvasId)).where(eq(canvasRows.teamId, visitor.teamId));
		expect(rows).toHaveLength(1);
	});

	it('migrates records an older tldraw wrote to the current schema', async () => {
		const { db } = database();
		const current = tldrawSchema.serialize();
		const { richText: _richText, flipX: _flipX, flipY: _flipY, ...olderProps } = geoShape('shape:old').props;
		const doc = new Y.Doc();
		doc.getMap('records').set('document:document', DOCUMENT_RECORD);
		doc.getMap('records').set('page:page', PAGE_RECORD);
		doc.getMap('records').set('shape:old', { ...geoShape('shape:old'), props: { ...olderProps, text: 'Legacy label' } });
		doc.getMap('meta').set('schema', { ...current, sequences: { ...current.sequences, 'com.tldraw.shape.geo': 9 } });
		const { publication } = await published(db, { frozen: [], state: Y.encodeStateAsUpdate(doc) });
		const visitor = await person(db, 'Visitor');
		const copy = await remix(recordingServices(db), visitor.actor, publication.id, visitor.teamId);
		const { records, meta } = await storedCanvas(db, copy.id);
		expect(records['shape:old'].props).toMatchObject({ flipX: false, flipY: false });
		expect(textOf(records['shape:old'])).toContain('Legacy label');
		expect(records['shape:old'].props).not.toHaveProperty('text');
		expect(meta.schema).toEqual(current);
	});
});

describeEachServerDatabase('remix over HTTP', (database) => {
	let server: RunningServer;
	let cleanup: () => Promise<void>;
	let seeded: { publicationId: string; slug: string; authorTeamId: string };
	const clients: CanvasClient[] = [];

	beforeAll(async () => {
		const started = await seededServer(database(), async (db) => {
			const { publication, author } = await published(db, {
				title: 'Checkout flow',
				frozen: [label('a', 'Frozen when published')],
				live: [label('a', 'Edited on the live canvas')]
			});
			return { publicationId: publication.id, slug: publication.slug, authorTeamId: author.teamId };
		});
		({ server, seeded, cleanup } = started);
	});
	afterAll(async () => {
		for (const client of clients) client.destroy();
		await cleanup?.();
	});

	const remixPath = () => `/api/v1/publications/${seeded.publicationId}/remix`;

	it('signed out is 401; a bad body is 400; an outsider team or an unknown publication is 404', async () => {
		const visitor = await signUp(server.url, 'Visitor');
		const signedOut = await api(server.url, remixPath(), { body: { teamId: visitor.personalTeamId } });
		expect(signedOut.status).toBe(401);
		expect(signedOut.body.error.code).toBe('UNAUTHENTICATED');
		const noTeam = await api(server.url, remixPath(), { token: visitor.token, body: {} });
		expect(noTeam.status).toBe(400);
		expect(noTeam.body.error).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'teamId' } });
		const extra = await api(server.url, remixPath(), { token: visitor.token, body: { teamId: visitor.personalTeamId, title: 'mine' } });
		expect(extra.status).toBe(400);
		const outsider = await api(server.url, remixPath(), { token: visitor.token, body: { teamId: seeded.authorTeamId } });
		expect(outsider.status).toBe(404);
		expect(outsider.body.error.code).toBe('NOT_FOUND');
		for (const id of [crypto.randomUUID(), 'not-an-id']) {
			const unknown = await api(server.url, `/api/v1/publications/${id}/remix`, { token: visitor.token, body: { teamId: visitor.personalTeamId } });
			expect(unknown.status).toBe(404);
		}
		// None of it made a canvas.
		const list = await api(server.url, `/api/v1/canvases?teamId=${visitor.personalTeamId}`, { token: visitor.token });
		expect(list.body.canvases).toEqual([]);
	});

	it('201 with the new canvas, holding the frozen version; its page says "Remixed from" and links to the published page', async () => {
		const visitor = await signUp(server.url, 'Remixer');
		const response = await api(server.url, remixPath(), { token: visitor.token, body: { teamId: visitor.personalTeamId } });
		expect(response.status).toBe(201);
		expect(response.body.canvas).toMatchObject({ teamId: visitor.personalTeamId, title: 'Checkout flow', createdBy: visitor.id, createdByName: 'Remixer' });
		const copyId: string = response.body.canvas.id;

		const client = connectCanvas(server.wsUrl, `canvas:${copyId}`, visitor.token);
		clients.push(client);
		await client.synced;
		expect(client.readOnly()).toBe(false);
		expect(JSON.stringify(client.records.get('shape:a'))).toContain('Frozen when published');
		expect(JSON.stringify(client.records.toJSON())).not.toContain('Edited on the live canvas');

		const page = await fetch(`${server.url}/c/${copyId}`, { headers: { cookie: `${sessionCookieName(false)}=${visitor.token}` } });
		expect(page.status).toBe(200);
		const html = await page.text();
		expect(html).toContain('data-testid="remixed-from"');
		expect(html).toMatch(new RegExp(`Remixed from[\\s\\S]*?<a href="/p/${seeded.slug}"[^>]*>Checkout flow</a>`));
	});

	it('into a full team is 402 LIMIT_EXCEEDED', async () => {
		const visitor = await signUp(server.url, 'Busy');
		for (let i = 0; i < 10; i++) {
			const created = await api(server.url, '/api/v1/canvases', { token: visitor.token, body: { title: `Canvas ${i}` } });
			expect(created.status).toBe(201);
		}
		const refused = await api(server.url, remixPath(), { token: visitor.token, body: { teamId: visitor.personalTeamId } });
		expect(refused.status).toBe(402);
		expect(refused.body.error).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'canvases' } });
	});
});
