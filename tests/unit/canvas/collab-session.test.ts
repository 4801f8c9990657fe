// Drives createCollabSession against a real Hocuspocus server on a random port.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@hocuspocus/server';
import type { Extension } from '@hocuspocus/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { createCollabSession, refusalOf } from '../../../src/lib/canvas/collab-session.ts';
import { DOCUMENT_STATE_TYPE, STATE_BYTES_HEADER, encodeUpdateFrames } from '../../../src/lib/document-state.ts';
import type { CollabSession, CollabSessionOptions, CollabStatus } from '../../../src/lib/canvas/collab-session.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
	while (cleanups.length) await cleanups.pop()!();
});

async function startServer(extension: Extension = {}, port = 0): Promise<{ server: Server; url: string; port: number }> {
	const server = new Server({ port, quiet: true, stopOnSignals: false, extensions: [extension] });
	await server.listen();
	cleanups.push(() => server.destroy());
	return { server, url: `ws://127.0.0.1:${server.address.port}`, port: server.address.port };
}

function open(url: string, options: Partial<CollabSessionOptions> = {}) {
	const statuses: CollabStatus[] = [];
	const refusals: { reason: string; code?: number }[] = [];
	const session: CollabSession = createCollabSession({
		documentName: 'canvas:c1',
		url,
		persistLocally: false,
		onStatus: (status) => statuses.push(status),
		onRefused: (reason, code) => refusals.push({ reason, code }),
		...options
	});
	cleanups.push(() => session.destroy());
	return { session, statuses, refusals, records: session.doc.getMap<number>('records') };
}

