import { TLDOCUMENT_ID, UserRecordType, createUserId } from 'tldraw';
import type { SerializedSchemaV2, TLGeoShape, TLRecord, TLShapeId, TLStore } from 'tldraw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { META_MAP, RECORDS_MAP, REVERT_GUARD, bindStoreToYjs } from '../../../src/lib/canvas/yjs-binding.ts';
import type { YjsBinding } from '../../../src/lib/canvas/yjs-binding.ts';
import { DEFAULT_PAGE_ID, FROM_PEER, countOwnWrites, newStore, rectangle, relay } from './helpers.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
	while (cleanups.length) cleanups.pop()!();
	vi.restoreAllMocks();
});

interface Client {
	store: TLStore;
	doc: Y.Doc;
	binding: YjsBinding;
	records: Y.Map<TLRecord>;
}

function client(readOnly = false, doc = new Y.Doc()): Client {
	const store = newStore();
	const binding = bindStoreToYjs({ store, doc, readOnly });
	cleanups.push(() => binding.dispose());
	return { store, doc, binding, records: doc.getMap<TLRecord>(RECORDS_MAP) };
}

/** Two read-write clients whose docs exchange updates; `a` seeded the doc, `b` loaded it. */
function pair() {
	const a = client();
	const b = client();
	cleanups.push(relay(a.doc, b.doc));
	a.binding.ready();
	b.binding.ready();
	return { a, b };
}

const shapeIn = (store: TLStore, name: string) => store.get(rectangle(name).id) as TLGeoShape | undefined;

