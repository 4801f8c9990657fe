// Publishing through the real server on both databases: the frozen copy, its public page, snapshot and
// picture, who may publish, moderation, reports, caching and what the public page never shows.
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { eq, sql } from 'drizzle-orm';
import { createMessageMap } from '../../src/lib/chat/chat-document.ts';
import * as accounts from '../../src/lib/server/accounts.ts';
import * as canvases from '../../src/lib/server/canvases.ts';
import * as history from '../../src/lib/server/history.ts';
import * as publications from '../../src/lib/server/publications.ts';
import * as teams from '../../src/lib/server/teams.ts';
import * as trash from '../../src/lib/server/trash/index.ts';
import { assetBlobs, assets, documentVersions, publicationAssets, publications as publicationRows } from '../../src/lib/server/db/schema.ts';
import { placeholderPreview } from '../../src/lib/server/publication-placeholder.ts';
import { PublicationViews } from '../../src/lib/server/publication-views.ts';
import { createLogger } from '../../src/lib/server/logger.ts';
import { publishedPagePolicy } from '../../src/lib/server/http/published-pages.ts';
import { api, connectCanvas, signUp, waitFor, type CanvasClient, type TestUser } from '../helpers/clients.ts';
import { describeEachDatabase, uniqueEmail } from '../helpers/databases.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { recordingServices } from '../helpers/services.ts';
import { DOCUMENT_RECORD, PAGE_RECORD, geoShape, richText, seedCanvas } from '../helpers/tldraw-records.ts';

const labelled = (id: string, text: string) => geoShape(id, {}, { richText: richText(text) });