describe('createCollabSession', () => {
	it('connects with the cookie token to canvas:<id> and syncs the doc both ways', async () => {
		const seen: { documentName: string; token: string }[] = [];
		const { url } = await startServer({
			async onAuthenticate({ documentName, token }) {
				seen.push({ documentName, token });
			}
		});
		const one = open(url);
		const two = open(url);
		await vi.waitFor(() => expect([one.session.status, two.session.status]).toEqual(['connected', 'connected']));
		expect(one.statuses).toEqual(['connected']);
		expect(seen[0]).toEqual({ documentName: 'canvas:c1', token: 'cookie' });

		one.records.set('n', 1);
		await vi.waitFor(() => expect(two.records.get('n')).toBe(1));
	});

	it('keeps retrying while the server answers UNAVAILABLE (database down), then syncs', async () => {
		let attempts = 0;
		const { url } = await startServer({
			async onAuthenticate() {
				attempts++;
				if (attempts === 1) throw { reason: 'UNAVAILABLE' };
			}
		});
		const { session, refusals } = open(url);
		await vi.waitFor(() => expect(session.status).toBe('connected'), { timeout: 15_000, interval: 100 });
		expect(attempts).toBeGreaterThanOrEqual(2);
		expect(refusals).toEqual([]);
	}, 20_000);

	it('reports a refused authentication once and stops', async () => {
		const { url } = await startServer({
			async onAuthenticate() {
				throw { reason: 'NOT_FOUND' };
			}
		});
		const { session, refusals } = open(url);
		await vi.waitFor(() => expect(refusals).toEqual([{ reason: 'NOT_FOUND', code: undefined }]));
		expect(session.provider).toBeNull();
	});

	it('reports a document the server closes with an error code, such as too large', async () => {
		const { url } = await startServer({
			async beforeHandleMessage({ update }) {
				// Refuse anything bigger than a handshake, like the size limit does.
				if (update.byteLength > 200) throw { code: 4413, reason: 'PAYLOAD_TOO_LARGE' };
			}
		});
		const { session, refusals, records } = open(url);
		await vi.waitFor(() => expect(session.status).toBe('connected'));
		records.set('big', 'x'.repeat(1000) as unknown as number);
		await vi.waitFor(() => expect(refusals.map((r) => r.reason)).toEqual(['PAYLOAD_TOO_LARGE']));
	});

	it('goes reconnecting, then offline, and merges offline edits once the server is back', { timeout: 30_000 }, async () => {
		const first = await startServer();
		const writer = open(first.url);
		await vi.waitFor(() => expect(writer.session.status).toBe('connected'));

		await first.server.destroy();
		await vi.waitFor(() => expect(writer.session.status).toBe('reconnecting'));
		await vi.waitFor(() => expect(writer.session.status).toBe('offline'), { timeout: 5_000 });
		writer.records.set('offline-edit', 7);

		const second = await startServer({}, first.port);
		const reader = open(second.url);
		await vi.waitFor(() => expect(writer.session.status).toBe('connected'), { timeout: 20_000 });
		await vi.waitFor(() => expect(reader.records.get('offline-edit')).toBe(7), { timeout: 5_000 });
		expect(writer.statuses).toEqual(['connected', 'reconnecting', 'offline', 'connected']);
	});

	it('replaces a provider whose socket stopped trying (hocuspocus#782)', { timeout: 30_000 }, async () => {
		const { url } = await startServer();
		const { session } = open(url);
		await vi.waitFor(() => expect(session.status).toBe('connected'));
		const stuck = session.provider!;
		// disconnect() clears shouldConnect: this socket will never come back by itself.
		stuck.configuration.websocketProvider.disconnect();
		await vi.waitFor(() => expect(session.status).not.toBe('connected'));
		await vi.waitFor(() => expect(session.status).toBe('connected'), { timeout: 15_000 });
		expect(session.provider).not.toBe(stuck);
	});

	it('a canvas and its chat share one socket; a renewed socket reconnects both, and the last to leave closes it', { timeout: 30_000 }, async () => {
		const sockets = new Set<string>();
		const { server, url } = await startServer({
			async onConnect({ socketId }) {
				sockets.add(socketId);
			}
		});
		const canvas = open(url);
		const chat = open(url, { documentName: 'chat:c1' });
		await vi.waitFor(() => expect([canvas.session.status, chat.session.status]).toEqual(['connected', 'connected']));
		expect(sockets.size).toBe(1);
		expect(canvas.session.provider!.configuration.websocketProvider).toBe(chat.session.provider!.configuration.websocketProvider);

		// The socket gets stuck (hocuspocus#782): the watchdog renews it, and both documents come back on the new one.
		const stuck = canvas.session.provider!;
		stuck.configuration.websocketProvider.disconnect();
		await vi.waitFor(() => expect(chat.session.status).not.toBe('connected'));
		await vi.waitFor(() => expect([canvas.session.status, chat.session.status]).toEqual(['connected', 'connected']), { timeout: 15_000 });
		expect(canvas.session.provider).not.toBe(stuck);
		expect(sockets.size).toBe(2);
		expect(canvas.session.provider!.configuration.websocketProvider).toBe(chat.session.provider!.configuration.websocketProvider);

		canvas.session.destroy();
		chat.records.set('still', 1);
		await vi.waitFor(() => expect(server.hocuspocus.documents.get('chat:c1')?.getMap('records').get('still')).toBe(1));
		chat.session.destroy();
		await vi.waitFor(() => expect(server.hocuspocus.getConnectionsCount()).toBe(0));
	});

	it('each access change reopens the document on the same socket with the new scope, however often', { timeout: 30_000 }, async () => {
		let readOnly = false;
		const { server, url } = await startServer({
			async onAuthenticate({ connectionConfig }) {
				connectionConfig.readOnly = readOnly;
			}
		});
		const scopes: string[] = [];
		const { session } = open(url, { onAuthenticated: (scope) => scopes.push(scope) });
		await vi.waitFor(() => expect(session.status).toBe('connected'));
		const socket = session.provider!.configuration.websocketProvider;
		for (const next of [true, false, true, false]) {
			readOnly = next;
			for (const connection of server.hocuspocus.documents.get('canvas:c1')!.connections.keys()) {
				(connection as unknown as { close(event: { code: number; reason: string }): void }).close({ code: 4012, reason: 'ACCESS_CHANGED' });
			}
			await vi.waitFor(() => expect(scopes.at(-1)).toBe(next ? 'readonly' : 'read-write'), { timeout: 5_000 });
			await vi.waitFor(() => expect(session.status).toBe('connected'));
		}
		expect(scopes).toEqual(['read-write', 'readonly', 'read-write', 'readonly', 'read-write']);
		expect(session.provider!.configuration.websocketProvider).toBe(socket);
	});

	it('announces each new awareness so presence can rebind', async () => {
		const { url } = await startServer();
		const awarenesses: unknown[] = [];
		const { session } = open(url, { onAwareness: (awareness) => awarenesses.push(awareness) });
		await vi.waitFor(() => expect(session.status).toBe('connected'));
		session.reconnect();
		expect(awarenesses).toHaveLength(2);
		expect(awarenesses[1]).toBe(session.awareness);
		await vi.waitFor(() => expect(session.status).toBe('connected'));
	});
});

