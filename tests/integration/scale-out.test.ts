// Two Easel instances on different ports sharing real PostgreSQL and real Redis (through a proxy
// the test can cut): clients split across them converge, a chat is stamped and guarded across them,
// revocations and rate limits cross instances, an instance restarts under load without loss, and
// Redis can be away for 10 seconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createMessageMap, readMessages } from '../../src/lib/chat/chat-document.ts';
import { openDatabase, type OpenDatabase } from '../../src/lib/server/db/index.ts';
import { loadStoredDocument } from '../../src/lib/server/documents/document-store.ts';
import { api, connectCanvas, createCanvas, signUp, waitFor, type CanvasClient, type TestUser } from '../helpers/clients.ts';
import { createScratchPostgres } from '../helpers/databases.ts';
import { seededRandom, testSeed } from '../helpers/random.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { PAGE_RECORD, geoShape, seedCanvas, testShape } from '../helpers/tldraw-records.ts';

const REDIS = { host: '127.0.0.1', port: 6379 };

let database: { url: string; drop(): Promise<void> };
let direct: OpenDatabase;
let redisProxy: TcpProxy;
let instances: [RunningServer, RunningServer];
let owner: TestUser;
const clients: CanvasClient[] = [];

const seed = testSeed();
const random = seededRandom(seed);

