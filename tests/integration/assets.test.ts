// Images through the real server, on both databases and on an S3 bucket (a local S3-protocol
// server that checks every signature): POST /api/v1/canvases/:id/assets and GET /api/v1/assets/:id
// for members, outsiders, share links and published copies; ETag and caching; types by content and
// SVG sanitised on the way in; the plan's per-file limit (also without Content-Length) and the team's
// storage quota.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookieName } from '../../src/lib/server/auth/sessions.ts';
import type { Database } from '../../src/lib/server/db/index.ts';
import { assetBlobs, assets, documentVersions, publicationAssets, publications } from '../../src/lib/server/db/schema.ts';
import { documentName } from '../../src/lib/document-names.ts';
import { api, signUp, type TestUser } from '../helpers/clients.ts';
import { png, text } from '../helpers/images.ts';
import { startS3TestServer, type S3TestServer } from '../helpers/s3-test-server.ts';
import { changeServerDatabase, describeEachServerDatabase, type ServerDatabase } from '../helpers/server-databases.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

interface Part {
	bytes: Uint8Array<ArrayBuffer>;
	fileName?: string;
	/** The type the client claims for the part (never believed). */
	type?: string;
}

function form(parts: Record<string, Part | string>): FormData {
	const data = new FormData();
	for (const [name, part] of Object.entries(parts)) {
		if (typeof part === 'string') data.append(name, part);
		else data.append(name, new Blob([part.bytes], { type: part.type ?? 'application/octet-stream' }), part.fileName ?? 'upload.bin');
	}
	return data;
}

type Credentials = { token?: string; cookie?: string; shareToken?: string; headers?: Record<string, string> };

function authHeaders(server: RunningServer, credentials: Credentials): Record<string, string> {
	return {
		...(credentials.token ? { authorization: `Bearer ${credentials.token}` } : {}),
		...(credentials.cookie ? { cookie: `${sessionCookieName(false)}=${credentials.cookie}`, origin: server.url } : {}),
		...(credentials.shareToken ? { 'easel-share-token': credentials.shareToken } : {}),
		...credentials.headers
	};
}

async function asJson(response: Response) {
	const body = await response.text();
	try {
		return { status: response.status, headers: response.headers, body: JSON.parse(body) };
	} catch {
		return { status: response.status, headers: response.headers, body };
	}
}

