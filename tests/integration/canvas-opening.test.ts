// Opening a canvas through the real server: the stored state over HTTP (GET /api/v1/canvases/:id/state),
// then a socket that only syncs the difference; the download admits exactly whom the socket admits.
import { get, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DOCUMENT_STATE_TYPE, SHARE_TOKEN_HEADER, decodeUpdateFrames } from '../../src/lib/document-state.ts';
import { api, connectCanvas, countingWebSocket, createCanvas, signUp, waitFor, type CanvasClient, type TestUser } from '../helpers/clients.ts';
import { geoShape, richText, seedCanvas, SEEDED_RECORD_COUNT, testShape } from '../helpers/tldraw-records.ts';
import { readMetric, startServer, type RunningServer } from '../helpers/server.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';

const SHAPES = 300;

interface Download {
	status: number;
	headers: Headers;
	updates: Uint8Array[];
	/** The JSON error body, when the answer is one. */
	error?: { code: string; message: string };
}

async function download(server: RunningServer, canvasId: string, credentials: { token?: string; shareToken?: string } = {}): Promise<Download> {
	const response = await fetch(`${server.url}/api/v1/canvases/${canvasId}/state`, {
		headers: {
			...(credentials.token ? { authorization: `Bearer ${credentials.token}` } : {}),
			...(credentials.shareToken ? { [SHARE_TOKEN_HEADER]: credentials.shareToken } : {})
		}
	});
	if (!response.ok) return { status: response.status, headers: response.headers, updates: [], error: (await response.json()).error };
	return { status: response.status, headers: response.headers, updates: decodeUpdateFrames(new Uint8Array(await response.arrayBuffer())) };
}

