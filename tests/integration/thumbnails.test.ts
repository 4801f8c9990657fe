// Canvas thumbnails through the real server, on both databases: an editor's upload shows on the
// dashboard and is served with an ETag; viewers, view-link guests and outsiders can't upload; only
// small WebP/PNG images within 1024×1024 are taken; deleting the canvas (or its team) removes the
// stored picture.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sessionCookieName } from '../../src/lib/server/auth/sessions.ts';
import { SHARE_TOKEN_HEADER } from '../../src/lib/document-state.ts';
import { api, createCanvas, signUp, type TestUser } from '../helpers/clients.ts';
import { png, webp } from '../helpers/images.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

describeEachServerDatabase('canvas thumbnails', (database) => {
	let server: RunningServer;
	let owner: TestUser;
	let viewer: TestUser;
	let outsider: TestUser;
	let teamId: string;
	let canvasId: string;

	beforeAll(async () => {
		server = await startServer({ env: database().env });
		[owner, viewer, outsider] = await Promise.all([signUp(server.url, 'Thea'), signUp(server.url, 'Vic'), signUp(server.url, 'Otto')]);
		teamId = (await api(server.url, '/api/v1/teams', { token: owner.token, body: { name: 'Pictures' } })).body.id;
		const invitation = await api(server.url, `/api/v1/teams/${teamId}/invitations`, { token: owner.token, body: { role: 'viewer' } });
		expect((await api(server.url, `/api/v1/invitations/${invitation.body.token}/accept`, { method: 'POST', token: viewer.token })).status).toBe(200);
		canvasId = (await api(server.url, '/api/v1/canvases', { token: owner.token, body: { teamId, title: 'Pictured' } })).body.id;
	});
	afterAll(() => server?.dispose());

	const path = (id: string) => `/api/v1/canvases/${id}/thumbnail`;
	const storedFile = (id: string) => join(server.dataDir, 'assets', 'thumbnails', id);

	function put(id: string, bytes: Uint8Array, options: { token?: string; type?: string; headers?: Record<string, string> } = {}) {
		return fetch(`${server.url}${path(id)}`, {
			method: 'PUT',
			headers: { 'content-type': options.type ?? 'image/png', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
			body: bytes as Uint8Array<ArrayBuffer>
		});
	}
	async function errorOf(response: Response) {
		return { status: response.status, body: await response.json() };
	}
	async function dashboardHtml(user: TestUser, team: string) {
		const response = await fetch(`${server.url}/teams/${team}`, { headers: { cookie: `${sessionCookieName(false)}=${user.token}` } });
		expect(response.status).toBe(200);
		return response.text();
	}

	it('shows the placeholder until an editor uploads one, then the picture on the dashboard and through GET', async () => {
		expect(await dashboardHtml(owner, teamId)).not.toContain(`${path(canvasId)}?v=`);
		expect(await api(server.url, path(canvasId), { token: owner.token })).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });

		const editedAt = (await api(server.url, `/api/v1/canvases/${canvasId}`, { token: owner.token })).body.updatedAt;
		const picture = png(320, 200);
		expect((await put(canvasId, picture, { token: owner.token })).status).toBe(204);

		const html = await dashboardHtml(owner, teamId);
		expect(html).toMatch(new RegExp(`<img[^>]+src="${path(canvasId)}\\?v=\\d+"[^>]*loading="lazy"`));
		for (const user of [owner, viewer]) {
			const served = await fetch(`${server.url}${path(canvasId)}`, { headers: { authorization: `Bearer ${user.token}` } });
			expect(served.status).toBe(200);
			expect(served.headers.get('content-type')).toBe('image/png');
			expect(served.headers.get('cache-control')).toBe('private, max-age=60');
			expect(served.headers.get('x-content-type-options')).toBe('nosniff');
			expect(new Uint8Array(await served.arrayBuffer())).toEqual(picture);
		}
		// Uploading a thumbnail is not an edit: the dashboard's order stays as it was.
		expect((await api(server.url, `/api/v1/canvases/${canvasId}`, { token: owner.token })).body.updatedAt).toBe(editedAt);
	});

	it('answers 304 for the version the browser has, and a new ETag once it is replaced', async () => {
		const first = await fetch(`${server.url}${path(canvasId)}`, { headers: { authorization: `Bearer ${owner.token}` } });
		const etag = first.headers.get('etag');
		expect(etag).toMatch(/^"\d+"$/);
		const again = await fetch(`${server.url}${path(canvasId)}`, { headers: { authorization: `Bearer ${owner.token}`, 'if-none-match': etag! } });
		expect(again.status).toBe(304);
		expect(again.headers.get('etag')).toBe(etag);

		await new Promise((resolve) => setTimeout(resolve, 5));
		expect((await put(canvasId, webp(), { token: owner.token, type: 'image/webp' })).status).toBe(204);
		const replaced = await fetch(`${server.url}${path(canvasId)}`, { headers: { authorization: `Bearer ${owner.token}`, 'if-none-match': etag! } });
		expect(replaced.status).toBe(200);
		expect(replaced.headers.get('content-type')).toBe('image/webp');
		expect(replaced.headers.get('etag')).not.toBe(etag);
		expect(await dashboardHtml(owner, teamId)).toContain(`${path(canvasId)}?v=${replaced.headers.get('etag')!.replaceAll('"', '')}`);
	});

	it('refuses viewers (403) and outsiders (404), and changes nothing', async () => {
		const before = await fetch(`${server.url}${path(canvasId)}`, { headers: { authorization: `Bearer ${owner.token}` } });
		expect(await errorOf(await put(canvasId, png(10, 10), { token: viewer.token }))).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
		expect(await errorOf(await put(canvasId, png(10, 10), { token: outsider.token }))).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
		expect(await errorOf(await put(canvasId, png(10, 10)))).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
		expect((await api(server.url, path(canvasId), { token: outsider.token })).status).toBe(404);
		expect((await api(server.url, path(canvasId), { method: 'DELETE', token: viewer.token })).status).toBe(403);
		const after = await fetch(`${server.url}${path(canvasId)}`, { headers: { authorization: `Bearer ${owner.token}` } });
		expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
	});

	it('takes uploads from an edit link, not from a view link, and serves both', async () => {
		const link = async (access: 'view' | 'edit') =>
			(await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token, body: { access, audience: 'anyone' } })).body.token as string;
		const [viewLink, editLink] = [await link('view'), await link('edit')];
		expect((await put(canvasId, png(30, 20), { headers: { [SHARE_TOKEN_HEADER]: editLink } })).status).toBe(204);
		expect(await errorOf(await put(canvasId, png(30, 20), { headers: { [SHARE_TOKEN_HEADER]: viewLink } }))).toMatchObject({
			status: 403,
			body: { error: { code: 'FORBIDDEN' } }
		});
		const served = await fetch(`${server.url}${path(canvasId)}`, { headers: { [SHARE_TOKEN_HEADER]: viewLink } });
		expect(served.status).toBe(200);
		expect(new Uint8Array(await served.arrayBuffer())).toEqual(png(30, 20));
	});

	it('refuses what is not a small WebP or PNG: 415, 413 and 400 naming the problem, keeping the thumbnail it had', async () => {
		const before = await fetch(`${server.url}${path(canvasId)}`, { headers: { authorization: `Bearer ${owner.token}` } });
		const html = new TextEncoder().encode('<!doctype html><script>alert(1)</script>');
		expect(await errorOf(await put(canvasId, html, { token: owner.token }))).toMatchObject({
			status: 415,
			body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringMatching(/WebP or PNG/) } }
		});
		expect(await errorOf(await put(canvasId, png(10, 10), { token: owner.token, type: 'text/html' }))).toMatchObject({
			status: 415,
			body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE' } }
		});
		const huge = new Uint8Array(2_000_000);
		huge.set(png(10, 10));
		expect(await errorOf(await put(canvasId, huge, { token: owner.token }))).toMatchObject({
			status: 413,
			body: { error: { code: 'PAYLOAD_TOO_LARGE', message: expect.stringMatching(/300 KB/) } }
		});
		expect(await errorOf(await put(canvasId, png(4000, 10), { token: owner.token }))).toMatchObject({
			status: 400,
			body: { error: { code: 'INVALID_INPUT', message: expect.stringMatching(/1024×1024 pixels; this one is 4000×10/) } }
		});
		const truncated = png(10, 10).slice(0, 20);
		expect((await put(canvasId, truncated, { token: owner.token })).status).toBe(400);
		const after = await fetch(`${server.url}${path(canvasId)}`, { headers: { authorization: `Bearer ${owner.token}` } });
		expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
		expect(new Uint8Array(await after.arrayBuffer())).toEqual(new Uint8Array(await before.arrayBuffer()));
	});

	it('an emptied canvas can drop its thumbnail: the placeholder shows again', async () => {
		const emptied = await createCanvas(server.url, owner, 'Emptied');
		expect((await put(emptied, png(20, 20), { token: owner.token })).status).toBe(204);
		expect(existsSync(storedFile(emptied))).toBe(true);
		expect((await api(server.url, path(emptied), { method: 'DELETE', token: owner.token })).status).toBe(204);
		expect((await api(server.url, path(emptied), { token: owner.token })).status).toBe(404);
		expect(existsSync(storedFile(emptied))).toBe(false);
		expect(await dashboardHtml(owner, owner.personalTeamId)).not.toContain(`${path(emptied)}?v=`);
	});

	it('the trash keeps the stored picture (a restore shows it again); deleting the canvas for good removes it', async () => {
		const doomed = await createCanvas(server.url, owner, 'Doomed');
		expect((await put(doomed, png(20, 20), { token: owner.token })).status).toBe(204);
		expect(existsSync(storedFile(doomed))).toBe(true);
		expect((await api(server.url, `/api/v1/canvases/${doomed}`, { method: 'DELETE', token: owner.token })).status).toBe(200);
		expect(existsSync(storedFile(doomed))).toBe(true);
		expect((await api(server.url, path(doomed), { token: owner.token })).status).toBe(404);
		expect((await api(server.url, `/api/v1/canvases/${doomed}?permanent=true`, { method: 'DELETE', token: owner.token })).status).toBe(204);
		expect(existsSync(storedFile(doomed))).toBe(false);
	});
});