describe('bindStoreToYjs', () => {
	it('seeds an empty doc with the document, the first page and the schema', () => {
		const a = client();
		a.binding.ready();
		expect([...a.records.keys()].sort()).toEqual([TLDOCUMENT_ID, DEFAULT_PAGE_ID].sort());
		expect(a.doc.getMap(META_MAP).get('schema')).toEqual(a.store.schema.serialize());
	});

	it('loads what is in the doc instead of seeding', () => {
		const { b } = pair();
		expect(b.store.get(DEFAULT_PAGE_ID)?.typeName).toBe('page');
		expect(b.store.get(TLDOCUMENT_ID)).toBeDefined();
	});

	it('converges: a shape created, moved and deleted on one side does the same on the other', () => {
		const { a, b } = pair();

		a.store.put([rectangle('box', 10)]);
		expect(shapeIn(b.store, 'box')).toEqual(shapeIn(a.store, 'box'));

		b.store.update(rectangle('box').id as TLShapeId, (shape) => ({ ...shape, x: 250 }));
		expect(shapeIn(a.store, 'box')?.x).toBe(250);

		a.store.remove([rectangle('box').id]);
		expect(shapeIn(b.store, 'box')).toBeUndefined();
		expect(b.records.has(rectangle('box').id)).toBe(false);
	});

	it('writes one store change as one Yjs transaction', () => {
		const { a } = pair();
		const writes = countOwnWrites(a.doc);
		a.store.put([rectangle('one', 0, 'a1'), rectangle('two', 100, 'a2'), rectangle('three', 200, 'a3')]);
		expect(writes.count).toBe(1);
		expect(a.records.size).toBe(5);
	});

	it('does not echo remote changes back into the doc', () => {
		const { a, b } = pair();
		const writesByB = countOwnWrites(b.doc);
		a.store.put([rectangle('box')]);
		a.store.update(rectangle('box').id as TLShapeId, (shape) => ({ ...shape, x: 42 }));
		expect(shapeIn(b.store, 'box')?.x).toBe(42);
		expect(writesByB.count).toBe(0);
	});

	it('ignores the doc until ready, then loads everything at once', () => {
		const a = client();
		const b = client();
		cleanups.push(relay(a.doc, b.doc));
		a.binding.ready();
		a.store.put([rectangle('early')]);
		expect(shapeIn(b.store, 'early')).toBeUndefined();
		b.binding.ready();
		expect(shapeIn(b.store, 'early')).toEqual(shapeIn(a.store, 'early'));
	});

	describe('read-only', () => {
		it('never seeds an empty doc', () => {
			const viewer = client(true);
			const writes = countOwnWrites(viewer.doc);
			viewer.binding.ready();
			expect(viewer.records.size).toBe(0);
			expect(viewer.doc.getMap(META_MAP).size).toBe(0);
			expect(writes.count).toBe(0);
		});

		it('receives changes but never writes its own', () => {
			const editor = client();
			const viewer = client(true);
			cleanups.push(relay(editor.doc, viewer.doc));
			editor.binding.ready();
			viewer.binding.ready();
			const writes = countOwnWrites(viewer.doc);

			editor.store.put([rectangle('shared')]);
			expect(shapeIn(viewer.store, 'shared')).toBeDefined();

			viewer.store.put([rectangle('local-only', 500)]);
			viewer.store.update(rectangle('shared').id as TLShapeId, (shape) => ({ ...shape, x: 999 }));
			expect(writes.count).toBe(0);
			expect(shapeIn(editor.store, 'local-only')).toBeUndefined();
			expect(shapeIn(editor.store, 'shared')?.x).toBe(0);
		});

		it('stops writing once switched to read-only', () => {
			const { a, b } = pair();
			b.binding.setReadOnly(true);
			const writes = countOwnWrites(b.doc);
			b.store.put([rectangle('after-downgrade')]);
			expect(writes.count).toBe(0);
			expect(shapeIn(a.store, 'after-downgrade')).toBeUndefined();
		});
	});

	describe('bad remote records', () => {
		it('skips a bad record and still applies the rest of the same update', () => {
			const { b } = pair();
			// A buggy or hostile peer writing straight into the doc, past any binding.
			const peer = new Y.Doc();
			cleanups.push(relay(peer, b.doc));
			const peerRecords = peer.getMap<TLRecord>(RECORDS_MAP);
			const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
			const notANumber = { ...rectangle('nan'), x: Number.NaN };
			const missingProps = { ...rectangle('no-props'), props: {} };
			const misfiled = rectangle('misfiled');
			// Valid, but session-scope: it belongs to one tab, never to the shared document.
			const sessionRecord = { id: 'camera:page:elsewhere', typeName: 'camera', x: 0, y: 0, z: 1, meta: {} };
			peer.transact(() => {
				peerRecords.set(notANumber.id, notANumber);
				peerRecords.set(missingProps.id, missingProps as unknown as TLRecord);
				peerRecords.set('shape:somewhere-else', misfiled);
				peerRecords.set(sessionRecord.id, sessionRecord as unknown as TLRecord);
				peerRecords.set(rectangle('good').id, rectangle('good', 7));
			});

			expect(shapeIn(b.store, 'good')?.x).toBe(7);
			expect(shapeIn(b.store, 'nan')).toBeUndefined();
			expect(shapeIn(b.store, 'no-props')).toBeUndefined();
			expect(b.store.get('shape:somewhere-else' as TLShapeId)).toBeUndefined();
			expect(shapeIn(b.store, 'misfiled')).toBeUndefined();
			expect(b.store.get(sessionRecord.id as TLRecord['id'])).toBeUndefined();
			expect(warn).toHaveBeenCalledTimes(4);
		});

		it('keeps the last good version when an update to a record is bad', () => {
			const { a, b } = pair();
			const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
			a.store.put([rectangle('box', 5)]);
			const peer = new Y.Doc();
			Y.applyUpdate(peer, Y.encodeStateAsUpdate(a.doc));
			cleanups.push(relay(peer, b.doc));
			peer.getMap<TLRecord>(RECORDS_MAP).set(rectangle('box').id, { ...rectangle('box'), x: Number.NaN });
			expect((b.records.get(rectangle('box').id) as TLGeoShape).x).toBeNaN();
			expect(shapeIn(b.store, 'box')?.x).toBe(5);
			expect(warn).toHaveBeenCalledOnce();
		});

		it('skips bad records on the initial load too', () => {
			const seeder = client();
			seeder.binding.ready();
			seeder.store.put([rectangle('good')]);
			const doc = cloneDoc(seeder.doc);
			doc.getMap<TLRecord>(RECORDS_MAP).set(rectangle('bad').id, { ...rectangle('bad'), x: Number.NaN });
			const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});

			const late = client(false, doc);
			late.binding.ready();
			expect(shapeIn(late.store, 'good')).toBeDefined();
			expect(shapeIn(late.store, 'bad')).toBeUndefined();
			expect(late.store.get(DEFAULT_PAGE_ID)).toBeDefined();
			expect(warn).toHaveBeenCalledOnce();
		});
	});

	describe('schema migration', () => {
		/** A doc written before geo shapes had flipX/flipY (geo shape version 11). */
		function docFromBeforeGeoFlip(store: TLStore): Y.Doc {
			const schema = store.schema.serialize();
			const oldSchema: SerializedSchemaV2 = { ...schema, sequences: { ...schema.sequences, 'com.tldraw.shape.geo': 11 } };
			const { flipX: _flipX, flipY: _flipY, ...oldProps } = rectangle('old').props;
			const seeder = client();
			seeder.binding.ready();
			const doc = cloneDoc(seeder.doc);
			doc.transact(() => {
				doc.getMap(RECORDS_MAP).set(rectangle('old').id, { ...rectangle('old'), props: oldProps });
				doc.getMap(META_MAP).set('schema', oldSchema);
			});
			return doc;
		}

		it('migrates an older doc on load and upgrades it when it may write', () => {
			const reader = client(false, docFromBeforeGeoFlip(newStore()));
			reader.binding.ready();
			expect(shapeIn(reader.store, 'old')?.props.flipX).toBe(false);
			const stored = reader.records.get(rectangle('old').id) as TLGeoShape;
			expect(stored.props.flipX).toBe(false);
			expect(reader.doc.getMap(META_MAP).get('schema')).toEqual(reader.store.schema.serialize());
		});

		it('migrates for itself but leaves the doc alone when read-only', () => {
			const doc = docFromBeforeGeoFlip(newStore());
			const before = Y.encodeStateAsUpdate(doc);
			const viewer = client(true, doc);
			viewer.binding.ready();
			expect(shapeIn(viewer.store, 'old')?.props.flipX).toBe(false);
			expect(Y.encodeStateAsUpdate(doc)).toEqual(before);

			// Later old-format records arriving remotely are migrated one by one.
			const { flipX: _flipX, flipY: _flipY, ...oldProps } = rectangle('later').props;
			doc.getMap(RECORDS_MAP).set(rectangle('later').id, { ...rectangle('later'), props: oldProps });
			expect(shapeIn(viewer.store, 'later')?.props.flipY).toBe(false);
		});
	});
});