beforeAll(async () => {
	database = await createScratchPostgres();
	direct = await openDatabase({ url: database.url, maxConnections: 2 });
	redisProxy = await startTcpProxy(REDIS);
	const env = {
		DATABASE_URL: database.url,
		REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`,
		REDIS_PREFIX: `easel-test-${crypto.randomUUID().slice(0, 8)}`,
		LOGIN_ATTEMPTS: '3'
	};
	// Started together: the migration lock lets only one of them migrate the empty database.
	instances = await Promise.all([startServer({ env }), startServer({ env })]);
	owner = await signUp(instances[0].url, 'Owner');
}, 90_000);

afterAll(async () => {
	for (const client of clients) client.destroy();
	await Promise.all((instances ?? []).map((instance) => instance?.dispose()));
	await redisProxy?.close();
	await direct?.close();
	await database?.drop();
});

function connect(instance: RunningServer, canvasId: string, token = owner.token): CanvasClient {
	const client = connectCanvas(instance.wsUrl, `canvas:${canvasId}`, token, new Y.Doc(), { followAccessChanges: true });
	clients.push(client);
	return client;
}

/** Clients 0..n-1 alternate between the two instances. */
async function splitClients(canvasId: string, count: number): Promise<CanvasClient[]> {
	const split = Array.from({ length: count }, (_, i) => connect(instances[i % 2], canvasId));
	await Promise.all(split.map((client) => client.synced));
	seedCanvas(split[0].records);
	await waitFor(() => split.every((client) => client.records.has(PAGE_RECORD.id)), 5000, 'the page to reach every client');
	return split;
}

function recordsOf(client: CanvasClient) {
	return JSON.stringify(sorted(client.records.toJSON()));
}

function sorted(records: Record<string, unknown>) {
	return Object.fromEntries(Object.entries(records).sort(([a], [b]) => a.localeCompare(b)));
}

async function expectConverged(group: CanvasClient[], timeoutMs: number, what: string) {
	await waitFor(() => group.every((client) => recordsOf(client) === recordsOf(group[0])), timeoutMs, `${what} (seed ${seed})`);
}

/** Random shape edits from each client: its own shapes plus a few everyone fights over. */
async function editRandomly(group: CanvasClient[], rounds: number, label: string) {
	for (let round = 0; round < rounds; round++) {
		for (const [index, client] of group.entries()) {
			const shared = random() < 0.3;
			const id = shared ? `shape:shared-${Math.floor(random() * 3)}` : `shape:${label}-${index}-${Math.floor(random() * 8)}`;
			if (!shared && random() < 0.15) client.records.delete(id);
			else client.records.set(id, geoShape(id, { x: Math.round(random() * 1000), y: Math.round(random() * 1000), meta: { by: index, round } }));
		}
		await new Promise((resolve) => setTimeout(resolve, 10 + random() * 30));
	}
}

async function storedRecords(canvasId: string) {
	const stored = await loadStoredDocument(direct.db, `canvas:${canvasId}`);
	const doc = new Y.Doc();
	if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
	for (const update of stored.updates) Y.applyUpdate(doc, update);
	return JSON.stringify(sorted(doc.getMap('records').toJSON()));
}

async function leaveAndExpectStored(group: CanvasClient[], canvasId: string) {
	const expected = recordsOf(group[0]);
	await waitFor(() => group.every((client) => !client.provider.hasUnsyncedChanges), 10_000, 'every edit to be acknowledged');
	for (const client of group) client.destroy();
	await waitFor(async () => (await storedRecords(canvasId)) === expected, 10_000, `PostgreSQL to hold the converged canvas (seed ${seed})`);
}

describe('two instances through Redis', () => {
	it('clients split across the instances converge, and PostgreSQL holds the result', async () => {
		const canvasId = await createCanvas(instances[0].url, owner, 'Split');
		const group = await splitClients(canvasId, 6);
		await editRandomly(group, 40, 'split');
		await expectConverged(group, 5_000, 'clients on both instances to converge');
		expect(group[0].records.size).toBeGreaterThan(10);
		await leaveAndExpectStored(group, canvasId);
	});

	it('a chat message written on one instance arrives stamped on the other, and an edit of it there by someone else is reverted on both', async () => {
		const canvasId = await createCanvas(instances[0].url, owner, 'Chat across instances');
		const link = await api(instances[0].url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token, body: { access: 'edit', audience: 'anyone' } });
		const [writer, guest] = [
			connectCanvas(instances[0].wsUrl, `chat:${canvasId}`, owner.token),
			connectCanvas(instances[1].wsUrl, `chat:${canvasId}`, `share:${link.body.token}`)
		];
		clients.push(writer, guest);
		await Promise.all([writer.synced, guest.synced]);
		const id = crypto.randomUUID();
		writer.doc
			.getMap('messages')
			.set(id, createMessageMap({ id, parentId: null, author: { kind: 'user', id: 'forged', name: 'Forged' }, role: 'user', text: 'Across', status: 'done' }));
		const on = (client: CanvasClient) => readMessages(client.doc).find((message) => message.id === id);
		await waitFor(() => on(guest)?.author.id === owner.id, 5000, 'the stamped message on the other instance');
		((guest.doc.getMap('messages').get(id) as Y.Map<unknown>).get('text') as Y.Text).insert(0, 'Hijacked: ');
		await waitFor(() => on(writer)?.text === 'Across' && on(guest)?.text === 'Across', 5000, 'the edit reverted on both instances');
	});

	it('revoking a link on one instance closes its sockets on the other within R', async () => {
		const canvasId = await createCanvas(instances[0].url, owner, 'Revoked across instances');
		const link = await api(instances[0].url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token, body: { access: 'edit', audience: 'anyone' } });
		const guest = connect(instances[1], canvasId, `share:${link.body.token}`);
		await guest.synced;
		const closed = new Promise<string>((resolve) => guest.provider.on('close', ({ event }: { event: CloseEvent }) => resolve(event.reason)));
		const started = Date.now();
		expect((await api(instances[0].url, `/api/v1/share-links/${link.body.id}`, { method: 'DELETE', token: owner.token })).status).toBe(204);
		expect(await closed).toBe('ACCESS_CHANGED');
		const revocationMs = Date.now() - started;
		console.log(`cross-instance revocation: ${revocationMs} ms`);
		expect(revocationMs).toBeLessThan(5_000);
		await expect(connect(instances[1], canvasId, `share:${link.body.token}`).synced).rejects.toThrow('GONE');
	});

	it('moving a canvas to the trash on one instance closes its sockets on the other, keeping the last edit for a restore', async () => {
		const canvasId = await createCanvas(instances[0].url, owner, 'Trashed across instances');
		const editor = connect(instances[1], canvasId);
		await editor.synced;
		seedCanvas(editor.records);
		editor.records.set('shape:last', testShape('shape:last'));
		await waitFor(() => !editor.provider.hasUnsyncedChanges, 5000, 'the edit acknowledged');
		const closed = new Promise<string>((resolve) => editor.provider.on('close', ({ event }: { event: CloseEvent }) => event.reason && resolve(event.reason)));
		expect((await api(instances[0].url, `/api/v1/canvases/${canvasId}`, { method: 'DELETE', token: owner.token })).status).toBe(200);
		expect(await closed).toBe('TRASHED');
		await expect(connect(instances[1], canvasId).synced).rejects.toThrow('NOT_FOUND');
		expect((await api(instances[1].url, `/api/v1/canvases/${canvasId}/restore`, { method: 'POST', token: owner.token })).status).toBe(200);
		const reader = connect(instances[0], canvasId);
		await reader.synced;
		expect(reader.records.has('shape:last')).toBe(true);
	});

	it("revoking an API key on one instance closes that key's sockets on the other, and no one else's", async () => {
		const canvasId = await createCanvas(instances[0].url, owner, 'Keyed across instances');
		const created = await api(instances[0].url, `/api/v1/teams/${owner.personalTeamId}/api-keys`, {
			token: owner.token,
			body: { name: 'Far away', scopes: ['canvases:write'] }
		});
		expect(created.status).toBe(201);
		const keyed = connect(instances[1], canvasId, created.body.token);
		const person = connect(instances[1], canvasId);
		await Promise.all([keyed.synced, person.synced]);
		let personClosed = false;
		person.provider.on('close', () => (personClosed = true));
		const closed = new Promise<string>((resolve) => keyed.provider.on('close', ({ event }: { event: CloseEvent }) => resolve(event.reason)));
		expect((await api(instances[0].url, `/api/v1/api-keys/${created.body.apiKey.id}`, { method: 'DELETE', token: owner.token })).status).toBe(204);
		expect(await closed).toBe('ACCESS_REVOKED');
		await expect(connect(instances[1], canvasId, created.body.token).synced).rejects.toThrow('UNAUTHENTICATED');
		expect(personClosed).toBe(false);
	});

	it('signing out on one instance closes that session’s sockets on the other', async () => {
		const user = await signUp(instances[1].url, 'Leaver');
		const canvasId = await createCanvas(instances[1].url, user, 'Mine');
		const client = connect(instances[1], canvasId, user.token);
		await client.synced;
		const closed = new Promise<string>((resolve) => client.provider.on('close', ({ event }: { event: CloseEvent }) => resolve(event.reason)));
		await api(instances[0].url, '/api/v1/auth/logout', { method: 'POST', token: user.token });
		expect(await closed).toBe('UNAUTHENTICATED');
	});

	it('sign-in attempts are counted across instances', async () => {
		const attempt = (instance: RunningServer) => api(instance.url, '/api/v1/auth/login', { body: { email: owner.email, password: 'not the password' } });
		expect((await attempt(instances[0])).status).toBe(401);
		expect((await attempt(instances[1])).status).toBe(401);
		expect((await attempt(instances[0])).status).toBe(401);
		const limited = await attempt(instances[1]);
		expect(limited.status).toBe(429);
		expect(limited.body.error.code).toBe('RATE_LIMITED');
	});

	it('with Redis away for 10 s each instance keeps serving its clients, and all converge when it returns', async () => {
		const canvasId = await createCanvas(instances[0].url, owner, 'Redis outage');
		const group = await splitClients(canvasId, 4);
		const [onFirst, onSecond] = [group.filter((_, i) => i % 2 === 0), group.filter((_, i) => i % 2 === 1)];
		await editRandomly(group, 10, 'before');
		await expectConverged(group, 5_000, 'convergence before the outage');

		redisProxy.cut();
		const outageEnds = Date.now() + 10_000;
		while (Date.now() < outageEnds) {
			await editRandomly(group, 5, 'during');
			// Each instance still relays between its own clients.
			await expectConverged(onFirst, 5_000, 'clients of the first instance during the outage');
			await expectConverged(onSecond, 5_000, 'clients of the second instance during the outage');
		}
		redisProxy.restore();
		await expectConverged(group, 15_000, 'all clients after Redis returned');
		await editRandomly(group, 5, 'after');
		await expectConverged(group, 5_000, 'convergence after the outage');
		await leaveAndExpectStored(group, canvasId);
	}, 60_000);

	it('restarting one instance under load loses nothing', async () => {
		const canvasId = await createCanvas(instances[0].url, owner, 'Rolling restart');
		const group = await splitClients(canvasId, 4);
		let editing = true;
		const load = (async () => {
			while (editing) await editRandomly(group, 1, 'restart');
		})();
		await new Promise((resolve) => setTimeout(resolve, 1_000));
		const exitCode = await instances[1].stop('SIGTERM');
		expect(exitCode, instances[1].output().slice(-2000)).toBe(0);
		await new Promise((resolve) => setTimeout(resolve, 500));
		instances[1] = await instances[1].restart();
		await new Promise((resolve) => setTimeout(resolve, 1_500));
		editing = false;
		await load;
		await expectConverged(group, 10_000, 'clients after the restart');
		await leaveAndExpectStored(group, canvasId);
	}, 60_000);
});
