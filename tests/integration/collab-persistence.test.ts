// The persistence and limit extensions inside a real Hocuspocus server, with a database that can be cut.
import { Server } from '@hocuspocus/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Persistence } from '../../server/collab/persistence.ts';
import { DocumentSizeLimit } from '../../server/collab/limits.ts';
import type { Database } from '../../src/lib/server/db/index.ts';
import { loadStoredDocument } from '../../src/lib/server/documents/document-store.ts';
import { createLogger } from '../../src/lib/server/logger.ts';
import { connectCanvas, countingWebSocket, waitFor } from '../helpers/clients.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

describeEachDatabase('collaboration persistence under database failure', (database) => {
	let server: Server;
	let databaseDown = false;
	let url: string;

	beforeAll(async () => {
		const real = database().db;
		// The database as the server sees it: every query fails while `databaseDown` is set.
		const db = new Proxy(real, {
			get(target, property, receiver) {
				const value = Reflect.get(target, property, receiver);
				if (typeof value !== 'function') return value;
				return (...args: unknown[]) => {
					if (databaseDown) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
					return value.apply(target, args);
				};
			}
		}) as Database;
		const sizeLimit = new DocumentSizeLimit(64 * 1024);
		const persistence = new Persistence({ db, logger: createLogger('silent'), batchMs: 20, onStoredSize: (name, bytes) => sizeLimit.setSize(name, bytes) });
		server = new Server({
			port: 0,
			address: '127.0.0.1',
			quiet: true,
			stopOnSignals: false,
			debounce: 50,
			maxDebounce: 200,
			extensions: [sizeLimit, persistence]
		});
		await server.listen();
		url = `ws://127.0.0.1:${(server.httpServer.address() as { port: number }).port}`;
	});

	afterAll(async () => {
		databaseDown = false;
		await server.destroy();
	});

	it('keeps a document with unsaved changes in memory while the database is down, and stores it when it returns', async () => {
		const name = `canvas:${crypto.randomUUID()}`;
		const client = connectCanvas(url, name, 'token');
		await client.synced;
		client.records.set('shape:before', { ok: true });
		await waitFor(async () => (await loadStoredDocument(database().db, name)).updates.length > 0 || !!(await loadStoredDocument(database().db, name)).snapshot);

		databaseDown = true;
		client.records.set('shape:during', { ok: true });
		await waitFor(() => !client.provider.hasUnsyncedChanges, 5000, 'the server to acknowledge');
		client.destroy();
		// The last client left, but the document is not unloaded: its update is not stored yet.
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(server.hocuspocus.documents.has(name)).toBe(true);

		databaseDown = false;
		await waitFor(() => !server.hocuspocus.documents.has(name), 15_000, 'the document to unload after the retry');
		const stored = await loadStoredDocument(database().db, name);
		const doc = new Y.Doc();
		if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
		for (const update of stored.updates) Y.applyUpdate(doc, update);
		expect(doc.getMap('records').toJSON()).toEqual({ 'shape:before': { ok: true }, 'shape:during': { ok: true } });
	});

	it('refuses a connection when the document cannot be loaded, instead of serving an empty one', async () => {
		const name = `canvas:${crypto.randomUUID()}`;
		const writer = connectCanvas(url, name, 'token');
		await writer.synced;
		writer.records.set('shape:precious', { keep: true });
		await waitFor(() => !writer.provider.hasUnsyncedChanges);
		writer.destroy();
		await waitFor(() => !server.hocuspocus.documents.has(name), 10_000, 'unload');

		databaseDown = true;
		const refused = connectCanvas(url, name, 'token');
		await expect(refused.synced).rejects.toThrow('UNAVAILABLE');
		expect(refused.records.size).toBe(0);
		refused.destroy();
		expect(server.hocuspocus.documents.has(name)).toBe(false);

		databaseDown = false;
		const reader = connectCanvas(url, name, 'token');
		await reader.synced;
		expect(reader.records.get('shape:precious')).toEqual({ keep: true });
		reader.destroy();
	});

	it('sends a reopened canvas to its first client once', async () => {
		const name = `canvas:${crypto.randomUUID()}`;
		const writer = connectCanvas(url, name, 'token');
		await writer.synced;
		writer.doc.transact(() => {
			for (let i = 0; i < 40; i++) writer.records.set(`shape:${i}`, { text: String(i).padEnd(1000, '.') });
		});
		await waitFor(() => !writer.provider.hasUnsyncedChanges);
		// What one copy weighs (what is stored can be larger: log rows racing compaction stay until the next).
		const canvasBytes = Y.encodeStateAsUpdate(writer.doc).byteLength;
		writer.destroy();
		await waitFor(() => !server.hocuspocus.documents.has(name), 10_000, 'the document to unload');

		const received = { bytes: 0 };
		const reader = connectCanvas(url, name, 'token', new Y.Doc(), { WebSocketPolyfill: countingWebSocket(received) });
		await reader.synced;
		await new Promise((resolve) => setTimeout(resolve, 300)); // a second copy would follow within a tick
		expect(reader.records.size).toBe(40);
		expect(received.bytes).toBeGreaterThan(canvasBytes);
		expect(received.bytes).toBeLessThan(canvasBytes * 1.5);
		reader.destroy();
	});

	it('refuses changes that would take a document past its size limit, keeping what it had', async () => {
		const name = `canvas:${crypto.randomUUID()}`;
		const client = connectCanvas(url, name, 'token');
		await client.synced;
		client.records.set('shape:small', { text: 'fits' });
		await waitFor(() => !client.provider.hasUnsyncedChanges);
		const closed = new Promise<string>((resolve) => client.provider.on('close', ({ event }: { event: CloseEvent }) => resolve(event.reason)));
		client.records.set('shape:huge', { text: 'x'.repeat(100 * 1024) });
		expect(await closed).toBe('PAYLOAD_TOO_LARGE');
		client.destroy();

		const reader = connectCanvas(url, name, 'token');
		await reader.synced;
		expect(reader.records.get('shape:small')).toEqual({ text: 'fits' });
		expect(reader.records.has('shape:huge')).toBe(false);
		reader.destroy();
	});
});