function assetSuite(storage: 'files' | 's3') {
	return (database: () => ServerDatabase) => {
		let s3: S3TestServer | undefined;
		let server: RunningServer;
		let owner: TestUser;
		let editor: TestUser;
		let viewer: TestUser;
		let outsider: TestUser;
		let teamId: string;
		let canvasId: string;
		let fullCanvasId: string;
		let links: { view: string; edit: string; teamOnly: string; revoked: string };
		/** An asset on the canvas that no publication lists, and one a visible and one a hidden publication list. */
		const shown: Record<'unlisted' | 'published' | 'hidden', string> = { unlisted: '', published: '', hidden: '' };
		const picture = png(12, 8, { rgba: [10, 120, 200, 255] });

		const upload = (canvas: string, parts: Record<string, Part | string>, credentials: Credentials) =>
			fetch(`${server.url}/api/v1/canvases/${canvas}/assets`, { method: 'POST', headers: authHeaders(server, credentials), body: form(parts) }).then(asJson);
		const get = (assetId: string, credentials: Credentials = {}, query = '') =>
			fetch(`${server.url}/api/v1/assets/${assetId}${query}`, { headers: authHeaders(server, credentials) });

		/** Runs `change` on the server's database (on PGlite the server restarts for it). */
		async function onDatabase(change: (db: Database) => Promise<void>): Promise<void> {
			server = await changeServerDatabase(database(), server, change);
		}

		beforeAll(async () => {
			if (storage === 's3') s3 = await startS3TestServer({ buckets: ['easel-assets'] });
			server = await startServer({ env: { ...database().env, ...(s3 ? s3.env('easel-assets') : {}) } });
			[owner, editor, viewer, outsider] = await Promise.all(['Owner', 'Editor', 'Viewer', 'Outsider'].map((name) => signUp(server.url, name)));
			teamId = (await api(server.url, '/api/v1/teams', { token: owner.token, body: { name: 'Studio' } })).body.id;
			for (const [member, role] of [
				[editor, 'editor'],
				[viewer, 'viewer']
			] as const) {
				const invitation = await api(server.url, `/api/v1/teams/${teamId}/invitations`, { token: owner.token, body: { role } });
				expect((await api(server.url, `/api/v1/invitations/${invitation.body.token}/accept`, { method: 'POST', token: member.token })).status).toBe(200);
			}
			canvasId = (await api(server.url, '/api/v1/canvases', { token: owner.token, body: { title: 'Moodboard', teamId } })).body.id;
			const otherCanvas = (await api(server.url, '/api/v1/canvases', { token: owner.token, body: { title: 'Hidden one', teamId } })).body.id;
			fullCanvasId = (await api(server.url, '/api/v1/canvases', { token: outsider.token, body: { title: 'Full' } })).body.id;
			const link = async (access: string, audience: string) =>
				(await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token, body: { access, audience } })).body;
			const revoked = await link('edit', 'anyone');
			await api(server.url, `/api/v1/share-links/${revoked.id}`, { method: 'DELETE', token: owner.token });
			links = {
				view: (await link('view', 'anyone')).token,
				edit: (await link('edit', 'anyone')).token,
				teamOnly: (await link('view', 'team')).token,
				revoked: revoked.token
			};

			for (const [name, canvas, bytes] of [
				['unlisted', canvasId, png(5, 5, { rgba: [1, 1, 1, 255] })],
				['published', canvasId, png(5, 6, { rgba: [1, 1, 1, 255] })],
				['hidden', otherCanvas, png(5, 7, { rgba: [1, 1, 1, 255] })]
			] as const) {
				const uploaded = await upload(canvas, { file: { bytes, fileName: `${name}.png`, type: 'image/png' } }, { token: owner.token });
				expect(uploaded.status).toBe(201);
				shown[name] = uploaded.body.asset.id;
			}
			// What publishing will write: a frozen version, the publication, the assets it shows. The
			// outsider's personal team is filled to 500 bytes short of Free's 1 GB.
			await onDatabase(async (db) => {
				for (const [canvas, assetId, moderation] of [
					[canvasId, shown.published, 'visible'],
					[otherCanvas, shown.hidden, 'hidden']
				] as const) {
					const [version] = await db
						.insert(documentVersions)
						.values({ document: documentName('canvas', canvas), state: new Uint8Array([0]), bytes: 1, kind: 'publish' })
						.returning({ id: documentVersions.id });
					const [publication] = await db
						.insert(publications)
						.values({ canvasId: canvas, slug: `slug-${canvas}`, versionId: version.id, title: 'Published', authorName: 'Owner', moderation })
						.returning({ id: publications.id });
					await db.insert(publicationAssets).values({ publicationId: publication.id, assetId });
				}
				const sha256 = 'f'.repeat(64);
				await db.insert(assetBlobs).values({ sha256, storageKey: `blobs/${sha256}`, mimeType: 'image/png', bytes: 999_999_500 });
				await db.insert(assets).values({ canvasId: fullCanvasId, sha256, mimeType: 'image/png', bytes: 999_999_500 });
			});
		});
		afterAll(async () => {
			await server?.dispose();
			await s3?.close();
		});

		describe('uploading', () => {
			it('stores an editor’s image and answers 201 with the asset', async () => {
				const response = await upload(canvasId, { file: { bytes: picture, fileName: 'board.png', type: 'image/png' } }, { token: editor.token });
				expect(response.status).toBe(201);
				expect(response.body).toEqual({
					asset: { id: expect.any(String), src: `/api/v1/assets/${response.body.asset.id}`, mimeType: 'image/png', bytes: picture.byteLength, width: 12, height: 8 }
				});
				const served = await get(response.body.asset.id, { token: editor.token });
				expect(served.status).toBe(200);
				expect(new Uint8Array(await served.arrayBuffer())).toEqual(picture);
			});

			it(storage === 's3' ? 'puts the bytes in the bucket, not on disk' : 'puts the bytes under DATA_DIR/assets', async () => {
				const response = await upload(canvasId, { file: { bytes: png(3, 9), type: 'image/png' } }, { token: owner.token });
				const sha256 = (await get(response.body.asset.id, { token: owner.token })).headers.get('etag')!.replaceAll('"', '');
				const onDisk = join(server.dataDir, 'assets', 'blobs', sha256);
				if (storage === 's3') {
					expect(new Uint8Array(s3!.objects.get('easel-assets')!.get(`blobs/${sha256}`)!.body)).toEqual(png(3, 9));
					expect(existsSync(join(server.dataDir, 'assets')) ? readdirSync(join(server.dataDir, 'assets'), { recursive: true }) : []).toEqual([]);
				} else {
					expect(existsSync(onDisk)).toBe(true);
				}
			});

			it('lets a program upload with a bearer token and no Origin, and a browser with its cookie from our origin', async () => {
				expect((await upload(canvasId, { file: { bytes: png(2, 2) } }, { token: owner.token })).status).toBe(201);
				expect((await upload(canvasId, { file: { bytes: png(2, 3) } }, { cookie: editor.token })).status).toBe(201);
			});

			it('lets a guest with an edit link upload (Easel-Share-Token), without an account', async () => {
				expect((await upload(canvasId, { file: { bytes: png(4, 2) } }, { shareToken: links.edit })).status).toBe(201);
			});

			it.each([
				['a viewer', () => ({ token: viewer.token }), 403, 'FORBIDDEN'],
				['a view link', () => ({ shareToken: links.view }), 403, 'FORBIDDEN'],
				['an outsider', () => ({ token: outsider.token }), 404, 'NOT_FOUND'],
				['a revoked link', () => ({ shareToken: links.revoked }), 410, 'GONE'],
				['nobody', () => ({}), 401, 'UNAUTHENTICATED'],
				['a bad bearer token', () => ({ token: 'easel_not-a-token' }), 401, 'UNAUTHENTICATED']
			] as const)('refuses an upload by %s', async (_name, credentials, status, code) => {
				const response = await upload(canvasId, { file: { bytes: png(6, 1) } }, credentials());
				expect(response.status).toBe(status);
				expect(response.body.error.code).toBe(code);
			});

			it('answers 404 for a canvas that is not there (or no id)', async () => {
				expect((await upload(crypto.randomUUID(), { file: { bytes: png(1, 1) } }, { token: owner.token })).status).toBe(404);
				expect((await upload('not-a-uuid', { file: { bytes: png(1, 1) } }, { token: owner.token })).status).toBe(404);
			});

			it('types the file by its content: a PNG sent as text/plain named notes.txt is stored and served as image/png', async () => {
				const response = await upload(canvasId, { file: { bytes: picture, fileName: 'notes.txt', type: 'text/plain' } }, { token: owner.token });
				expect(response.body.asset.mimeType).toBe('image/png');
				const served = await get(response.body.asset.id, { token: owner.token });
				expect(served.headers.get('content-type')).toBe('image/png');
				expect(served.headers.get('content-disposition')).toBe(`inline; filename="notes.png"; filename*=UTF-8''notes.png`);
			});

			it('refuses HTML named cat.png and sent as image/png with 415, naming the accepted types', async () => {
				const response = await upload(
					canvasId,
					{ file: { bytes: text('<!doctype html><script>alert(1)</script>'), fileName: 'cat.png', type: 'image/png' } },
					{ token: owner.token }
				);
				expect(response.status).toBe(415);
				expect(response.body.error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringMatching(/PNG, JPEG, GIF, WebP or SVG/) });
			});

			it('stores an SVG sanitised: the served bytes carry no script, and a strict CSP', async () => {
				const hostile = text(
					'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)"><script>alert(2)</script><foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject><circle r="4"/></svg>'
				);
				const response = await upload(canvasId, { file: { bytes: hostile, fileName: 'logo.svg', type: 'image/svg+xml' } }, { token: owner.token });
				expect(response.status).toBe(201);
				expect(response.body.asset).toMatchObject({ mimeType: 'image/svg+xml', width: 10, height: 10 });
				const served = await get(response.body.asset.id, { token: owner.token });
				expect(served.headers.get('content-type')).toBe('image/svg+xml');
				expect(served.headers.get('content-security-policy')).toBe("default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox");
				const body = await served.text();
				expect(body).toContain('<circle');
				expect(body).not.toMatch(/script|onload|alert|foreignObject/i);
			});

			it('takes a 2 MB image (beyond adapter-node’s default body limit)', async () => {
				const large = png(32, 32, { padding: 2_000_000 });
				const response = await upload(canvasId, { file: { bytes: large, fileName: 'large.png' } }, { token: owner.token });
				expect(response.status).toBe(201);
				expect(response.body.asset.bytes).toBe(large.byteLength);
			});

			it('refuses a file over the Free plan’s 10 MB with 413 naming the limit and the upgrade, stated or not in Content-Length', async () => {
				const tooLarge = png(8, 8, { padding: 10_100_000 });
				const expected = { code: 'PAYLOAD_TOO_LARGE', message: 'Files on the Free plan are at most 10 MB; Pro allows 100 MB.' };
				const declared = await upload(fullCanvasId, { file: { bytes: tooLarge } }, { token: outsider.token });
				expect(declared.status).toBe(413);
				expect(declared.body.error).toMatchObject(expected);

				// The same body streamed without a Content-Length: cut off as soon as it passes the limit.
				const multipart = new Response(form({ file: { bytes: tooLarge } }));
				const bytes = new Uint8Array(await multipart.arrayBuffer());
				const stream = new ReadableStream({
					start(controller) {
						for (let offset = 0; offset < bytes.length; offset += 256 * 1024) controller.enqueue(bytes.subarray(offset, offset + 256 * 1024));
						controller.close();
					}
				});
				const chunked = await fetch(`${server.url}/api/v1/canvases/${fullCanvasId}/assets`, {
					method: 'POST',
					headers: { authorization: `Bearer ${outsider.token}`, 'content-type': multipart.headers.get('content-type')! },
					body: stream,
					duplex: 'half'
				} as RequestInit).then(asJson);
				expect(chunked.status).toBe(413);
				expect(chunked.body.error).toMatchObject(expected);
			});

			it('refuses an upload past the team’s storage quota with 402 naming used and allowed', async () => {
				const response = await upload(fullCanvasId, { file: { bytes: png(20, 20, { padding: 1000 }) } }, { token: outsider.token });
				expect(response.status).toBe(402);
				expect(response.body.error).toMatchObject({
					code: 'LIMIT_EXCEEDED',
					message: expect.stringMatching(/^This team's images take 999\.9 MB of the Free plan's 1 GB, and this file needs 1\.\d+ KB\. Upgrade to Pro for 10 GB/),
					details: { limit: 'storage', allowed: 1_000_000_000, used: 999_999_500, plan: 'free' }
				});
				// A small one still fits.
				expect((await upload(fullCanvasId, { file: { bytes: png(1, 1) } }, { token: outsider.token })).status).toBe(201);
			});

			it.each([
				['a JSON body', () => ({ body: JSON.stringify({ file: 'x' }), headers: { 'content-type': 'application/json' } })],
				['a form without a file field', () => ({ body: form({ picture: { bytes: png(1, 1) } }) })],
				['a text field named file', () => ({ body: form({ file: 'not a file' }) })],
				[
					'two files',
					() => ({
						body: (() => {
							const data = form({ file: { bytes: png(1, 1) } });
							data.append('file', new Blob([png(2, 2)]), 'second.png');
							return data;
						})()
					})
				],
				[
					'a cut-off multipart body',
					() => ({
						body: '--x\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\nabc',
						headers: { 'content-type': 'multipart/form-data; boundary=x' }
					})
				]
			] as const)('answers 400 to %s', async (_name, request) => {
				const { body, headers } = request() as { body: BodyInit; headers?: Record<string, string> };
				const response = await fetch(`${server.url}/api/v1/canvases/${canvasId}/assets`, {
					method: 'POST',
					headers: { authorization: `Bearer ${owner.token}`, ...headers },
					body
				}).then(asJson);
				expect(response.status).toBe(400);
				expect(response.body.error.code).toBe('INVALID_INPUT');
			});

			it('answers 400 to an empty file', async () => {
				const response = await upload(canvasId, { file: { bytes: new Uint8Array(0) } }, { token: owner.token });
				expect(response).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT', message: 'The file is empty.' } } });
			});
		});

		describe('serving', () => {
			it('sends the content’s ETag, immutable private caching, nosniff and an inline disposition to a member', async () => {
				const served = await get(shown.unlisted, { token: viewer.token });
				expect(served.status).toBe(200);
				expect(served.headers.get('etag')).toMatch(/^"[0-9a-f]{64}"$/);
				expect(served.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
				expect(served.headers.get('x-content-type-options')).toBe('nosniff');
				expect(served.headers.get('content-type')).toBe('image/png');
				expect(served.headers.get('content-disposition')).toBe(`inline; filename="unlisted.png"; filename*=UTF-8''unlisted.png`);
				expect(new Uint8Array(await served.arrayBuffer())).toEqual(png(5, 5, { rgba: [1, 1, 1, 255] }));
			});

			it('answers 304 to If-None-Match with the ETag, and 200 to another', async () => {
				const etag = (await get(shown.unlisted, { token: owner.token })).headers.get('etag')!;
				const unchanged = await get(shown.unlisted, { token: owner.token, headers: { 'if-none-match': etag } });
				expect(unchanged.status).toBe(304);
				expect(await unchanged.text()).toBe('');
				expect(unchanged.headers.get('etag')).toBe(etag);
				expect((await get(shown.unlisted, { token: owner.token, headers: { 'if-none-match': '"something-else"' } })).status).toBe(200);
				// Not a way around authorisation: a stranger with the right ETag still gets 404.
				expect((await get(shown.unlisted, { token: outsider.token, headers: { 'if-none-match': etag } })).status).toBe(404);
			});

			it.each([
				['the owner (cookie)', () => ({ cookie: owner.token })],
				['an editor', () => ({ token: editor.token })],
				['a viewer', () => ({ token: viewer.token })],
				['a view link in Easel-Share-Token', () => ({ shareToken: links.view })],
				['an edit link in Easel-Share-Token', () => ({ shareToken: links.edit })]
			] as const)('serves an asset of the canvas to %s', async (_name, credentials) => {
				expect((await get(shown.unlisted, credentials())).status).toBe(200);
			});

			it('serves it to a view link in ?share= (as an <img> asks)', async () => {
				expect((await get(shown.unlisted, {}, `?share=${links.view}`)).status).toBe(200);
			});

			it.each([
				['an outsider', () => ({ token: outsider.token }), '', 404],
				['nobody', () => ({}), '', 404],
				['a team-only link without a team session', () => ({}), `?share=<teamOnly>`, 401],
				['a revoked link', () => ({ shareToken: links.revoked }), '', 410],
				['a revoked link in ?share=', () => ({}), `?share=<revoked>`, 410]
			] as const)('refuses %s', async (_name, credentials, query, status) => {
				const response = await get(shown.unlisted, credentials(), query.replace('<teamOnly>', links.teamOnly).replace('<revoked>', links.revoked));
				expect(response.status).toBe(status);
				expect((await response.json()).error.code).toBeTruthy();
			});

			it('serves anyone an asset a visible publication lists, publicly cached for a minute', async () => {
				const served = await get(shown.published);
				expect(served.status).toBe(200);
				expect(served.headers.get('cache-control')).toBe('public, max-age=60');
				expect(new Uint8Array(await served.arrayBuffer())).toEqual(png(5, 6, { rgba: [1, 1, 1, 255] }));
				expect((await get(shown.published, { token: outsider.token })).status).toBe(200);
				// Members still get the private, long-lived answer.
				expect((await get(shown.published, { token: viewer.token })).headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
			});

			it('refuses the public an asset of a hidden publication, and one the publication does not list', async () => {
				expect((await get(shown.hidden)).status).toBe(404);
				expect((await get(shown.unlisted)).status).toBe(404);
				expect((await get(shown.hidden, { token: owner.token })).status).toBe(200);
			});

			it('answers 404 to ids that are not assets', async () => {
				for (const id of [crypto.randomUUID(), 'not-a-uuid', '%00']) {
					const response = await asJson(await get(id, { token: owner.token }));
					expect(response).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND', message: 'Asset was not found.' } } });
				}
			});
		});

		it('still serves the images after a restart', async () => {
			await server.stop();
			server = await server.restart();
			const served = await get(shown.unlisted, { token: owner.token });
			expect(served.status).toBe(200);
			expect(new Uint8Array(await served.arrayBuffer())).toEqual(png(5, 5, { rgba: [1, 1, 1, 255] }));
			expect((await get(shown.published)).status).toBe(200);
		});
	};
}

describeEachServerDatabase('assets over HTTP, stored as files', assetSuite('files'));
describeEachServerDatabase('assets over HTTP, stored in an S3 bucket', assetSuite('s3'), { drivers: ['postgres'] });

describe('several instances', () => {
	it('warns at start when REDIS_URL is set without an S3 bucket, and not when the bucket is there', async () => {
		const redis = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: `assets-${process.pid}` };
		const local = await startServer({ env: redis });
		try {
			expect(local.output()).toContain('several instances need S3_BUCKET');
		} finally {
			await local.dispose();
		}
		const s3 = await startS3TestServer();
		const shared = await startServer({ env: { ...redis, ...s3.env() } });
		try {
			expect(shared.output()).not.toContain('several instances need S3_BUCKET');
		} finally {
			await shared.dispose();
			await s3.close();
		}
	});
});