describe('downloading the stored canvas before connecting', () => {
	/** A server whose document starts with 100 records, and what its clients' first sync message claimed to hold. */
	async function serverWithCanvas() {
		const stored = new Y.Doc();
		stored.transact(() => {
			for (let i = 0; i < 100; i++) stored.getMap('records').set(`shape:${i}`, { i });
		});
		const state = Y.encodeStateAsUpdate(stored);
		const clientStateVectors: Map<number, number>[] = [];
		const { url } = await startServer({
			async onLoadDocument({ document }) {
				Y.applyUpdate(document, state);
			},
			async beforeSync({ type, payload }) {
				if (type === 0) clientStateVectors.push(Y.decodeStateVector(payload));
			}
		});
		return { url, state, storedVector: Y.decodeStateVector(Y.encodeStateVector(stored)), clientStateVectors };
	}

	/** An HTTP server answering every request with `respond`; keeps the request headers. */
	async function stateServer(respond: (response: ServerResponse) => void) {
		const requests: IncomingHttpHeaders[] = [];
		const http = createServer((request, response) => {
			requests.push(request.headers);
			respond(response);
		});
		await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
		const close = () => new Promise((resolve) => http.close(resolve));
		cleanups.push(close);
		return { stateUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}/state`, requests, close };
	}

	it('applies the stored canvas first, so the socket only syncs the difference', async () => {
		const canvas = await serverWithCanvas();
		const body = Buffer.concat(encodeUpdateFrames([canvas.state]));
		const { stateUrl, requests } = await stateServer((response) => {
			response.writeHead(200, { 'content-type': DOCUMENT_STATE_TYPE, [STATE_BYTES_HEADER]: String(body.byteLength) });
			// In two parts, as a slow network would deliver it.
			response.write(body.subarray(0, 100));
			setTimeout(() => response.end(body.subarray(100)), 50);
		});
		const progress: [number, number | null][] = [];
		const { session, records } = open(canvas.url, { stateUrl, shareToken: 'link-token', onDownloadProgress: (received, total) => progress.push([received, total]) });
		await session.loaded;
		expect(records.size).toBe(100);
		expect(progress.length).toBeGreaterThanOrEqual(2);
		expect(progress[0]).toEqual([100, body.byteLength]);
		expect(progress.at(-1)).toEqual([body.byteLength, body.byteLength]);
		await vi.waitFor(() => expect(session.status).toBe('connected'));
		// The socket's first message told the server the client already holds everything.
		expect(canvas.clientStateVectors).toEqual([canvas.storedVector]);
		expect(requests[0]['easel-share-token']).toBe('link-token');
		records.set('shape:new', 1);
		expect(records.size).toBe(101);
	});

	it.each([
		['an error status', (response: ServerResponse) => response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"NOT_FOUND"}}')],
		['another format', (response: ServerResponse) => response.writeHead(200, { 'content-type': 'text/html' }).end('<html>')],
		['a body cut off', (response: ServerResponse) => response.writeHead(200, { 'content-type': DOCUMENT_STATE_TYPE }).end(Buffer.from([0, 0, 0, 9, 1]))]
	])('opens through the socket alone when the download gets %s', async (_, respond) => {
		const canvas = await serverWithCanvas();
		const { stateUrl, requests } = await stateServer(respond);
		const { session, records } = open(canvas.url, { stateUrl });
		await vi.waitFor(() => expect(session.status).toBe('connected'));
		expect(requests).toHaveLength(1);
		expect(canvas.clientStateVectors).toEqual([new Map()]);
		expect(records.size).toBe(100);
	});

	it('opens through the socket alone when the download cannot reach the server', async () => {
		const canvas = await serverWithCanvas();
		const { stateUrl, close } = await stateServer((response) => response.end());
		await close();
		const { session, records } = open(canvas.url, { stateUrl });
		await vi.waitFor(() => expect(session.status).toBe('connected'));
		expect(records.size).toBe(100);
	});

	it('downloads nothing when the doc already holds a copy of the canvas', async () => {
		const canvas = await serverWithCanvas();
		const { stateUrl, requests } = await stateServer((response) => response.writeHead(500).end());
		const doc = new Y.Doc();
		doc.getMap('records').set('shape:offline', 1);
		const { session, records } = open(canvas.url, { stateUrl, doc });
		await vi.waitFor(() => expect(session.status).toBe('connected'));
		expect(requests).toEqual([]);
		expect(records.size).toBe(101);
	});
});

describe('refusalOf', () => {
	it.each([
		[{ code: 1000, reason: 'PAYLOAD_TOO_LARGE' }, 'PAYLOAD_TOO_LARGE'],
		[{ code: 4404, reason: 'DELETED' }, 'DELETED'],
		[{ code: 4404, reason: 'TRASHED' }, 'TRASHED'],
		[{ code: 4413, reason: '' }, 'PAYLOAD_TOO_LARGE'],
		[{ code: 4401, reason: 'Unauthorized' }, 'UNAUTHENTICATED'],
		[{ code: 4408, reason: 'forced' }, null],
		[{ code: 1000, reason: 'Reset Connection' }, null],
		[{ code: 1006, reason: '' }, null],
		[{ code: 1012, reason: 'Server restarting' }, null]
	])('%o is %s', (event, expected) => {
		expect(refusalOf(event)).toBe(expected);
	});
});