describe('what the binding shares', () => {
	it('never writes user records (identity comes from accounts) nor anything tab-scoped, on seeding or later', () => {
		const a = client();
		a.store.put([UserRecordType.create({ id: createUserId('me'), name: 'Me', color: '#f00' })]);
		a.binding.ready();
		a.store.put([UserRecordType.create({ id: createUserId('me'), name: 'Me again', color: '#0f0' }), rectangle('box')]);
		expect([...a.records.keys()].sort()).toEqual([TLDOCUMENT_ID, DEFAULT_PAGE_ID, rectangle('box').id].sort());
	});

	it('keeps its own user record when the doc loads', () => {
		const { a } = pair();
		const b = client(false, cloneDoc(a.doc));
		b.store.put([UserRecordType.create({ id: createUserId('me'), name: 'Me', color: '#f00' })]);
		b.binding.ready();
		expect(b.store.get(createUserId('me'))?.name).toBe('Me');
	});
});

describe('when the server keeps reverting a write', () => {
	/** A tab whose doc talks to a "server" doc that reverts every write of `refusedId`, and that rewrites it each time (as tldraw did with its user record). */
	function loopingTab(refusedId: string) {
		const tab = client();
		const server = new Y.Doc();
		cleanups.push(relay(tab.doc, server));
		const serverRecords = server.getMap<TLRecord>(RECORDS_MAP);
		let reverts = 0;
		serverRecords.observe((event, transaction) => {
			if (transaction.origin !== FROM_PEER || !event.keysChanged.has(refusedId)) return;
			reverts++;
			const previous = event.changes.keys.get(refusedId)!;
			server.transact(() => (previous.action === 'add' ? serverRecords.delete(refusedId) : serverRecords.set(refusedId, previous.oldValue)));
		});
		tab.binding.ready();
		const refused = rectangle('refused');
		const stop = tab.store.listen(() => setTimeout(() => tab.store.put([{ ...refused, x: Math.random() }]), 0), { source: 'remote', scope: 'document' });
		cleanups.push(stop);
		tab.store.put([refused]);
		return { tab, reverts: () => reverts };
	}

	it('stops sending that record after a few rounds and says so, so the two never loop', async () => {
		const error = vi.spyOn(console, 'error').mockImplementation(() => {});
		const { tab, reverts } = loopingTab(rectangle('refused').id);
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(reverts()).toBe(REVERT_GUARD.reverts);
		expect(error).toHaveBeenCalledWith(expect.stringContaining(rectangle('refused').id));
		// Other records still sync.
		tab.store.put([rectangle('fine')]);
		expect(tab.records.has(rectangle('fine').id)).toBe(true);
	});

	it('does not hold back a record that another collaborator keeps changing', () => {
		const { a, b } = pair();
		for (let round = 0; round < 10; round++) {
			a.store.put([rectangle('contested', round * 2)]);
			b.store.put([rectangle('contested', round * 2 + 1)]);
		}
		expect(a.records.get(rectangle('contested').id)).toMatchObject({ x: 19 });
		expect(shapeIn(a.store, 'contested')?.x).toBe(19);
	});
});

function cloneDoc(doc: Y.Doc): Y.Doc {
	const copy = new Y.Doc();
	Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
	return copy;
}