/** A GET whose body arrives as sent (fetch would undo the compression). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
	return new Promise((resolve, reject) => {
		get(url, { headers }, (response) => {
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
		}).on('error', reject);
	});
}

function docFrom(updates: Uint8Array[]): Y.Doc {
	const doc = new Y.Doc();
	for (const update of updates) Y.applyUpdate(doc, update);
	return doc;
}

describeEachServerDatabase('opening a canvas', (database) => {
	let server: RunningServer;
	let owner: TestUser;
	const clients: CanvasClient[] = [];

	function connect(canvasId: string, token: string, doc?: Y.Doc, WebSocketPolyfill?: typeof WebSocket) {
		const client = connectCanvas(server.wsUrl, `canvas:${canvasId}`, token, doc, { WebSocketPolyfill });
		clients.push(client);
		return client;
	}

	/** A canvas with a page and SHAPES labelled rectangles, acknowledged by the server. */
	async function drawnCanvas(title: string): Promise<{ canvasId: string; writer: CanvasClient }> {
		const canvasId = await createCanvas(server.url, owner, title);
		const writer = connect(canvasId, owner.token);
		await writer.synced;
		seedCanvas(writer.records);
		writer.doc.transact(() => {
			for (let i = 0; i < SHAPES; i++) writer.records.set(`shape:${i}`, geoShape(`shape:${i}`, { x: i * 10 }, { richText: richText(`Box number ${i}`) }));
		});
		await waitFor(() => !writer.provider.hasUnsyncedChanges, 10_000, 'the server to acknowledge the drawing');
		// The download serves what is stored; an acknowledged edit may still sit in the batch window.
		await waitFor(async () => (await readMetric(server, 'easel_documents_unsaved')) === 0, 10_000, 'the server to store the drawing');
		return { canvasId, writer };
	}

	beforeAll(async () => {
		server = await startServer({ env: { ...database().env, PERSIST_BATCH_MS: '20' } });
		owner = await signUp(server.url, 'Owner');
	});

	afterAll(async () => {
		for (const client of clients) client.destroy();
		await server?.dispose();
	});

	it('a member downloads the stored canvas, and the socket that follows brings only what changed since', async () => {
		const { canvasId, writer } = await drawnCanvas('Big');
		writer.destroy();
		// Everyone left: the canvas is compacted into one snapshot and unloaded.
		await waitFor(async () => (await readMetric(server, 'easel_documents_loaded')) === 0, 15_000, 'the canvas to be unloaded');

		const state = await download(server, canvasId, { token: owner.token });
		expect(state.status).toBe(200);
		expect(state.headers.get('content-type')).toBe(DOCUMENT_STATE_TYPE);
		expect(state.headers.get('cache-control')).toBe('private, no-store');
		expect(state.updates).toHaveLength(1);
		const doc = docFrom(state.updates);
		expect(doc.getMap('records').size).toBe(SHAPES + SEEDED_RECORD_COUNT);
		const stateBytes = state.updates[0].byteLength;

		// The download also started loading the canvas, so the socket finds it ready.
		await waitFor(async () => (await readMetric(server, 'easel_documents_loaded')) === 1, 10_000, 'the server to load the canvas');
		const editor = connect(canvasId, owner.token);
		await editor.synced;
		editor.records.set('shape:late', testShape('shape:late', { after: 'download' }));
		await waitFor(() => !editor.provider.hasUnsyncedChanges, 5_000, 'the late edit to be acknowledged');

		const received = { bytes: 0 };
		const reader = connect(canvasId, owner.token, doc, countingWebSocket(received));
		await reader.synced;
		await waitFor(() => reader.records.has('shape:late'), 5_000, 'the edit made after the download');
		expect(reader.records.size).toBe(SHAPES + SEEDED_RECORD_COUNT + 1);
		expect(received.bytes).toBeLessThan(stateBytes / 10);
	});

	it('a canvas being edited downloads with its latest stored edits, which follow the snapshot', async () => {
		const { canvasId, writer } = await drawnCanvas('Busy');
		writer.records.set('shape:0', geoShape('shape:0', { x: -500 }));
		writer.records.delete('shape:1');
		await waitFor(
			async () => {
				const records = docFrom((await download(server, canvasId, { token: owner.token })).updates).getMap<{ x: number }>('records');
				return records.get('shape:0')?.x === -500 && !records.has('shape:1');
			},
			10_000,
			'the edits to be stored'
		);
		const state = await download(server, canvasId, { token: owner.token });
		expect(state.updates.length).toBeGreaterThan(1);
		expect(docFrom(state.updates).getMap('records').toJSON()).toEqual(writer.records.toJSON());
	});

	it('compresses a drawn canvas for clients that take gzip, and sends it as it is to others', async () => {
		const { canvasId, writer } = await drawnCanvas('Compressible');
		const raw = async (acceptEncoding: string) => {
			const response = await rawGet(`${server.url}/api/v1/canvases/${canvasId}/state`, { authorization: `Bearer ${owner.token}`, 'accept-encoding': acceptEncoding });
			const body = response.headers['content-encoding'] === 'gzip' ? gunzipSync(response.body) : response.body;
			return {
				...response,
				records: docFrom(decodeUpdateFrames(new Uint8Array(body)))
					.getMap('records')
					.toJSON()
			};
		};
		const zipped = await raw('br, gzip, deflate');
		const plain = await raw('identity');
		const refused = await raw('gzip;q=0');
		expect(zipped.headers['content-encoding']).toBe('gzip');
		expect(zipped.body.byteLength).toBeLessThan(plain.body.byteLength / 3);
		expect(plain.headers['content-encoding']).toBeUndefined();
		expect(Number(plain.headers['content-length'])).toBe(plain.body.byteLength);
		// The size before compression, for the browser's progress bar.
		expect(Number(zipped.headers['easel-state-bytes'])).toBe(plain.body.byteLength);
		expect(refused.headers['content-encoding']).toBeUndefined();
		for (const response of [zipped, plain, refused]) expect(response.records).toEqual(writer.records.toJSON());
	});

	it('a canvas nobody has drawn on downloads empty', async () => {
		const canvasId = await createCanvas(server.url, owner, 'Blank');
		const state = await download(server, canvasId, { token: owner.token });
		expect(state.status).toBe(200);
		expect(state.headers.get('content-length')).toBe('0');
		expect(state.updates).toEqual([]);
	});

	it('answers whoever its socket would admit, and nobody else', async () => {
		const { canvasId } = await drawnCanvas('Guarded');
		const otherId = await createCanvas(server.url, owner, 'Other');
		const stranger = await signUp(server.url, 'Stranger');
		const link = async (access: string, audience: string, id = canvasId) =>
			(await api(server.url, `/api/v1/canvases/${id}/share-links`, { token: owner.token, body: { access, audience } })).body as { id: string; token: string };

		const anonymous = await download(server, canvasId);
		expect([anonymous.status, anonymous.error?.code]).toEqual([401, 'UNAUTHENTICATED']);
		expect((await download(server, canvasId, { token: stranger.token })).status).toBe(404);
		expect((await download(server, 'not-a-canvas', { token: owner.token })).status).toBe(404);
		expect((await download(server, canvasId, { token: 'not-a-session' })).status).toBe(401);

		const view = await link('view', 'anyone');
		const guest = await download(server, canvasId, { shareToken: view.token });
		expect(guest.status).toBe(200);
		expect(docFrom(guest.updates).getMap('records').size).toBe(SHAPES + SEEDED_RECORD_COUNT);
		expect((await download(server, otherId, { shareToken: view.token })).status).toBe(404);
		expect((await download(server, canvasId, { shareToken: 'made-up' })).status).toBe(404);

		const teamOnly = await link('edit', 'team');
		expect((await download(server, canvasId, { shareToken: teamOnly.token })).error?.code).toBe('UNAUTHENTICATED');
		expect((await download(server, canvasId, { token: stranger.token, shareToken: teamOnly.token })).status).toBe(404);

		expect((await api(server.url, `/api/v1/share-links/${view.id}`, { method: 'DELETE', token: owner.token })).status).toBe(204);
		const revoked = await download(server, canvasId, { shareToken: view.token });
		expect([revoked.status, revoked.error?.code]).toEqual([410, 'GONE']);
	});
});

describe('opening canvases too often', () => {
	let server: RunningServer;
	beforeAll(async () => {
		server = await startServer({ env: { WS_CONNECTIONS_PER_MINUTE: '3' } });
	});
	afterAll(async () => {
		await server?.dispose();
	});

	it('is refused with 429 and when to try again, per client address', async () => {
		const owner = await signUp(server.url, 'Hasty');
		const canvasId = await createCanvas(server.url, owner, 'Popular');
		for (let i = 0; i < 3; i++) expect((await download(server, canvasId, { token: owner.token })).status).toBe(200);
		const refused = await download(server, canvasId, { token: owner.token });
		expect([refused.status, refused.error?.code]).toEqual([429, 'RATE_LIMITED']);
		expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(refused.error?.message).toMatch(/Try again in \d+ seconds/);
	});
});
