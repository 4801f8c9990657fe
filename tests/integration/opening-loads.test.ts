// OpeningLoads inside a real Hocuspocus server: reading what is stored, loading it for the socket that
// follows without reading the database twice, and letting it go when no socket comes.
import { Server } from '@hocuspocus/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { OpeningLoads } from '../../server/collab/opening-loads.ts';
import { Persistence } from '../../server/collab/persistence.ts';
import type { Database } from '../../src/lib/server/db/index.ts';
import { createLogger } from '../../src/lib/server/logger.ts';
import { connectCanvas, waitFor } from '../helpers/clients.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

const HOLD_MS = 300;

describeEachDatabase('loading a document for its opening', (database) => {
	let server: Server;
	let openings: OpeningLoads;
	let url: string;
	/** Transactions the server side has started (every document read is one). */
	let transactions = 0;

	beforeAll(async () => {
		const real = database().db;
		const db = new Proxy(real, {
			get(target, property, receiver) {
				const value = Reflect.get(target, property, receiver);
				if (property !== 'transaction' || typeof value !== 'function') return value;
				return (...args: unknown[]) => {
					transactions++;
					return value.apply(target, args);
				};
			}
		}) as Database;
		const persistence = new Persistence({ db, logger: createLogger('silent'), batchMs: 20 });
		server = new Server({ port: 0, address: '127.0.0.1', quiet: true, stopOnSignals: false, debounce: 50, maxDebounce: 200, extensions: [persistence] });
		await server.listen();
		url = `ws://127.0.0.1:${(server.httpServer.address() as { port: number }).port}`;
		openings = new OpeningLoads({ hocuspocus: server.hocuspocus, db, logger: createLogger('silent'), holdMs: HOLD_MS });
	});

	afterAll(async () => {
		openings.close();
		await server.destroy();
	});

	/** A stored, unloaded document holding `count` records. */
	async function storedDocument(count: number): Promise<string> {
		const name = `canvas:${crypto.randomUUID()}`;
		const writer = connectCanvas(url, name, 'token');
		await writer.synced;
		writer.doc.transact(() => {
			for (let i = 0; i < count; i++) writer.records.set(`shape:${i}`, { i });
		});
		await waitFor(() => !writer.provider.hasUnsyncedChanges);
		writer.destroy();
		await waitFor(() => !server.hocuspocus.documents.has(name), 10_000, 'the document to unload');
		return name;
	}

	it('reads the stored updates, loads the document from them without another read, and unloads it when no socket comes', async () => {
		const name = await storedDocument(50);
		const opening = await openings.read(name);
		const doc = new Y.Doc();
		for (const update of opening.updates) Y.applyUpdate(doc, update);
		expect(doc.getMap('records').size).toBe(50);

		const readsBefore = transactions;
		opening.startLoading();
		await waitFor(() => server.hocuspocus.documents.has(name), 5_000, 'the document to load');
		expect(server.hocuspocus.documents.get(name)!.getMap('records').size).toBe(50);
		expect(transactions).toBe(readsBefore);

		await waitFor(() => !server.hocuspocus.documents.has(name), HOLD_MS + 5_000, 'the unused document to unload');
	});

	it('keeps the document for the socket that connected in time, and unloads it after that socket leaves', async () => {
		const name = await storedDocument(5);
		const opening = await openings.read(name);
		opening.startLoading();
		await waitFor(() => server.hocuspocus.documents.has(name), 5_000, 'the document to load');
		const loaded = server.hocuspocus.documents.get(name);

		const reader = connectCanvas(url, name, 'token');
		await reader.synced;
		await new Promise((resolve) => setTimeout(resolve, HOLD_MS * 2));
		expect(server.hocuspocus.documents.get(name)).toBe(loaded);
		expect(reader.records.size).toBe(5);

		reader.destroy();
		await waitFor(() => !server.hocuspocus.documents.has(name), 10_000, 'the document to unload');
	});

	it('leaves a document that is already open alone', async () => {
		const name = `canvas:${crypto.randomUUID()}`;
		const editor = connectCanvas(url, name, 'token');
		await editor.synced;
		editor.records.set('shape:live', { live: true });
		await waitFor(() => !editor.provider.hasUnsyncedChanges);
		const live = server.hocuspocus.documents.get(name);

		const opening = await openings.read(name);
		opening.startLoading();
		await new Promise((resolve) => setTimeout(resolve, HOLD_MS * 2));
		expect(server.hocuspocus.documents.get(name)).toBe(live);
		editor.records.set('shape:still-live', { live: true });
		await waitFor(() => !editor.provider.hasUnsyncedChanges);
		editor.destroy();
	});
});
