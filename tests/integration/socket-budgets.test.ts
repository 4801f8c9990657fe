// What one authenticated socket can make the server do, against the real server: the canvas size
// limit holds whatever envelope a change comes in; sync requests are budgeted and a client that
// stops reading is dropped, so the server's memory stays bounded; writes to top-level types a
// canvas doesn't have are refused (and ones stored before are dropped on load); an expired share
// link closes the sockets it opened, as revoking it does.
import { readFileSync } from 'node:fs';
import * as decoding from 'lib0/decoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { authFrame, syncFrame } from '../helpers/hocuspocus-frames.ts';
import * as Y from 'yjs';
import { SYNC_REQUEST_BURST } from '../../server/collab/frames.ts';
import { appendDocumentUpdates } from '../../src/lib/server/documents/document-store.ts';
import { api, connectCanvas, createCanvas, signUp, waitFor, type CanvasClient, type TestUser } from '../helpers/clients.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { DOCUMENT_RECORD, PAGE_RECORD, geoShape, richText, seedCanvas, testShape } from '../helpers/tldraw-records.ts';

interface RawSocket {
	socket: WebSocket;
	closed: Promise<{ code: number; reason: string }>;
}

/** Hocuspocus's Close message: it closes one document on the socket and keeps only the reason. */
const CLOSE_MESSAGE = 7;

/** A raw socket; `closed` resolves when the socket closes, or when the server closes its document with a Close message (code 0). */
async function openRaw(server: RunningServer): Promise<RawSocket> {
	const socket = new WebSocket(server.wsUrl);
	socket.on('error', () => {});
	const closed = new Promise<{ code: number; reason: string }>((resolve) => {
		socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
		socket.on('message', (data: Buffer) => {
			const decoder = decoding.createDecoder(new Uint8Array(data));
			decoding.readVarString(decoder);
			if (decoding.readVarUint(decoder) === CLOSE_MESSAGE) resolve({ code: 0, reason: decoding.readVarString(decoder) });
		});
	});
	await new Promise((resolve) => socket.once('open', resolve));
	return { socket, closed };
}

const within = <T>(promise: Promise<T>, ms: number, fallback: T) => Promise.race([promise, new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms))]);

/**
 * How much the server may grow under one flooding socket: the burst's ten encodes of the canvas and
 * the garbage they leave until V8 collects it (measured 0–165 MB; RSS depends on when V8 collects,
 * so the bound leaves room). Unbounded, 150 requests for this 4 MB canvas queued ~600 MB, so the
 * bound still fails when the budget stops holding.
 */
const FLOOD_GROWTH_BOUND = 300 * 1024 * 1024;

/** Resident memory of a process, in bytes. */
function rssOf(pid: number): number {
	const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
	return Number(line?.[1] ?? 0) * 1024;
}

async function metric(server: RunningServer, name: string): Promise<number> {
	const text = await (await fetch(`${server.url}/metrics`)).text();
	return Number(text.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1] ?? 0);
}

describe('the canvas size limit, whatever envelope carries the change', () => {
	let server: RunningServer;
	let user: TestUser;
	beforeAll(async () => {
		server = await startServer({ env: { MAX_DOCUMENT_BYTES: String(64 * 1024), MAX_WS_MESSAGE_BYTES: String(64 * 1024) } });
		user = await signUp(server.url, 'Sizer');
	});
	afterAll(() => server?.dispose());

	it.each([
		['Sync', 0],
		['SyncReply', 4]
	] as const)('updates sent as %s messages are refused past the limit, and the canvas keeps what it had', async (_label, messageType) => {
		const canvasId = await createCanvas(server.url, user);
		const name = `canvas:${canvasId}`;
		const raw = await openRaw(server);
		raw.socket.send(authFrame(name, user.token));
		const writer = new Y.Doc();
		const records = writer.getMap('records');
		records.set(DOCUMENT_RECORD.id, DOCUMENT_RECORD);
		records.set(PAGE_RECORD.id, PAGE_RECORD);
		raw.socket.send(syncFrame(name, 2, Y.encodeStateAsUpdate(writer), messageType));
		let refused = false;
		void raw.closed.then(() => (refused = true));
		let sent = 0;
		for (let i = 0; i < 20 && !refused; i++) {
			const before = Y.encodeStateVector(writer);
			records.set(`shape:${i}`, geoShape(`shape:${i}`, {}, { richText: richText('x'.repeat(8 * 1024)) }));
			raw.socket.send(syncFrame(name, 2, Y.encodeStateAsUpdate(writer, before), messageType));
			sent++;
			await new Promise((resolve) => setTimeout(resolve, 30));
		}
		expect(await within(raw.closed, 5000, { code: -1, reason: 'still open' })).toMatchObject({ reason: 'PAYLOAD_TOO_LARGE' });
		expect(sent).toBeLessThan(20);

		const reader = connectCanvas(server.wsUrl, name, user.token);
		await reader.synced;
		// 8 KiB records under a 64 KiB limit: at most eight made it in.
		expect([...reader.records.keys()].filter((key) => key.startsWith('shape:')).length).toBeLessThanOrEqual(8);
		expect(Y.encodeStateAsUpdate(reader.doc).byteLength).toBeLessThan(64 * 1024);
		reader.destroy();
	});
});

