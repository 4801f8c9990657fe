// Bad input closes one socket, never the process: text frames, garbage, truncated and oversized
// frames against the real server, while a collaborator elsewhere keeps editing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectCanvas, createCanvas, signUp, waitFor, type CanvasClient } from '../helpers/clients.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

let server: RunningServer;
let bystander: CanvasClient;

beforeAll(async () => {
	server = await startServer({ env: { MAX_WS_MESSAGE_BYTES: String(64 * 1024) } });
	const user = await signUp(server.url, 'Bystander');
	bystander = connectCanvas(server.wsUrl, `canvas:${await createCanvas(server.url, user)}`, user.token);
	await bystander.synced;
});
afterAll(async () => {
	bystander?.destroy();
	await server?.dispose();
});

async function closeCodeAfter(payload: string | Buffer): Promise<number> {
	const socket = new WebSocket(server.wsUrl);
	await new Promise((resolve) => socket.once('open', resolve));
	const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
	socket.on('error', () => {});
	socket.send(payload);
	const code = await Promise.race([closed, new Promise<number>((resolve) => setTimeout(() => resolve(-1), 3000))]);
	socket.terminate();
	return code;
}

it.each([
	['a text frame', 'hello'],
	['garbage bytes', Buffer.from([0xff, 0xff, 0xff, 0xff, 0x01])],
	['a truncated message', Buffer.from([0x05, 0x61])],
	['an oversized frame', Buffer.alloc(128 * 1024)]
])('%s closes that socket with a close code and nothing else', async (_label, payload) => {
	const code = await closeCodeAfter(payload);
	expect(code === 1009 || (code >= 4000 && code < 5000)).toBe(true);
	expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
	const key = `shape:${Date.now()}`;
	bystander.records.set(key, { still: 'editing' });
	await waitFor(() => !bystander.provider.hasUnsyncedChanges, 5000, 'the bystander to keep syncing');
});
