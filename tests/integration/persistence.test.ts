import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { count, eq } from 'drizzle-orm';
import { documentUpdates, documents } from '../../src/lib/server/db/schema.ts';
import {
	appendDocumentUpdates,
	compactDocument,
	loadStoredDocument
} from '../../src/lib/server/documents/document-store.ts';
import { UpdateLog } from '../../src/lib/server/documents/update-log.ts';
import type { Queryable } from '../../src/lib/server/db/index.ts';
import { describeEachDatabase } from '../helpers/databases.ts';

function docFromStored(stored: { snapshot: Uint8Array | null; updates: Uint8Array[] }): Y.Doc {
	const doc = new Y.Doc();
	if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
	for (const update of stored.updates) Y.applyUpdate(doc, update);
	return doc;
}

/** Records every update a doc emits, the way Hocuspocus's onChange hands them to the log. */
function recordUpdates(doc: Y.Doc, sink: (update: Uint8Array) => void) {
	doc.on('update', (update: Uint8Array) => sink(update));
}

const waitFor = async (check: () => boolean | Promise<boolean>, timeoutMs = 5000) => {
	const started = Date.now();
	while (!(await check())) {
		if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
};

describeEachDatabase('document persistence', (database) => {
	it('loads snapshot + log tail into the same state the editor had', async () => {
		const { db } = database();
		const name = `canvas:${crypto.randomUUID()}`;
		const doc = new Y.Doc();
		const pending: Uint8Array[] = [];
		recordUpdates(doc, (update) => pending.push(update));
		const records = doc.getMap('records');
		records.set('shape:a', { id: 'shape:a', x: 1 });
		records.set('shape:b', { id: 'shape:b', x: 2 });
		const written = await appendDocumentUpdates(db, pending.splice(0).map((update) => ({ document: name, update })));
		// Compact what is in memory, covering the rows written so far.
		await compactDocument(db, name, Y.encodeStateAsUpdate(doc), Y.encodeStateVector(doc), written.get(name)!);
		records.set('shape:c', { id: 'shape:c', x: 3 });
		records.delete('shape:a');
		await appendDocumentUpdates(db, pending.splice(0).map((update) => ({ document: name, update })));

		const stored = await loadStoredDocument(db, name);
		expect(stored.snapshot).not.toBeNull();
		expect(stored.updates).toHaveLength(2);
		expect(docFromStored(stored).getMap('records').toJSON()).toEqual(records.toJSON());
	});

	it('compaction trims exactly the log rows it covers', async () => {
		const { db } = database();
		const name = `canvas:${crypto.randomUUID()}`;
		const doc = new Y.Doc();
		const pending: Uint8Array[] = [];
		recordUpdates(doc, (update) => pending.push(update));
		for (let i = 0; i < 5; i++) doc.getMap('records').set(`shape:${i}`, { i });
		const first = await appendDocumentUpdates(db, pending.splice(0).map((update) => ({ document: name, update })));
		const snapshot = Y.encodeStateAsUpdate(doc);
		// An update that arrives after the snapshot was taken must survive the trim.
		doc.getMap('records').set('shape:late', { late: true });
		await appendDocumentUpdates(db, pending.splice(0).map((update) => ({ document: name, update })));
		await compactDocument(db, name, snapshot, Y.encodeStateVector(doc), first.get(name)!);

		const [{ value: rows }] = await db.select({ value: count() }).from(documentUpdates).where(eq(documentUpdates.document, name));
		expect(rows).toBe(1);
		expect(docFromStored(await loadStoredDocument(db, name)).getMap('records').get('shape:late')).toEqual({ late: true });
	});

	it('a crash between an appended batch and compaction loses nothing', async () => {
		const { db } = database();
		const name = `canvas:${crypto.randomUUID()}`;
		const doc = new Y.Doc();
		const log = new UpdateLog(db, { batchMs: 20 });
		recordUpdates(doc, (update) => log.append(name, update));
		for (let i = 0; i < 50; i++) doc.getMap('records').set(`shape:${i % 7}`, { i });
		await log.flushAll();
		log.close(); // the "crash": no compaction ever ran
		const [{ value: snapshots }] = await db.select({ value: count() }).from(documents).where(eq(documents.name, name));
		expect(snapshots).toBe(0);
		expect(docFromStored(await loadStoredDocument(db, name)).getMap('records').toJSON()).toEqual(doc.getMap('records').toJSON());
	});

	it('the update log writes batches within its window and merges each document into one row', async () => {
		const { db } = database();
		const name = `canvas:${crypto.randomUUID()}`;
		const log = new UpdateLog(db, { batchMs: 50 });
		const doc = new Y.Doc();
		recordUpdates(doc, (update) => log.append(name, update));
		for (let i = 0; i < 20; i++) doc.getMap('records').set(`shape:${i}`, { i });
		expect(log.hasUnsaved(name)).toBe(true);
		await waitFor(() => !log.hasUnsaved(name), 2000);
		const stored = await loadStoredDocument(db, name);
		expect(stored.updates).toHaveLength(1);
		expect(docFromStored(stored).getMap('records').size).toBe(20);
		log.close();
	});

	it('tells when one document is saved, even while others keep the log busy', async () => {
		const { db } = database();
		const quiet = `canvas:${crypto.randomUUID()}`;
		const busy = `canvas:${crypto.randomUUID()}`;
		const log = new UpdateLog(db, { batchMs: 10 });
		const quietDoc = new Y.Doc();
		recordUpdates(quietDoc, (update) => log.append(quiet, update));
		const busyDoc = new Y.Doc();
		recordUpdates(busyDoc, (update) => log.append(busy, update));
		let editing = true;
		const busyLoop = (async () => {
			for (let i = 0; editing; i++) {
				busyDoc.getMap('records').set(`shape:${i % 5}`, { i });
				await new Promise((resolve) => setTimeout(resolve, 1));
			}
		})();
		quietDoc.getMap('records').set('shape:1', { quiet: true });
		expect(log.hasUnsaved(quiet)).toBe(true);
		const saved = log.whenSaved(quiet).then(() => 'saved');
		const timeout = new Promise((resolve) => setTimeout(resolve, 2000, 'still waiting'));
		expect(await Promise.race([saved, timeout])).toBe('saved');
		expect(log.hasUnsaved(quiet)).toBe(false);
		expect(docFromStored(await loadStoredDocument(db, quiet)).getMap('records').get('shape:1')).toEqual({ quiet: true });
		editing = false;
		await busyLoop;
		await log.flushAll();
		log.close();
	});

	it('keeps updates and retries with backoff while the database fails', async () => {
		const { db } = database();
		const name = `canvas:${crypto.randomUUID()}`;
		let failuresLeft = 3;
		const failures: number[] = [];
		// A database whose inserts fail three times, like a Postgres that is briefly unreachable.
		const flaky = new Proxy(db, {
			get(target, property, receiver) {
				if (property === 'insert' && failuresLeft > 0) {
					return () => {
						failuresLeft--;
						throw new Error('connection refused');
					};
				}
				return Reflect.get(target, property, receiver);
			}
		}) as Queryable;
		const log = new UpdateLog(flaky, { batchMs: 10, maxBackoffMs: 50, onFlushFailed: (_error, attempt) => failures.push(attempt) });
		const doc = new Y.Doc();
		recordUpdates(doc, (update) => log.append(name, update));
		doc.getMap('records').set('shape:1', { before: true });
		await waitFor(() => failures.length >= 1);
		doc.getMap('records').set('shape:2', { during: true });
		await waitFor(() => !log.hasUnsaved(name), 5000);
		expect(failures).toEqual([1, 2, 3]);
		expect(docFromStored(await loadStoredDocument(db, name)).getMap('records').toJSON()).toEqual({
			'shape:1': { before: true },
			'shape:2': { during: true }
		});
		log.close();
	});
});

describe('document names', () => {
	it('only canvas:<uuid> names are canvas documents', async () => {
		const { parseCanvasDocumentName } = await import('../../src/lib/server/canvases.ts');
		const id = crypto.randomUUID();
		expect(parseCanvasDocumentName(`canvas:${id}`)).toBe(id);
		for (const bad of ['', 'canvas:', `chat:${id}`, `canvas:${id}x`, `canvas:../${id}`, 'canvas:not-a-uuid']) {
			expect(parseCanvasDocumentName(bad)).toBeNull();
		}
	});
});
