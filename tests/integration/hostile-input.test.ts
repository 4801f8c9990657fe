// Bad input closes one socket, never the process: text frames, garbage, truncated, corrupt and
// oversized frames, nonsense document names and floods before authentication, against the real
// server, while two collaborators elsewhere keep editing without noticing (event-loop lag measured).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import { authFrame, frame, syncFrame } from '../helpers/hocuspocus-frames.ts';
import { connectCanvas, createCanvas, signUp, waitFor, type CanvasClient, type TestUser } from '../helpers/clients.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { seedCanvas, testShape } from '../helpers/tldraw-records.ts';

const CONNECTIONS_PER_MINUTE = 120;

let server: RunningServer;
let user: TestUser;
let documentName: string;
let writer: CanvasClient;
let reader: CanvasClient;

beforeAll(async () => {
	server = await startServer({ env: { MAX_WS_MESSAGE_BYTES: String(64 * 1024), WS_CONNECTIONS_PER_MINUTE: String(CONNECTIONS_PER_MINUTE) } });
	user = await signUp(server.url, 'Bystander');
	documentName = `canvas:${await createCanvas(server.url, user)}`;
	[writer, reader] = [connectCanvas(server.wsUrl, documentName, user.token), connectCanvas(server.wsUrl, documentName, user.token)];
	await Promise.all([writer.synced, reader.synced]);
	seedCanvas(writer.records);
});
afterAll(async () => {
	writer?.destroy();
	reader?.destroy();
	await server?.dispose();
});

/** Opens a raw socket, sends the frames, and resolves with the close code and reason (or -1 if it stays open). */
async function closeAfter(frames: (string | Uint8Array)[], waitMs = 3000): Promise<{ code: number; reason: string }> {
	const socket = new WebSocket(server.wsUrl);
	socket.on('error', () => {});
	await new Promise((resolve) => socket.once('open', resolve));
	const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
	for (const data of frames) socket.send(data);
	const result = await Promise.race([closed, new Promise<{ code: number; reason: string }>((resolve) => setTimeout(() => resolve({ code: -1, reason: '' }), waitMs))]);
	socket.terminate();
	return result;
}

/** The bystanders still work: an edit by one reaches the other. Returns how long that took. */
async function roundTrip(): Promise<number> {
	const key = `shape:${crypto.randomUUID()}`;
	const started = performance.now();
	writer.records.set(key, testShape(key, { still: 'editing' }));
	await waitFor(() => reader.records.has(key), 5000, 'an edit to reach the other collaborator');
	return performance.now() - started;
}

const corruptUpdate = new Uint8Array([0x01, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x07, 0x01, 0x02, 0x03]);

describe('malformed frames close one socket with a named code', () => {
	it.each([
		['a text frame', 'hello'],
		['garbage bytes', Buffer.from([0xff, 0xff, 0xff, 0xff, 0x01])],
		['a truncated message', Buffer.from([0x05, 0x61])],
		['an unknown message type', Buffer.from(frame('canvas:00000000-0000-0000-0000-000000000000', (e) => encoding.writeVarUint(e, 99)))],
		['a nonsense document name', Buffer.from(frame('../../etc/passwd\u0000', (e) => encoding.writeVarUint(e, 0)))],
		['a sync message with a cut-off payload', Buffer.from(syncFrame('canvas:00000000-0000-0000-0000-000000000000', 2, new Uint8Array(100)).slice(0, 40))]
	])('%s → 4422 MALFORMED_MESSAGE', async (_label, payload) => {
		expect(await closeAfter([payload])).toEqual({ code: 4422, reason: 'MALFORMED_MESSAGE' });
		await roundTrip();
	});

	it('a corrupt Yjs update inside a well-formed message, after authenticating → 4422 MALFORMED_MESSAGE, nothing written', async () => {
		const before = Object.keys(reader.records.toJSON()).length;
		expect(await closeAfter([authFrame(documentName, user.token), syncFrame(documentName, 2, corruptUpdate)])).toEqual({ code: 4422, reason: 'MALFORMED_MESSAGE' });
		expect(await closeAfter([authFrame(documentName, user.token), syncFrame(documentName, 1, corruptUpdate)])).toEqual({ code: 4422, reason: 'MALFORMED_MESSAGE' });
		expect(await closeAfter([authFrame(documentName, user.token), syncFrame(documentName, 0, new Uint8Array([0x05, 0xff]))])).toEqual({
			code: 4422,
			reason: 'MALFORMED_MESSAGE'
		});
		await roundTrip();
		expect(Object.keys(reader.records.toJSON()).length).toBe(before + 1); // only the round trip's shape
	});

	it('an oversized frame → 1009', async () => {
		expect((await closeAfter([Buffer.alloc(128 * 1024)])).code).toBe(1009);
		await roundTrip();
	});

	it('a flood of frames before authenticating → 4429 RATE_LIMITED', async () => {
		const stepOne = syncFrame(documentName, 0, new Uint8Array([0]));
		expect(await closeAfter(Array.from({ length: 60 }, () => stepOne))).toEqual({ code: 4429, reason: 'RATE_LIMITED' });
	});
});

describe('under a barrage of hostile frames', () => {
	it('other users keep collaborating with little event-loop lag', async () => {
		const baseline = await roundTrip();
		const hostile = [
			'text',
			Buffer.from([0xff, 0xff, 0xff, 0xff, 0x01]),
			syncFrame(documentName, 2, corruptUpdate),
			syncFrame(documentName, 2, new Uint8Array(60 * 1024).fill(0xff))
		];
		let attacking = true;
		const attackers = Array.from({ length: 8 }, async (_, i) => {
			let sockets = 0;
			while (attacking && sockets < 6) {
				sockets++;
				await closeAfter([authFrame(documentName, user.token), ...hostile.slice(i % hostile.length), ...hostile], 500);
			}
		});
		const trips: number[] = [];
		for (let i = 0; i < 15; i++) trips.push(await roundTrip());
		attacking = false;
		await Promise.all(attackers);
		const worst = Math.max(...trips);
		console.log(`round trip between collaborators: ${baseline.toFixed(0)} ms before, worst ${worst.toFixed(0)} ms during the barrage`);
		expect(worst).toBeLessThan(500);
		expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
	});
});

describe('connection floods', () => {
	it('one address opening too many sockets a minute gets 429 on the upgrade; the process carries on', async () => {
		const statuses: number[] = [];
		for (let i = 0; i < CONNECTIONS_PER_MINUTE + 10 && !statuses.includes(429); i++) {
			statuses.push(
				await new Promise<number>((resolve) => {
					const socket = new WebSocket(server.wsUrl);
					socket.once('open', () => {
						socket.terminate();
						resolve(101);
					});
					socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
					socket.once('error', () => resolve(0));
				})
			);
		}
		expect(statuses).toContain(429);
		expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
	});
});