describeEachServerDatabase('publishing', (database) => {
	let server: RunningServer;
	let owner: TestUser;
	let editor: TestUser;
	let viewer: TestUser;
	let outsider: TestUser;
	let teamId: string;
	const clients: CanvasClient[] = [];
	/** Visits and reports come from addresses of their own (any 127.x.y.z is this machine), so per-address limits and view counts don't mix. */
	let nextAddress = 10;
	const newAddress = () => `127.0.${Math.floor(nextAddress / 250)}.${(nextAddress++ % 250) + 2}`;

	/** A request to the server sent from `address` (a loopback address of its own), as a fetch Response. */
	function from(address: string, path: string, options: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {}): Promise<Response> {
		return new Promise((resolve, reject) => {
			const outgoing = request(
				{ host: '127.0.0.1', port: server.port, path, method: options.method ?? 'GET', headers: options.headers, localAddress: address },
				(incoming) => {
					const chunks: Buffer[] = [];
					incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
					incoming.on('end', () => {
						const headers = new Headers();
						for (const [name, value] of Object.entries(incoming.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
						const status = incoming.statusCode ?? 0;
						resolve(new Response([204, 304].includes(status) ? null : Buffer.concat(chunks), { status, headers }));
					});
				}
			);
			outgoing.on('error', reject);
			outgoing.end(options.body);
		});
	}

	beforeAll(async () => {
		server = await startServer({ env: { ...database().env, PUBLICATION_REPORTS_PER_ADDRESS: '3' } });
		[owner, editor, viewer, outsider] = await Promise.all([
			signUp(server.url, 'Owen'),
			signUp(server.url, 'Edie'),
			signUp(server.url, 'Vera'),
			signUp(server.url, 'Otto')
		]);
		teamId = (await api(server.url, '/api/v1/teams', { token: owner.token, body: { name: 'Systems Guild' } })).body.id;
		for (const [person, role] of [
			[editor, 'editor'],
			[viewer, 'viewer']
		] as const) {
			const invite = await api(server.url, `/api/v1/teams/${teamId}/invitations`, { token: owner.token, body: { role } });
			await api(server.url, `/api/v1/invitations/${invite.body.token}/accept`, { method: 'POST', token: person.token });
		}
	});
	afterAll(async () => {
		for (const client of clients) client.destroy();
		await server?.dispose();
	});

	/** A team canvas with two labelled shapes, connected live (so later edits are live edits). */
	async function liveCanvas(title: string, texts: Record<string, string> = { 'shape:a': 'Load balancer', 'shape:b': 'Postgres primary' }) {
		const created = await api(server.url, '/api/v1/canvases', { token: owner.token, body: { title, teamId } });
		expect(created.status).toBe(201);
		const client = connectCanvas(server.wsUrl, `canvas:${created.body.id}`, owner.token);
		clients.push(client);
		await client.synced;
		seedCanvas(client.records);
		for (const [id, text] of Object.entries(texts)) client.records.set(id, labelled(id, text));
		await waitFor(() => !client.provider.hasUnsyncedChanges, 10_000, 'the canvas to be stored');
		return { canvasId: created.body.id as string, client };
	}

	const publication = (canvasId: string, token: string, body?: unknown, method?: string) =>
		api(server.url, `/api/v1/canvases/${canvasId}/publication`, { token, ...(body !== undefined ? { body } : {}), ...(method ? { method } : {}) });
	const visit = (path: string, headers: Record<string, string> = {}, address = newAddress()) => from(address, path, { headers });
	const snapshotShapes = async (slug: string) => {
		const response = await visit(`/p/${slug}/snapshot`);
		expect(response.status).toBe(200);
		const { records } = (await response.json()) as { records: Record<string, { typeName: string; props?: { richText?: unknown } }> };
		return Object.fromEntries(
			Object.entries(records)
				.filter(([, record]) => record.typeName === 'shape')
				.map(([id, record]) => [id, JSON.stringify(record.props?.richText)])
		);
	};
	/** The team settings form action, as the page posts it (the session as a bearer token). */
	const setPublishRole = (token: string, role: string) =>
		fetch(`${server.url}/teams/${teamId}/settings?/publishing`, {
			method: 'POST',
			headers: { authorization: `Bearer ${token}`, origin: server.url, 'x-sveltekit-action': 'true', 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ publishRole: role })
		}).then(async (response) => (await response.json()) as { type: string; status?: number; data?: string });

	it('publishes: the page (signed out) shows title, author, description, tags and Open Graph meta; the version is in history as "Published"', async () => {
		const { canvasId } = await liveCanvas('Service map');
		const published = await publication(canvasId, editor.token, {
			title: 'Our service map',
			description: 'How requests flow.\nSecond line.',
			tags: ['Infra', 'redis', 'infra']
		});
		expect(published.status).toBe(201);
		const { id, slug, url, publishedAt } = published.body.publication;
		expect(slug).toMatch(/^our-service-map-[a-z2-9]{6}$/);
		expect(url).toBe(`http://localhost:${server.port}/p/${slug}`);
		expect(new Date(publishedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);

		const read = await publication(canvasId, viewer.token);
		expect(read.status).toBe(200);
		expect(read.body.publication).toMatchObject({
			id,
			slug,
			title: 'Our service map',
			tags: ['infra', 'redis'],
			authorName: 'Edie',
			moderation: 'visible',
			moderationReason: null,
			remixCount: 0
		});

		const page = await visit(`/p/${slug}`);
		expect(page.status).toBe(200);
		const html = await page.text();
		expect(html).toMatch(/<h1[^>]*>Our service map<\/h1>/);
		expect(html).toMatch(/by <strong[^>]*>Edie<\/strong>.*· Systems Guild/s);
		expect(html).toContain('How requests flow.\nSecond line.');
		expect(html).toContain('#infra');
		expect(html).toContain('#redis');
		expect(html).toContain(`<meta property="og:title" content="Our service map"/>`);
		expect(html).toContain(`<meta property="og:image" content="${url}/preview"/>`);
		expect(html).toContain('<meta name="twitter:card" content="summary_large_image"/>');
		expect(html).toContain(`<meta property="og:url" content="${url}"/>`);
		expect(html).toContain('Sign in to remix');
		expect(html).toContain(`/login?next=${encodeURIComponent(`/p/${slug}`)}`);

		const versions = await api(server.url, `/api/v1/canvases/${canvasId}/versions`, { token: owner.token });
		expect(versions.body.versions.map((version: { kind: string; label: string }) => [version.kind, version.label])).toContainEqual([
			'publish',
			'Published “Our service map”'
		]);
	});

	it('freezes the copy: edits do not reach it until a republish, which keeps the row, the slug and the counts', async () => {
		const { canvasId, client } = await liveCanvas('Frozen');
		const first = await publication(canvasId, owner.token, { tags: ['draft'] });
		expect(first.status).toBe(201);
		const { id, slug } = first.body.publication;
		expect(first.body.publication.slug).toMatch(/^frozen-/); // the canvas title when none is given
		expect(await snapshotShapes(slug)).toEqual({ 'shape:a': JSON.stringify(richText('Load balancer')), 'shape:b': JSON.stringify(richText('Postgres primary')) });

		// Two visits from one visitor count once; another visitor counts too.
		const visitor = newAddress();
		await visit(`/p/${slug}`, { 'user-agent': 'Visitor/1.0' }, visitor);
		await visit(`/p/${slug}`, { 'user-agent': 'Visitor/1.0' }, visitor);
		await visit(`/p/${slug}`, { 'user-agent': 'Visitor/1.0' });
		await waitFor(async () => (await publication(canvasId, owner.token)).body.publication.viewCount === 2, 15_000, 'two views to be counted');

		client.records.set('shape:a', labelled('shape:a', 'Load balancer v2'));
		client.records.set('shape:c', labelled('shape:c', 'Redis cache'));
		await waitFor(() => !client.provider.hasUnsyncedChanges, 10_000, 'the edit to be stored');
		expect(await snapshotShapes(slug)).toEqual({ 'shape:a': JSON.stringify(richText('Load balancer')), 'shape:b': JSON.stringify(richText('Postgres primary')) });

		const again = await publication(canvasId, owner.token, { title: 'Frozen, now with a cache' });
		expect(again.status).toBe(200);
		expect(again.body.publication).toMatchObject({ id, slug });
		expect(await snapshotShapes(slug)).toEqual({
			'shape:a': JSON.stringify(richText('Load balancer v2')),
			'shape:b': JSON.stringify(richText('Postgres primary')),
			'shape:c': JSON.stringify(richText('Redis cache'))
		});
		const read = (await publication(canvasId, owner.token)).body.publication;
		// Fields not sent are kept; the counts survive.
		expect(read).toMatchObject({ title: 'Frozen, now with a cache', tags: ['draft'], viewCount: 2 });
		const publishVersions = (await api(server.url, `/api/v1/canvases/${canvasId}/versions`, { token: owner.token })).body.versions.filter(
			(version: { kind: string }) => version.kind === 'publish'
		);
		expect(publishVersions).toHaveLength(2);
	});

	it('unpublishing removes the page, its snapshot and picture at once; the frozen version stays in history', async () => {
		const { canvasId } = await liveCanvas('Short-lived');
		const { slug } = (await publication(canvasId, owner.token, {})).body.publication;
		expect((await visit(`/p/${slug}`)).status).toBe(200);
		expect((await publication(canvasId, owner.token, undefined, 'DELETE')).status).toBe(204);
		for (const path of [`/p/${slug}`, `/p/${slug}/snapshot`, `/p/${slug}/preview`]) expect((await visit(path)).status, path).toBe(404);
		const missing = await visit(`/p/${slug}`);
		expect(await missing.text()).toContain('This canvas is not published');
		expect((await publication(canvasId, owner.token)).status).toBe(404);
		const again = await publication(canvasId, owner.token, undefined, 'DELETE');
		expect(again.status).toBe(404);
		expect(again.body.error.code).toBe('NOT_FOUND');
		const versions = (await api(server.url, `/api/v1/canvases/${canvasId}/versions`, { token: owner.token })).body.versions;
		expect(versions.map((version: { kind: string }) => version.kind)).toContain('publish');
	});

	it('only editors and above publish: viewers are refused, outsiders and strangers see nothing; bad input changes nothing', async () => {
		const { canvasId } = await liveCanvas('Guarded');
		const link = await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token, body: { access: 'view', audience: 'anyone' } });
		expect(link.status).toBe(201);

		const byViewer = await publication(canvasId, viewer.token, {});
		expect(byViewer.status).toBe(403);
		expect(byViewer.body.error.message).toBe('As a viewer you may not publish this canvas.');
		expect((await publication(canvasId, outsider.token, {})).status).toBe(404);
		expect((await publication(canvasId, outsider.token)).status).toBe(404);
		expect((await api(server.url, `/api/v1/canvases/${canvasId}/publication`, { body: {} })).status).toBe(401);
		// A view link's token is no way in either: it is not a bearer token.
		expect((await publication(canvasId, link.body.token, {})).status).toBe(401);

		const bad: [unknown, string][] = [
			[{ title: 'x'.repeat(121) }, 'A title is at most 120 characters.'],
			[{ description: 'x'.repeat(2001) }, 'A description is at most 2000 characters.'],
			[{ tags: Array.from({ length: 11 }, (_, index) => `tag${index}`) }, 'At most 10 tags.'],
			[{ tags: ['two words'] }, 'Tags are letters, digits and dashes only (no spaces).'],
			[{ tags: ['x'.repeat(33)] }, 'A tag is at most 32 characters.'],
			[{ tags: [''] }, 'A tag must not be empty.'],
			[{ title: 'bad\u202etitle' }, 'Title must not contain control, formatting or invisible characters (line breaks, direction overrides, zero-width spaces).'],
			[{ slug: 'chosen' }, 'Unrecognized key: "slug"']
		];
		for (const [body, message] of bad) {
			const response = await publication(canvasId, editor.token, body);
			expect(response.status, JSON.stringify(body)).toBe(400);
			expect(response.body.error).toMatchObject({ code: 'INVALID_INPUT', message });
		}
		expect((await publication(canvasId, owner.token)).status).toBe(404);
		// Eleven tags of which only ten differ are fine.
		const deduplicated = await publication(canvasId, editor.token, { tags: [...Array.from({ length: 10 }, (_, index) => `t${index}`), 'T0'] });
		expect(deduplicated.status).toBe(201);
		expect((await publication(canvasId, editor.token, undefined, 'DELETE')).status).toBe(204);
	});

	it('a team that lets only admins publish refuses editors (publishing and unpublishing); only admins change the setting', async () => {
		const { canvasId } = await liveCanvas('Admins only');
		const byEditor = await setPublishRole(editor.token, 'admin');
		expect(byEditor).toMatchObject({ type: 'failure', status: 403 });
		expect(await setPublishRole(owner.token, 'everyone')).toMatchObject({ type: 'failure', status: 400 });
		expect(await setPublishRole(owner.token, 'admin')).toMatchObject({ type: 'success' });
		try {
			const refused = await publication(canvasId, editor.token, {});
			expect(refused.status).toBe(403);
			expect(refused.body.error.message).toBe('In this team only admins and owners may publish canvases.');
			expect((await publication(canvasId, owner.token, {})).status).toBe(201);
			expect((await publication(canvasId, editor.token, undefined, 'DELETE')).status).toBe(403);
			expect((await publication(canvasId, editor.token)).status).toBe(200); // members still see it
			const activity = await api(server.url, `/api/v1/teams/${teamId}/audit-log`, { token: owner.token });
			expect(activity.status).toBe(200);
			expect(JSON.stringify(activity.body)).toContain('team.publish_role');
		} finally {
			expect(await setPublishRole(owner.token, 'editor')).toMatchObject({ type: 'success' });
		}
		expect((await publication(canvasId, editor.token, undefined, 'DELETE')).status).toBe(204);
	});

	it('reports are open to anyone, checked, and limited per address (429 with Retry-After)', async () => {
		const { canvasId } = await liveCanvas('Reported');
		const { id } = (await publication(canvasId, owner.token, {})).body.publication;
		const address = newAddress();
		const report = async (reason: unknown, sender = address) => {
			const response = await from(sender, `/api/v1/publications/${id}/reports`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ reason })
			});
			return { status: response.status, headers: response.headers, body: await response.json() };
		};
		expect((await report('')).status).toBe(400);
		expect((await report('x'.repeat(1001))).body.error.message).toBe('The reason is at most 1000 characters.');
		expect((await api(server.url, `/api/v1/publications/${crypto.randomUUID()}/reports`, { body: { reason: 'spam' } })).status).toBe(404);
		// Bad requests spent nothing: three reports fit the budget of three.
		for (let index = 0; index < 3; index++) expect((await report(`Spam ${index}`)).status).toBe(201);
		const limited = await report('One more');
		expect(limited.status).toBe(429);
		expect(limited.body.error.code).toBe('RATE_LIMITED');
		expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
		expect((await report('From elsewhere', newAddress())).status).toBe(201);

		// The page's own form (no JavaScript) files one too.
		const { slug } = (await publication(canvasId, owner.token)).body.publication;
		const form = await from(newAddress(), `/p/${slug}?/report`, {
			method: 'POST',
			headers: { origin: server.url, 'x-sveltekit-action': 'true', 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ reason: 'Offensive picture' }).toString()
		});
		expect(await form.json()).toMatchObject({ type: 'success' });
	});

	it('instance admins (npm run admin -- make-admin) hide a publication: page, snapshot and picture 404, its team sees the reason, a republish stays hidden; restore brings it back', async () => {
		const { canvasId } = await liveCanvas('Moderated');
		const { id, slug } = (await publication(canvasId, owner.token, {})).body.publication;
		const admin = await signUp(server.url, 'Mod');

		// Nobody else sees the moderation page or API: not even that it exists.
		expect((await visit('/admin/moderation', { authorization: `Bearer ${owner.token}` })).status).toBe(404);
		expect((await visit('/admin/moderation')).status).toBe(404);
		expect((await api(server.url, `/api/v1/admin/publications/${id}/hide`, { token: owner.token, body: { reason: 'x' } })).status).toBe(404);

		const cli = (args: string[]) =>
			spawnSync(process.execPath, ['server/admin.ts', ...args], { env: { ...process.env, DATA_DIR: server.dataDir, ...database().env }, encoding: 'utf8' });
		if (database().driver === 'pglite') await server.stop(); // one process per data directory
		const made = cli(['make-admin', admin.email.toUpperCase()]);
		expect(made.status, made.stderr).toBe(0);
		expect(made.stdout).toContain('is now an instance administrator');
		const unknown = cli(['make-admin', 'nobody@example.invalid']);
		expect(unknown.status).toBe(1);
		expect(unknown.stderr).toContain('No account with the email nobody@example.invalid');
		if (database().driver === 'pglite') server = await server.restart();

		const reported = await from(newAddress(), `/api/v1/publications/${id}/reports`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ reason: 'Phishing links in the boxes' })
		});
		expect(reported.status).toBe(201);
		const queue = await visit('/admin/moderation', { authorization: `Bearer ${admin.token}` });
		expect(queue.status).toBe(200);
		const queueHtml = await queue.text();
		expect(queueHtml).toContain('Phishing links in the boxes');
		expect(queueHtml).toContain('1 open report');

		expect((await api(server.url, `/api/v1/admin/publications/${id}/hide`, { token: admin.token, body: { reason: '' } })).status).toBe(400);
		expect((await api(server.url, `/api/v1/admin/publications/${id}/hide`, { token: admin.token, body: { reason: 'Links to a phishing site' } })).status).toBe(204);
		for (const path of [`/p/${slug}`, `/p/${slug}/snapshot`, `/p/${slug}/preview`]) expect((await visit(path)).status, path).toBe(404);
		expect(
			(
				await from(newAddress(), `/api/v1/publications/${id}/reports`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ reason: 'again' })
				})
			).status
		).toBe(404);
		expect((await publication(canvasId, editor.token)).body.publication).toMatchObject({ moderation: 'hidden', moderationReason: 'Links to a phishing site' });
		const canvasPage = await visit(`/c/${canvasId}`, { authorization: `Bearer ${editor.token}` });
		expect(await canvasPage.text()).toContain('Links to a phishing site');

		// Unpublishing and publishing again does not get around the moderator.
		expect((await publication(canvasId, owner.token, undefined, 'DELETE')).status).toBe(204);
		const republished = await publication(canvasId, owner.token, {});
		expect(republished.status).toBe(201);
		expect((await publication(canvasId, owner.token)).body.publication).toMatchObject({ moderation: 'hidden', moderationReason: 'Links to a phishing site' });
		expect((await visit(`/p/${republished.body.publication.slug}`)).status).toBe(404);

		expect((await api(server.url, `/api/v1/admin/publications/${republished.body.publication.id}/restore`, { token: admin.token, method: 'POST' })).status).toBe(204);
		expect((await visit(`/p/${republished.body.publication.slug}`)).status).toBe(200);
		expect((await publication(canvasId, owner.token)).body.publication).toMatchObject({ moderation: 'visible', moderationReason: null });
	});

	it('caches: public pages with ETag and 304 (no CSP on the 304), private for signed-in visitors; a strict CSP without ws:; snapshot and picture validators', async () => {
		const { canvasId } = await liveCanvas('Cached');
		const { slug } = (await publication(canvasId, owner.token, {})).body.publication;
		const page = await visit(`/p/${slug}`);
		expect(page.headers.get('cache-control')).toBe('public, max-age=60');
		expect(page.headers.get('vary')).toBe('Cookie');
		const etag = page.headers.get('etag')!;
		expect(etag).toMatch(/^W\/".+"$/);
		const policy = page.headers.get('content-security-policy')!;
		expect(policy).toContain("connect-src 'self'");
		expect(policy).not.toMatch(/ws:|wss:/);
		expect(policy).toContain("frame-ancestors 'none'");
		expect(policy).toContain("form-action 'self'");

		const revalidated = await visit(`/p/${slug}`, { 'if-none-match': etag });
		expect(revalidated.status).toBe(304);
		expect(revalidated.headers.get('etag')).toBe(etag);
		expect(revalidated.headers.get('content-security-policy')).toBeNull();
		expect(await revalidated.text()).toBe('');

		const signedIn = await visit(`/p/${slug}`, { authorization: `Bearer ${outsider.token}`, 'if-none-match': etag });
		expect(signedIn.status).toBe(200);
		expect(signedIn.headers.get('cache-control')).toBe('private, no-cache');
		const signedInHtml = await signedIn.text();
		expect(signedInHtml).toContain('>Remix</button>');
		expect(signedInHtml).not.toContain('Sign in to remix');

		const snapshot = await visit(`/p/${slug}/snapshot`);
		expect(snapshot.headers.get('cache-control')).toBe('public, max-age=60');
		expect((await visit(`/p/${slug}/snapshot`, { 'if-none-match': snapshot.headers.get('etag')! })).status).toBe(304);

		// No picture yet: the placeholder. The browser's upload replaces it; bad uploads are refused.
		const placeholder = await visit(`/p/${slug}/preview`);
		expect(placeholder.status).toBe(200);
		expect(placeholder.headers.get('content-type')).toBe('image/png');
		expect(Buffer.from(await placeholder.arrayBuffer())).toEqual(Buffer.from(placeholderPreview().bytes));
		const upload = (body: BodyInit, token = owner.token, type = 'image/png') =>
			fetch(`${server.url}/api/v1/canvases/${canvasId}/publication/preview`, {
				method: 'PUT',
				headers: { authorization: `Bearer ${token}`, 'content-type': type },
				body
			});
		const png = new Uint8Array(placeholderPreview().bytes);
		png[png.length - 20] ^= 1; // a different picture than the placeholder (the checksum is not checked by the sniffer)
		expect((await upload('<svg xmlns="http://www.w3.org/2000/svg"/>', owner.token, 'image/svg+xml')).status).toBe(400);
		expect((await upload(new Uint8Array(2 * 1024 * 1024 + 1))).status).toBe(413);
		expect((await upload(png as Uint8Array<ArrayBuffer>, viewer.token)).status).toBe(403);
		expect((await upload(png as Uint8Array<ArrayBuffer>, outsider.token)).status).toBe(404);
		const stored = await upload(png as Uint8Array<ArrayBuffer>);
		expect(stored.status).toBe(200);
		expect(await stored.json()).toEqual({ preview: { mimeType: 'image/png', width: 1200, height: 630 } });
		const preview = await visit(`/p/${slug}/preview`);
		expect(Buffer.from(await preview.arrayBuffer())).toEqual(Buffer.from(png));
		expect(preview.headers.get('etag')).not.toBe(placeholder.headers.get('etag'));
		expect((await visit(`/p/${slug}/preview`, { 'if-none-match': preview.headers.get('etag')! })).status).toBe(304);
		// The page now has a picture of its own: its validator changed.
		expect((await visit(`/p/${slug}`, { 'if-none-match': etag })).status).toBe(200);
	});

	it('the public page and snapshot expose the frozen copy only: no share-link tokens, member emails, chat or live canvas', async () => {
		const { canvasId } = await liveCanvas('Private bits', { 'shape:a': 'Public label' });
		const link = await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token, body: { access: 'edit', audience: 'anyone' } });
		const chat = connectCanvas(server.wsUrl, `chat:${canvasId}`, owner.token);
		clients.push(chat);
		await chat.synced;
		const messageId = crypto.randomUUID();
		chat.doc
			.getMap('messages')
			.set(
				messageId,
				createMessageMap({ id: messageId, parentId: null, author: { kind: 'user', id: owner.id, name: 'Owen' }, role: 'user', text: 'secret chat 7731', status: 'done' })
			);
		await waitFor(() => !chat.provider.hasUnsyncedChanges, 10_000, 'the chat message to be stored');

		const { slug } = (await publication(canvasId, owner.token, {})).body.publication;
		const html = await (await visit(`/p/${slug}`)).text();
		const snapshot = await (await visit(`/p/${slug}/snapshot`)).text();
		for (const text of [html, snapshot]) {
			expect(text).not.toContain(link.body.token);
			for (const person of [owner, editor, viewer]) expect(text).not.toContain(person.email);
			expect(text).not.toContain('secret chat 7731');
			expect(text).not.toContain(canvasId);
			expect(text).not.toContain('/collab');
		}
		expect(snapshot).toContain('Public label');
		expect(html).not.toContain('Vera'); // members are not listed
	});
});