describe('a socket that floods sync requests or stops reading', () => {
	const QUEUE_BYTES = 12 * 1024 * 1024;
	let server: RunningServer;
	let owner: TestUser;
	let name: string;
	let viewToken: string;
	let holder: CanvasClient | undefined;

	beforeAll(async () => {
		server = await startServer({
			env: {
				MAX_DOCUMENT_BYTES: String(8 * 1024 * 1024),
				MAX_WS_MESSAGE_BYTES: String(1024 * 1024),
				MAX_SOCKET_QUEUE_BYTES: String(QUEUE_BYTES),
				WS_SYNC_REQUESTS_PER_MINUTE: '20'
			}
		});
		owner = await signUp(server.url, 'Owner');
		const canvasId = await createCanvas(server.url, owner);
		name = `canvas:${canvasId}`;
		// A 4 MB canvas: forty shapes with 100 kB of text each, sent a few at a time (1 MiB frames).
		const writer = connectCanvas(server.wsUrl, name, owner.token);
		await writer.synced;
		seedCanvas(writer.records);
		for (let batch = 0; batch < 10; batch++) {
			writer.doc.transact(() => {
				for (let i = batch * 4; i < batch * 4 + 4; i++)
					writer.records.set(`shape:big${i}`, geoShape(`shape:big${i}`, {}, { richText: richText(String(i).padEnd(100_000, '.')) }));
			});
			await waitFor(() => !writer.provider.hasUnsyncedChanges, 10_000, 'the server to take a batch');
		}
		// The writer stays: the canvas stays loaded, so what is measured below is the flood, not a load.
		holder = writer;
		const link = await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token, body: { access: 'view', audience: 'anyone' } });
		viewToken = `share:${link.body.token}`;
	});
	afterAll(async () => {
		holder?.destroy();
		await server?.dispose();
	});

	/** An anonymous view-link socket that never reads what it is sent, asking for the whole canvas `count` times. */
	async function askWithoutReading(count: number): Promise<{ peakGrowth: number; closed: Promise<{ code: number; reason: string }> }> {
		const raw = await openRaw(server);
		// reason: ws has no public way to stop reading; pausing its TCP socket makes the server's sends pile up as a stalled client's would.
		(raw.socket as unknown as { _socket: { pause(): void } })._socket.pause();
		const before = rssOf(server.process.pid!);
		raw.socket.send(authFrame(name, viewToken));
		const emptyStateVector = Y.encodeStateVector(new Y.Doc());
		for (let i = 0; i < count; i++) raw.socket.send(syncFrame(name, 0, emptyStateVector));
		let peak = before;
		for (let i = 0; i < 25; i++) {
			await new Promise((resolve) => setTimeout(resolve, 200));
			peak = Math.max(peak, rssOf(server.process.pid!));
		}
		raw.socket.terminate();
		console.log(`${count} requests for the whole canvas, never read: the server grew by ${((peak - before) / 1024 / 1024).toFixed(0)} MB at most`);
		return { peakGrowth: peak - before, closed: raw.closed };
	}

	it('150 requests for the whole canvas from a view link: the socket is closed at the budget, memory stays flat', async () => {
		const dropped = await metric(server, 'easel_sockets_dropped_total');
		const { peakGrowth } = await askWithoutReading(150);
		expect(await metric(server, 'easel_sockets_dropped_total')).toBe(dropped + 1);
		expect(peakGrowth).toBeLessThan(FLOOD_GROWTH_BOUND);
	});

	it('requests within the budget from a client that never reads: it is dropped once its queue passes the bound', async () => {
		const dropped = await metric(server, 'easel_sockets_dropped_total');
		const { peakGrowth } = await askWithoutReading(SYNC_REQUEST_BURST);
		expect(await metric(server, 'easel_sockets_dropped_total')).toBe(dropped + 1);
		expect(peakGrowth).toBeLessThan(FLOOD_GROWTH_BOUND);
	});

	it('a client that keeps asking, even for nothing new, is closed with RATE_LIMITED; an ordinary one is untouched', async () => {
		const viewer = connectCanvas(server.wsUrl, name, viewToken);
		await viewer.synced;
		expect(viewer.records.size).toBeGreaterThanOrEqual(40);
		const upToDate = Y.encodeStateVector(viewer.doc);

		const raw = await openRaw(server);
		raw.socket.send(authFrame(name, viewToken));
		for (let i = 0; i < 25; i++) raw.socket.send(syncFrame(name, 0, upToDate, 4));
		expect(await within(raw.closed, 10_000, { code: -1, reason: 'still open' })).toEqual({ code: 4429, reason: 'RATE_LIMITED' });

		// The ordinary viewer's socket is still there and live.
		const writer = connectCanvas(server.wsUrl, name, owner.token);
		await writer.synced;
		writer.records.set('shape:later', testShape('shape:later'));
		await waitFor(() => viewer.records.has('shape:later'), 5000, 'an edit to reach the viewer');
		writer.destroy();
		viewer.destroy();
	});
});

