import { expect, it } from 'vitest';
import * as Y from 'yjs';
import { count, eq } from 'drizzle-orm';
import { documentUpdates, documents } from '../../src/lib/server/db/schema.ts';
import { appendDocumentUpdates, compactDocument, loadStoredDocument } from '../../src/lib/server/documents/document-store.ts';
import { UpdateLog } from '../../src/lib/server/documents/update-log.ts';
import type { Queryable } from '../../src/lib/server/db/index.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { documentName } from '../../src/lib/document-names.ts';

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

const stateOf = (doc: Y.Doc) => ({ state: Y.encodeStateAsUpdate(doc), stateVector: Y.encodeStateVector(doc) });

describeEachDatabase('document persistence', (database) => {
	it('loads snapshot + log tail into the same state the editor had', async () => {
		const { db } = database();
		const name = documentName('canvas', crypto.randomUUID());
		const doc = new Y.Doc();
		const pending: Uint8Array[] = [];
		recordUpdates(doc, (update) => pending.push(update));
		const records = doc.getMap('records');
		records.set('shape:a', { id: 'shape:a', x: 1 });
		records.set('shape:b', { id: 'shape:b', x: 2 });
		await appendDocumentUpdates(
			db,
			pending.splice(0).map((update) => ({ document: name, update }))
		);
		await compactDocument(db, name, 0, () => stateOf(doc));
		records.set('shape:c', { id: 'shape:c', x: 3 });
		records.delete('shape:a');
		await appendDocumentUpdates(
			db,
			pending.splice(0).map((update) => ({ document: name, update }))
		);

		const stored = await loadStoredDocument(db, name);
		expect(stored.snapshot).not.toBeNull();
		expect(stored.updates).toHaveLength(2);
		expect(docFromStored(stored).getMap('records').toJSON()).toEqual(records.toJSON());
	});

	it('stores and reads back binary states byte for byte, whatever bytes they hold', async () => {
		const { db } = database();
		const name = documentName('canvas', crypto.randomUUID());
		// Every byte value, and long enough for PostgreSQL's base64 to wrap into many lines.
		const snapshot = new Uint8Array(70_000).map((_, i) => (i * 7919) % 256);
		const update = crypto.getRandomValues(new Uint8Array(4096));
		await compactDocument(db, name, 0, () => ({ state: snapshot, stateVector: new Uint8Array([0]) }));
		await appendDocumentUpdates(db, [
			{ document: name, update },
			{ document: name, update: new Uint8Array(0) }
		]);

		const stored = await loadStoredDocument(db, name);
		expect(Buffer.compare(stored.snapshot!, snapshot)).toBe(0);
		expect(stored.updates.map((bytes) => Buffer.from(bytes).toString('hex'))).toEqual([Buffer.from(update).toString('hex'), '']);
		expect(stored.bytes).toBe(snapshot.byteLength + update.byteLength);
	});

	it('compaction folds rows appended by another writer into the snapshot before trimming them', async () => {
		const { db } = database();
		const name = documentName('canvas', crypto.randomUUID());
		// Two instances editing one document; each has only its own changes (Redis is slow or down).
		const [first, second] = [new Y.Doc(), new Y.Doc()];
		for (const [doc, label] of [
			[first, 'a'],
			[second, 'b']
		] as const) {
			const pending: Uint8Array[] = [];
			recordUpdates(doc, (update) => pending.push(update));
			for (let i = 0; i < 3; i++) doc.getMap('records').set(`shape:${label}${i}`, { label, i });
			await appendDocumentUpdates(
				db,
				pending.map((update) => ({ document: name, update }))
			);
		}
		second.getMap('records').delete('shape:b0');
		await appendDocumentUpdates(db, [{ document: name, update: Y.encodeStateAsUpdate(second) }]);

		const merge = (doc: Y.Doc) => (stored: { foreignSnapshot: Uint8Array | null; updates: Uint8Array[] }) => {
			if (stored.foreignSnapshot) Y.applyUpdate(doc, stored.foreignSnapshot);
			for (const update of stored.updates) Y.applyUpdate(doc, update);
			return stateOf(doc);
		};
		const afterFirst = await compactDocument(db, name, 0, merge(first));
		// The first writer's copy now has everything; the log is empty.
		expect(first.getMap('records').toJSON()).toEqual(expectedRecords());
		const [{ value: rows }] = await db.select({ value: count() }).from(documentUpdates).where(eq(documentUpdates.document, name));
		expect(rows).toBe(0);

		// The second writer still thinks the snapshot is the one it never saw: it merges it, not overwrites it.
		first.getMap('records').set('shape:late', { late: true });
		await appendDocumentUpdates(db, [{ document: name, update: Y.encodeStateAsUpdate(first) }]);
		const fresh = new Y.Doc();
		Y.applyUpdate(fresh, Y.encodeStateAsUpdate(second, Y.encodeStateVector(new Y.Doc())));
		const afterSecond = await compactDocument(db, name, 0, merge(fresh));
		expect(afterSecond.revision).toBe(afterFirst.revision + 1);
		expect(
			docFromStored(await loadStoredDocument(db, name))
				.getMap('records')
				.toJSON()
		).toEqual({ ...expectedRecords(), 'shape:late': { late: true } });

		function expectedRecords() {
			const records: Record<string, unknown> = {};
			for (const label of ['a', 'b']) for (let i = 0; i < 3; i++) records[`shape:${label}${i}`] = { label, i };
			delete records['shape:b0'];
			return records;
		}
	});

	it('rows appended while a compaction runs are kept for the next one', async () => {
		const { db } = database();
		const name = documentName('canvas', crypto.randomUUID());
		const doc = new Y.Doc();
		const pending: Uint8Array[] = [];
		recordUpdates(doc, (update) => pending.push(update));
		for (let i = 0; i < 5; i++) doc.getMap('records').set(`shape:${i}`, { i });
		await appendDocumentUpdates(
			db,
			pending.splice(0).map((update) => ({ document: name, update }))
		);
		// An update written by someone else between the tail read and the commit must survive.
		const late = new Y.Doc();
		late.getMap('records').set('shape:late', { late: true });
		await compactDocument(db, name, 0, () => {
			void appendDocumentUpdates(db, [{ document: name, update: Y.encodeStateAsUpdate(late) }]);
			return stateOf(doc);
		});
		await waitFor(async () => (await loadStoredDocument(db, name)).updates.length === 1);
		expect(
			docFromStored(await loadStoredDocument(db, name))
				.getMap('records')
				.toJSON()
		).toEqual({
			...doc.getMap('records').toJSON(),
			'shape:late': { late: true }
		});
	});

	it('a crash between an appended batch and compaction loses nothing', async () => {
		const { db } = database();
		const name = documentName('canvas', crypto.randomUUID());
		const doc = new Y.Doc();
		const log = new UpdateLog(db, { batchMs: 20 });
		recordUpdates(doc, (update) => log.append(name, update));
		for (let i = 0; i < 50; i++) doc.getMap('records').set(`shape:${i % 7}`, { i });
		await log.flushAll();
		log.close(); // the "crash": no compaction ever ran
		const [{ value: snapshots }] = await db.select({ value: count() }).from(documents).where(eq(documents.name, name));
		expect(snapshots).toBe(0);
		expect(
			docFromStored(await loadStoredDocument(db, name))
				.getMap('records')
				.toJSON()
		).toEqual(doc.getMap('records').toJSON());
	});

	it('the update log writes batches within its window and merges each document into one row', async () => {
		const { db } = database();
		const name = documentName('canvas', crypto.randomUUID());
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
		const quiet = documentName('canvas', crypto.randomUUID());
		const busy = documentName('canvas', crypto.randomUUID());
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
		expect(
			docFromStored(await loadStoredDocument(db, quiet))
				.getMap('records')
				.get('shape:1')
		).toEqual({ quiet: true });
		editing = false;
		await busyLoop;
		await log.flushAll();
		log.close();
	});

	it('keeps updates and retries with backoff while the database fails', async () => {
		const { db } = database();
		const name = documentName('canvas', crypto.randomUUID());
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
		expect(
			docFromStored(await loadStoredDocument(db, name))
				.getMap('records')
				.toJSON()
		).toEqual({
			'shape:1': { before: true },
			'shape:2': { during: true }
		});
		log.close();
	});
});