describeEachDatabase('publishing (domain)', (database) => {
	const stateOf = (records: Record<string, unknown>) => {
		const doc = new Y.Doc();
		const map = doc.getMap('records');
		doc.transact(() => {
			for (const [id, record] of Object.entries(records)) map.set(id, record);
		});
		return Y.encodeStateAsUpdate(doc);
	};

	async function setUp(records: Record<string, unknown>) {
		const db = database().db;
		const user = await accounts.signUp(db, { email: uniqueEmail('publisher'), password: 'a long enough password', name: 'Pia' });
		const actor = { kind: 'user' as const, userId: user.id };
		const canvas = await canvases.create(db, actor, { teamId: user.personalTeamId, title: 'Domain canvas' });
		let current = records;
		const services = recordingServices(db, { readDocumentState: async () => stateOf(current) });
		return { db, actor, user, canvas, services, setRecords: (next: Record<string, unknown>) => (current = next) };
	}

	it('indexes title, tags, description and the canvas text for full-text search (the simple configuration)', async () => {
		const { db, actor, canvas, services } = await setUp({
			[DOCUMENT_RECORD.id]: DOCUMENT_RECORD,
			[PAGE_RECORD.id]: PAGE_RECORD,
			'shape:a': labelled('shape:a', 'Kafka ingestion pipeline'),
			'shape:frame': { ...geoShape('shape:frame'), type: 'frame', props: { w: 100, h: 100, name: 'Zanzibar zone', color: 'black' } }
		});
		const { publication } = await publications.publish(services, actor, canvas.id, { title: 'Streaming', description: 'Throughput notes', tags: ['analytics'] });
		const matches = async (query: string) => {
			const result = await db.execute(sql`select id from publications where id = ${publication.id} and search_vector @@ websearch_to_tsquery('simple', ${query})`);
			return (Array.isArray(result) ? result : (result as unknown as { rows: unknown[] }).rows).length;
		};
		for (const word of ['streaming', 'analytics', 'throughput', 'kafka', 'pipeline', 'zanzibar']) expect(await matches(word), word).toBe(1);
		expect(await matches('postgres')).toBe(0);
		const [row] = await db.select({ canvasText: publicationRows.canvasText }).from(publicationRows).where(eq(publicationRows.id, publication.id));
		expect(row.canvasText).toBe('Kafka ingestion pipeline\nZanzibar zone');
	});

	it('lists only the canvas’s own assets as public, keeps the published version through pruning, and lets the team be deleted', async () => {
		const { db, actor, user, canvas, services, setRecords } = await setUp({});
		const other = await canvases.create(db, actor, { teamId: user.personalTeamId, title: 'Other canvas' });
		await db
			.insert(assetBlobs)
			.values({ sha256: 'a'.repeat(64), storageKey: `blobs/${'a'.repeat(64)}`, mimeType: 'image/png', bytes: 10 })
			.onConflictDoNothing();
		const [own] = await db
			.insert(assets)
			.values({ canvasId: canvas.id, sha256: 'a'.repeat(64), mimeType: 'image/png', bytes: 10 })
			.returning({ id: assets.id });
		const [foreign] = await db
			.insert(assets)
			.values({ canvasId: other.id, sha256: 'a'.repeat(64), mimeType: 'image/png', bytes: 10 })
			.returning({ id: assets.id });
		const assetRecord = (id: string, assetId: string) => ({
			id,
			typeName: 'asset',
			type: 'image',
			props: { src: `/api/v1/assets/${assetId}`, w: 1, h: 1, name: 'x', isAnimated: false, mimeType: 'image/png' },
			meta: {}
		});
		setRecords({ 'asset:own': assetRecord('asset:own', own.id), 'asset:foreign': assetRecord('asset:foreign', foreign.id) });
		const { publication } = await publications.publish(services, actor, canvas.id, {});
		const listed = await db.select({ assetId: publicationAssets.assetId }).from(publicationAssets).where(eq(publicationAssets.publicationId, publication.id));
		expect(listed).toEqual([{ assetId: own.id }]);

		// Long past every retention (Free keeps 7 days): the old publish version goes, the published one stays.
		const republished = await publications.publish(services, actor, canvas.id, {});
		expect(republished.created).toBe(false);
		await db
			.update(documentVersions)
			.set({ createdAt: new Date('2020-01-01') })
			.where(eq(documentVersions.document, `canvas:${canvas.id}`));
		await history.prune(db);
		const left = await db
			.select({ id: documentVersions.id })
			.from(documentVersions)
			.where(eq(documentVersions.document, `canvas:${canvas.id}`));
		expect(left).toEqual([{ id: republished.publication.versionId }]);

		// Unpublished, it is a version like any other.
		await publications.unpublish(services, actor, canvas.id);
		await history.prune(db);
		expect(
			await db
				.select({ id: documentVersions.id })
				.from(documentVersions)
				.where(eq(documentVersions.document, `canvas:${canvas.id}`))
		).toEqual([]);

		// A team with a published canvas can be deleted: its publication leaves the gallery as it goes to the trash.
		const team = await teams.create(db, actor, 'Doomed team');
		const doomed = await canvases.create(db, actor, { teamId: team.id, title: 'Doomed canvas' });
		await publications.publish(services, actor, doomed.id, {});
		await trash.trashTeam(services, actor, team.id, 'Doomed team');
		expect(await db.select().from(publicationRows).where(eq(publicationRows.canvasId, doomed.id))).toEqual([]);
	});

	it('counts one view per visitor per day, in batches, without storing who', async () => {
		const { db, actor, canvas, services } = await setUp({});
		const { publication } = await publications.publish(services, actor, canvas.id, {});
		const views = new PublicationViews(db, createLogger('silent'), 60_000);
		try {
			const day = new Date('2026-03-01T10:00:00Z');
			const ana = { address: '192.0.2.1', userAgent: 'Firefox' };
			expect(views.record(publication.id, ana, day)).toBe(true);
			expect(views.record(publication.id, ana, day)).toBe(false);
			expect(views.record(publication.id, { ...ana, userAgent: 'Safari' }, day)).toBe(true);
			expect(views.record(publication.id, { address: '192.0.2.9', userAgent: 'Googlebot/2.1' }, day)).toBe(false);
			expect(views.record(publication.id, ana, new Date('2026-03-02T00:00:01Z'))).toBe(true);
			await views.flush();
			const [row] = await db.select({ viewCount: publicationRows.viewCount }).from(publicationRows).where(eq(publicationRows.id, publication.id));
			expect(Number(row.viewCount)).toBe(3);
		} finally {
			await views.stop();
		}
	});
});

describe('the published pages’ policy', () => {
	it('drops sockets from connect-src and forbids framing and foreign form targets', () => {
		expect(
			publishedPagePolicy(
				"default-src 'self'; connect-src 'self' ws: wss:; script-src 'self' 'nonce-abc'; frame-ancestors 'self'; form-action 'self' https://elsewhere.example"
			)
		).toBe("default-src 'self'; connect-src 'self'; script-src 'self' 'nonce-abc'; frame-ancestors 'none'; form-action 'self'");
	});
});
