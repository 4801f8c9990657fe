import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { api, connectCanvas, createCanvas, signUp, waitFor, type CanvasClient, type TestUser } from '../helpers/clients.ts';
import { PAGE_RECORD, SEEDED_RECORD_COUNT, geoShape, richText, seedCanvas, testShape } from '../helpers/tldraw-records.ts';
import { seededRandom, testSeed } from '../helpers/random.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

let server: RunningServer;
let owner: TestUser;
const clients: CanvasClient[] = [];

function connect(canvasId: string, token: string, doc?: Y.Doc) {
	const client = connectCanvas(server.wsUrl, `canvas:${canvasId}`, token, doc);
	clients.push(client);
	return client;
}

beforeAll(async () => {
	server = await startServer({ env: { PERSIST_BATCH_MS: '100' } });
	owner = await signUp(server.url, 'Owner');
});

afterAll(async () => {
	for (const client of clients) client.destroy();
	await server?.dispose();
});

describe('live collaboration through the real server', () => {
	it('10 clients making 200 random concurrent edits each converge to identical state', async () => {
		const seed = testSeed();
		const random = seededRandom(seed);
		const canvasId = await createCanvas(server.url, owner, 'Convergence');
		const editors = Array.from({ length: 10 }, () => connect(canvasId, owner.token));
		await Promise.all(editors.map((client) => client.synced));
		seedCanvas(editors[0].records);
		await waitFor(() => editors.every((client) => client.records.has(PAGE_RECORD.id)), 5000, 'the page to reach everyone');
		try {
			for (let round = 0; round < 200; round++) {
				for (const [index, client] of editors.entries()) {
					const id = `shape:${Math.floor(random() * 40)}`;
					const roll = random();
					if (roll < 0.7) client.records.set(id, geoShape(id, { x: Math.round(random() * 1000), y: round, meta: { by: index } }));
					else if (roll < 0.9) client.records.delete(id);
					else
						client.doc.transact(() => {
							for (let k = 0; k < 3; k++) client.records.set(`shape:batch-${index}-${round}-${k}`, testShape(`shape:batch-${index}-${round}-${k}`, { k }));
						});
				}
				if (round % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
			}
			const reference = () => JSON.stringify(sorted(editors[0].records.toJSON()));
			await waitFor(() => editors.every((client) => JSON.stringify(sorted(client.records.toJSON())) === reference()), 20_000, 'convergence');
			// Every client also agrees on the full Yjs state, not only the visible map.
			const vectors = editors.map((client) => Buffer.from(Y.encodeStateVector(client.doc)).toString('hex'));
			expect(new Set(vectors).size).toBe(1);
			// And the server holds the same: a fresh client loads exactly that.
			const late = connect(canvasId, owner.token);
			await late.synced;
			expect(sorted(late.records.toJSON())).toEqual(sorted(editors[0].records.toJSON()));
		} catch (error) {
			console.error(`convergence test failed with TEST_SEED=${seed}`);
			throw error;
		}
	});

	it("refuses clients without a valid session, with another team's session, or with a bad document name", async () => {
		const canvasId = await createCanvas(server.url, owner, 'Private');
		const stranger = await signUp(server.url, 'Stranger');
		await expect(connect(canvasId, '').synced).rejects.toThrow('UNAUTHENTICATED');
		await expect(connect(canvasId, 'x'.repeat(32)).synced).rejects.toThrow('UNAUTHENTICATED');
		await expect(connect(canvasId, stranger.token).synced).rejects.toThrow('NOT_FOUND');
		await expect(connectCanvas(server.wsUrl, 'canvas:not-a-uuid', owner.token).synced).rejects.toThrow('NOT_FOUND');
		await expect(connectCanvas(server.wsUrl, `chat:${canvasId}`, stranger.token).synced).rejects.toThrow('NOT_FOUND');
		await expect(connectCanvas(server.wsUrl, `notes:${canvasId}`, owner.token).synced).rejects.toThrow('NOT_FOUND');
		await expect(connectCanvas(server.wsUrl, `canvas:${crypto.randomUUID()}`, owner.token).synced).rejects.toThrow('NOT_FOUND');
	});

	it('a refused socket receives no document bytes', async () => {
		const canvasId = await createCanvas(server.url, owner, 'Secret');
		const writer = connect(canvasId, owner.token);
		await writer.synced;
		seedCanvas(writer.records);
		writer.records.set('shape:secret', geoShape('shape:secret', {}, { richText: richText('launch codes') }));
		await waitFor(() => !writer.provider.hasUnsyncedChanges, 5000, 'the secret to be stored');
		const stranger = await signUp(server.url, 'Snoop');
		const received = await rawSession(`canvas:${canvasId}`, stranger.token);
		expect(received.length).toBeGreaterThan(0);
		// Only the permission-denied answer (message type 2 = auth), never sync (0) or awareness (1).
		for (const message of received) expect(messageType(message)).toBe(2);
		expect(Buffer.concat(received).toString('latin1')).not.toContain('launch codes');
	});

	it('refuses a WebSocket upgrade from a foreign origin before any message', async () => {
		const socket = new WebSocket(server.wsUrl, { headers: { origin: 'https://evil.example' } });
		const status = await new Promise<number>((resolve) => {
			socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
			socket.on('open', () => resolve(101));
		});
		expect(status).toBe(403);
	});

	it('accepts the session cookie only from an allowed origin', async () => {
		const canvasId = await createCanvas(server.url, owner, 'Cookie');
		const cookie = `easel_session=${owner.token}`;
		const allowed = await rawSession(`canvas:${canvasId}`, 'cookie', { origin: `http://localhost:${server.port}`, cookie });
		expect(allowed.some((message) => messageType(message) === 0)).toBe(true);
		const noOrigin = await rawSession(`canvas:${canvasId}`, 'cookie', { cookie });
		expect(noOrigin.every((message) => messageType(message) === 2)).toBe(true);
	});
});

describe('presence and revocation', () => {
	it('stamps awareness identity from the session, so nobody can pose as someone else', async () => {
		const canvasId = await createCanvas(server.url, owner, 'Presence');
		const mallory = connect(canvasId, owner.token);
		const watcher = connect(canvasId, owner.token);
		await Promise.all([mallory.synced, watcher.synced]);
		mallory.provider.awareness!.setLocalState({
			user: { id: 'someone-else', name: 'The CEO', color: '#000' },
			presence: { userId: 'someone-else', userName: 'The CEO', cursor: { x: 1, y: 2 } }
		});
		await waitFor(() => watcher.provider.awareness!.getStates().has(mallory.doc.clientID), 5000, 'awareness');
		const seen = watcher.provider.awareness!.getStates().get(mallory.doc.clientID)!;
		expect(seen.user).toMatchObject({ id: owner.id, name: 'Owner' });
		expect(seen.presence).toMatchObject({ userId: owner.id, userName: 'Owner', cursor: { x: 1, y: 2 } });
	});

	it('a client cannot publish presence under another connection’s awareness id', async () => {
		// Its own user: the owner's free plan is full of the other tests' canvases.
		const user = await signUp(server.url, 'Victim');
		const canvasId = await createCanvas(server.url, user, 'Hijack');
		const victim = connect(canvasId, user.token);
		const watcher = connect(canvasId, user.token);
		await Promise.all([victim.synced, watcher.synced]);
		victim.provider.awareness!.setLocalStateField('presence', { cursor: { x: 10, y: 10 } });
		await waitFor(() => watcher.provider.awareness!.getStates().get(victim.doc.clientID)?.presence?.cursor?.x === 10, 5000, 'the victim’s cursor');
		// Same Yjs client id as the victim: its awareness updates claim the victim's entry.
		const forged = new Y.Doc();
		forged.clientID = victim.doc.clientID;
		const hijacker = connectCanvas(server.wsUrl, `canvas:${canvasId}`, user.token, forged);
		clients.push(hijacker);
		await hijacker.synced;
		hijacker.provider.awareness!.setLocalStateField('presence', { cursor: { x: 666, y: 666 } });
		victim.provider.awareness!.setLocalStateField('presence', { cursor: { x: 20, y: 20 } });
		await waitFor(() => watcher.provider.awareness!.getStates().get(victim.doc.clientID)?.presence?.cursor?.x === 20, 5000, 'the victim’s next move');
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(watcher.provider.awareness!.getStates().get(victim.doc.clientID)?.presence?.cursor).toEqual({ x: 20, y: 20 });
	});

	it('drops oversized awareness states instead of relaying them', async () => {
		const talker = await signUp(server.url, 'Talker'); // own team: the owner's Free canvases are spent elsewhere
		const canvasId = await createCanvas(server.url, talker, 'Awareness cap');
		const loud = connect(canvasId, talker.token);
		const watcher = connect(canvasId, talker.token);
		await Promise.all([loud.synced, watcher.synced]);
		loud.provider.awareness!.setLocalState({ presence: { cursor: { x: 1, y: 1 } }, junk: 'x'.repeat(64 * 1024) });
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(watcher.provider.awareness!.getStates().get(loud.doc.clientID)?.junk).toBeUndefined();
		loud.provider.awareness!.setLocalState({ presence: { cursor: { x: 2, y: 2 } } });
		await waitFor(() => watcher.provider.awareness!.getStates().get(loud.doc.clientID)?.presence?.cursor?.x === 2, 5000, 'a normal state to arrive');
	});

	it('signing out closes the sockets that session opened, within seconds', async () => {
		const { body } = await api(server.url, '/api/v1/auth/login', { body: { email: owner.email, password: owner.password } });
		const canvasId = await createCanvas(server.url, owner, 'Revocation');
		const client = connect(canvasId, body.token);
		await client.synced;
		seedCanvas(client.records);
		await waitFor(() => !client.provider.hasUnsyncedChanges, 5000, 'the page to be stored');
		// The server closes the document on that socket with the reason; the page then sends the user to sign in.
		const cut = new Promise<string>((resolve) => {
			client.provider.on('close', ({ event }: { event: CloseEvent }) => resolve(event.reason));
		});
		expect((await api(server.url, '/api/v1/auth/logout', { method: 'POST', token: body.token })).status).toBe(204);
		const started = Date.now();
		expect(await cut).toBe('UNAUTHENTICATED');
		expect(Date.now() - started).toBeLessThan(5000);
		// Writes after sign-out never reach the document.
		client.records.set('shape:after-logout', testShape('shape:after-logout', { sneaky: true }));
		const reader = connect(canvasId, owner.token);
		await reader.synced;
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(reader.records.has('shape:after-logout')).toBe(false);
	});
});

describe('durability across server crashes and restarts', () => {
	it('SIGKILL keeps every flushed update, and a connected client restores the rest when it reconnects', async () => {
		const canvasId = await createCanvas(server.url, owner, 'Crash');
		const survivor = connect(canvasId, owner.token);
		await survivor.synced;
		seedCanvas(survivor.records);
		for (let i = 0; i < 50; i++) survivor.records.set(`shape:flushed-${i}`, testShape(`shape:flushed-${i}`, { i }));
		await new Promise((resolve) => setTimeout(resolve, 600)); // > the 100 ms batch window
		// These land in memory on the server but are probably not flushed when the kill comes.
		for (let i = 0; i < 20; i++) survivor.records.set(`shape:late-${i}`, testShape(`shape:late-${i}`, { i }));
		await server.stop('SIGKILL');

		// Nobody is connected yet: what is stored must include everything flushed before the crash.
		server = await server.restart();
		const reader = connect(canvasId, owner.token);
		await reader.synced;
		for (let i = 0; i < 50; i++) expect(reader.records.get(`shape:flushed-${i}`)).toEqual(testShape(`shape:flushed-${i}`, { i }));

		// The survivor reconnects by itself and resends what the server lost.
		await waitFor(() => reader.records.size === 70 + SEEDED_RECORD_COUNT, 20_000, 'survivor to resend its late edits');
		reader.destroy();
		survivor.destroy();
		const check = connect(canvasId, owner.token);
		await check.synced;
		expect(check.records.size).toBe(70 + SEEDED_RECORD_COUNT);
	});

	it('SIGTERM stores every document, and exits cleanly', async () => {
		const canvasIds = await Promise.all([1, 2, 3].map((n) => createCanvas(server.url, owner, `Graceful ${n}`)));
		const writers = canvasIds.map((id) => connect(id, owner.token));
		await Promise.all(writers.map((writer) => writer.synced));
		writers.forEach((writer, n) => {
			seedCanvas(writer.records);
			for (let i = 0; i < 30; i++) writer.records.set(`shape:${i}`, testShape(`shape:${i}`, { n, i }));
		});
		await waitFor(() => writers.every((writer) => !writer.provider.hasUnsyncedChanges), 5000, 'acknowledgement');
		for (const writer of writers) writer.destroy();
		expect(await server.stop('SIGTERM')).toBe(0);
		server = await server.restart();
		for (const [n, id] of canvasIds.entries()) {
			const { status, body } = await api(server.url, `/api/v1/canvases/${id}/document`, { token: owner.token });
			expect(status).toBe(200);
			expect(Object.keys(body.records)).toHaveLength(30 + SEEDED_RECORD_COUNT);
			expect(body.records['shape:29'].meta).toEqual({ n, i: 29 });
		}
	});
});

function sorted(value: Record<string, unknown>) {
	return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));
}