describe('top-level types a canvas does not have', () => {
	let server: RunningServer;
	let owner: TestUser;
	beforeAll(async () => {
		server = await startServer();
		owner = await signUp(server.url, 'Owner');
	});
	afterAll(() => server?.dispose());

	it('an edit-link guest writing its own map or text is refused, and viewers never receive it', async () => {
		const canvasId = await createCanvas(server.url, owner);
		const name = `canvas:${canvasId}`;
		const link = await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token, body: { access: 'edit', audience: 'anyone' } });
		const guest = connectCanvas(server.wsUrl, name, `share:${link.body.token}`);
		const viewer = connectCanvas(server.wsUrl, name, owner.token);
		await Promise.all([guest.synced, viewer.synced]);
		seedCanvas(viewer.records);
		const closed = new Promise<string>((resolve) => guest.provider.on('close', ({ event }: { event: CloseEvent }) => resolve(event.reason)));
		guest.doc.getMap('stash').set('payload', 'x'.repeat(10_000));
		guest.doc.getText('notes').insert(0, 'hidden');
		expect(await within(closed, 5000, 'still open')).toBe('MALFORMED_MESSAGE');
		guest.destroy();

		// The canvas still works, and holds nothing outside records and meta.
		viewer.records.set('shape:after', testShape('shape:after'));
		await waitFor(() => !viewer.provider.hasUnsyncedChanges);
		const fresh = connectCanvas(server.wsUrl, name, owner.token);
		await fresh.synced;
		expect(fresh.records.has('shape:after')).toBe(true);
		expect(fresh.doc.getMap('stash').size).toBe(0);
		expect(fresh.doc.getText('notes').length).toBe(0);
		expect(viewer.doc.getMap('stash').size).toBe(0);
		fresh.destroy();
		viewer.destroy();
	});
});

describeEachServerDatabase(
	'top-level types stored before they were refused',
	(database) => {
		let server: RunningServer;
		beforeAll(async () => {
			server = await startServer({ env: database().env });
		});
		afterAll(() => server?.dispose());

		it('are dropped when the canvas loads; its records stay', async () => {
			const owner = await signUp(server.url, 'Owner');
			const canvasId = await createCanvas(server.url, owner);
			const name = `canvas:${canvasId}`;
			const old = new Y.Doc();
			seedCanvas(old.getMap('records'));
			old.getMap('records').set('shape:kept', testShape('shape:kept'));
			old.getMap('stash').set('payload', 'x'.repeat(10_000));
			await appendDocumentUpdates(await database().direct(), [{ document: name, update: Y.encodeStateAsUpdate(old) }]);

			const reader = connectCanvas(server.wsUrl, name, owner.token);
			await reader.synced;
			await waitFor(() => reader.records.has('shape:kept'));
			await waitFor(() => reader.doc.getMap('stash').size === 0, 5000, 'the unknown map to be emptied');
			reader.destroy();
		});
	},
	{ drivers: ['postgres'] }
);

describe('an expiring share link', () => {
	let server: RunningServer;
	beforeAll(async () => {
		server = await startServer();
	});
	afterAll(() => server?.dispose());

	it('closes the sockets it opened when it expires, within 5 s; their later writes go nowhere', async () => {
		const owner = await signUp(server.url, 'Owner');
		const canvasId = await createCanvas(server.url, owner);
		const name = `canvas:${canvasId}`;
		const expiresAt = Date.now() + 3_000;
		const link = await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, {
			token: owner.token,
			body: { access: 'edit', audience: 'anyone', expiresAt: new Date(expiresAt).toISOString() }
		});
		expect(link.status).toBe(201);
		const member = connectCanvas(server.wsUrl, name, owner.token);
		const guest = connectCanvas(server.wsUrl, name, `share:${link.body.token}`);
		await Promise.all([member.synced, guest.synced]);
		seedCanvas(member.records);
		const closed = new Promise<{ reason: string; at: number }>((resolve) =>
			guest.provider.on('close', ({ event }: { event: CloseEvent }) => resolve({ reason: event.reason, at: Date.now() }))
		);

		await waitFor(() => guest.records.has(PAGE_RECORD.id), 5000, 'the page to reach the guest');
		guest.records.set('shape:early', testShape('shape:early'));
		await waitFor(() => member.records.has('shape:early'), 5000, 'the guest’s edit before expiry');

		const closing = await within(closed, 10_000, { reason: 'still open', at: Number.POSITIVE_INFINITY });
		expect(closing.reason).toBe('ACCESS_CHANGED');
		expect(closing.at - expiresAt).toBeLessThan(5_000);

		guest.records.set('shape:late', testShape('shape:late'));
		await new Promise((resolve) => setTimeout(resolve, 1500));
		expect(member.records.has('shape:late')).toBe(false);
		expect((await api(server.url, `/api/v1/canvases/${canvasId}/state`, { headers: { 'Easel-Share-Token': link.body.token } })).status).toBe(410);
		guest.destroy();
		member.destroy();
	});
});