/** Hocuspocus message type of a server frame: [varString document][varUint type]... */
function messageType(message: Buffer): number {
	const nameLength = message[0];
	return message[1 + nameLength];
}

/** A raw client: sends the Hocuspocus auth message and a sync step 1, collects what comes back for a second. */
async function rawSession(documentName: string, token: string, headers: Record<string, string> = {}): Promise<Buffer[]> {
	const socket = new WebSocket(server.wsUrl, { headers });
	const received: Buffer[] = [];
	socket.on('message', (data) => received.push(Buffer.from(data as Buffer)));
	await new Promise<void>((resolve, reject) => {
		socket.once('open', () => resolve());
		socket.once('error', reject);
	});
	const auth = encoding.createEncoder();
	encoding.writeVarString(auth, documentName);
	encoding.writeVarUint(auth, 2); // Auth
	encoding.writeVarUint(auth, 0); // Token
	encoding.writeVarString(auth, token);
	encoding.writeVarString(auth, '4.8.0'); // provider version
	socket.send(encoding.toUint8Array(auth));
	const sync = encoding.createEncoder();
	encoding.writeVarString(sync, documentName);
	encoding.writeVarUint(sync, 0); // Sync
	encoding.writeVarUint(sync, 0); // step 1
	encoding.writeVarUint8Array(sync, Y.encodeStateVector(new Y.Doc()));
	socket.send(encoding.toUint8Array(sync));
	await new Promise((resolve) => setTimeout(resolve, 1000));
	socket.close();
	return received;
}
