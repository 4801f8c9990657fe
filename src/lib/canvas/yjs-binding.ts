// Keeps a tldraw store and a Yjs document in step: the shared records (shared-records.ts) in
// `records`, the schema in `meta`.
//
// The server reverts a change it refuses, and the revert arrives here as a remote change. If
// something in the tab rewrote the record at once every time, the two would loop for ever, so a
// record whose writes keep being reverted is no longer sent for a while (and said so loudly).
import { DocumentRecordType, PageRecordType, TLDOCUMENT_ID, isEqual } from 'tldraw';
import type { IndexKey, SerializedSchema, TLRecord, TLStore } from 'tldraw';
import type * as Y from 'yjs';
import { isSharedRecordId } from '../shared-records.ts';

/** Name of the Y.Map holding every document-scope record, keyed by record id. */
export const RECORDS_MAP = 'records';
/** Name of the Y.Map holding document metadata; `schema` is the serialized store schema. */
export const META_MAP = 'meta';

/** Reverts of one record's writes, within the window, after which it is held back. */
export const REVERT_GUARD = { reverts: 3, windowMs: 10_000, holdMs: 30_000 };

export interface YjsBindingOptions {
	store: TLStore;
	doc: Y.Doc;
	/** A read-only binding never writes to the doc: no seeding, no local changes, no upgrades. */
	readOnly: boolean;
}

export interface YjsBinding {
	/**
	 * Call once the doc holds the server's state (or a local copy of it). Seeds an empty doc from
	 * the store (read-write only), otherwise loads the doc into the store. Idempotent.
	 */
	ready(): void;
	readonly isReady: boolean;
	/** Stop (or resume) writing, e.g. when the server grants a read-only scope. */
	setReadOnly(readOnly: boolean): void;
	dispose(): void;
}

export function bindStoreToYjs({ store, doc, readOnly }: YjsBindingOptions): YjsBinding {
	const yRecords = doc.getMap<TLRecord>(RECORDS_MAP);
	const yMeta = doc.getMap<unknown>(META_MAP);
	// Our own transactions carry this origin so the observer can skip them.
	const localOrigin = { binding: 'easel-tldraw' };
	const ourSchema = store.schema.serialize();
	let isReady = false;
	let isReadOnly = readOnly;

	/** Per record id: what the doc held before this tab's latest write of it, until a remote change answers. */
	const unanswered = new Map<string, { before: unknown }>();
	/** Per record id: recent reverts of this tab's writes, and until when it is held back. */
	const reverted = new Map<string, { times: number[]; heldUntil: number }>();

	function isHeldBack(id: string, now: number): boolean {
		const entry = reverted.get(id);
		return entry !== undefined && entry.heldUntil > now;
	}

	/** A remote change to `id` that put back what the doc held before our write is a revert. */
	function noteRemoteChange(id: string): void {
		const write = unanswered.get(id);
		if (!write) return;
		unanswered.delete(id);
		if (!isEqual(yRecords.get(id), write.before)) return;
		const now = Date.now();
		const entry = reverted.get(id) ?? { times: [], heldUntil: 0 };
		entry.times = [...entry.times.filter((at) => now - at < REVERT_GUARD.windowMs), now];
		reverted.set(id, entry);
		if (entry.times.length >= REVERT_GUARD.reverts) {
			entry.times = [];
			entry.heldUntil = now + REVERT_GUARD.holdMs;
			console.error(
				`[easel] the server keeps reverting this tab's writes of ${id}; not sending it for ${REVERT_GUARD.holdMs / 1000} s. ` +
					'Something in this tab rewrites a record the server refuses: please report this.'
			);
		}
	}

	/** The schema the doc's records were written with, if it differs from ours. */
	function foreignSchema(): SerializedSchema | undefined {
		const persisted = yMeta.get('schema') as SerializedSchema | undefined;
		return persisted && !isEqual(persisted, ourSchema) ? persisted : undefined;
	}

	/** Puts one record from the doc into the store; a record that fails is skipped, never fatal. */
	function putRemoteRecord(id: string, value: unknown, fromSchema: SerializedSchema | undefined): void {
		try {
			if (!value || typeof value !== 'object') throw new Error('not an object');
			let record = value as TLRecord;
			if (record.id !== id) throw new Error(`id ${String(record.id)} does not match its key`);
			if (!isSharedRecordId(id) || !id.startsWith(`${String(record.typeName)}:`)) throw new Error(`${String(record.typeName)} is not a shared record`);
			if (fromSchema) {
				const migrated = store.schema.migratePersistedRecord(record, fromSchema);
				if (migrated.type === 'error') throw new Error(`migration failed: ${migrated.reason}`);
				record = migrated.value;
			}
			// put validates against the record type's validator and throws before changing anything.
			store.put([record]);
		} catch (error) {
			console.warn(`[easel] skipped invalid record ${id} from the shared document`, error);
		}
	}

	function applyRemoteChanges(ids: Iterable<string>): void {
		const fromSchema = foreignSchema();
		store.mergeRemoteChanges(() => {
			const removed: TLRecord['id'][] = [];
			for (const id of ids) {
				const value = yRecords.get(id);
				if (value !== undefined) putRemoteRecord(id, value, fromSchema);
				else if (isSharedRecordId(id) && store.has(id as TLRecord['id'])) removed.push(id as TLRecord['id']);
			}
			if (removed.length > 0) store.remove(removed);
		});
	}

	function onRecordsChanged(event: Y.YMapEvent<TLRecord>, transaction: Y.Transaction): void {
		if (!isReady || transaction.origin === localOrigin) return;
		for (const id of event.keysChanged) noteRemoteChange(id);
		applyRemoteChanges(event.keysChanged);
	}

	/** Writes the store's current value of each id, so the doc ends equal to the store even if remote changes landed in between. */
	function writeLocalChanges(ids: Iterable<string>): void {
		const now = Date.now();
		doc.transact(() => {
			for (const id of ids) {
				if (!isSharedRecordId(id) || isHeldBack(id, now)) continue;
				const current = store.get(id as TLRecord['id']);
				const before = yRecords.get(id);
				if (current) {
					if (isEqual(before, current)) continue;
					yRecords.set(id, current);
				} else if (before !== undefined) {
					yRecords.delete(id);
				} else {
					continue;
				}
				if (!unanswered.has(id)) unanswered.set(id, { before });
			}
		}, localOrigin);
	}

	// Only this user's own changes go to the doc; remote ones are already there and stay out of undo.
	const stopListening = store.listen(
		({ changes }) => {
			if (!isReady || isReadOnly) return;
			writeLocalChanges([...Object.keys(changes.added), ...Object.keys(changes.updated), ...Object.keys(changes.removed)]);
		},
		{ source: 'user', scope: 'document' }
	);
	yRecords.observe(onRecordsChanged);

	function seedEmptyDoc(): void {
		// tldraw v5 creates the document and first page lazily when an editor mounts; create the same
		// records (same ids) now so that concurrent seeders write identical values.
		const defaults: TLRecord[] = [
			DocumentRecordType.create({ id: TLDOCUMENT_ID }),
			PageRecordType.create({ id: PageRecordType.createId('page'), name: 'Page 1', index: 'a1' as IndexKey })
		];
		const missing = defaults.filter((record) => !store.has(record.id));
		if (missing.length > 0) store.mergeRemoteChanges(() => store.put(missing));
		const records = store.serialize('document');
		doc.transact(() => {
			for (const [id, record] of Object.entries(records)) if (isSharedRecordId(id)) yRecords.set(id, record);
			yMeta.set('schema', ourSchema);
		}, localOrigin);
	}

	function loadDoc(): void {
		const persisted = yRecords.toJSON() as Record<string, unknown>;
		const fromSchema = foreignSchema();
		let records = persisted;
		// Per-record migration is the fallback: a whole-snapshot migration also runs store-level steps.
		let perRecordSchema = fromSchema;
		if (fromSchema) {
			const migrated = store.schema.migrateStoreSnapshot({ store: persisted as Record<TLRecord['id'], TLRecord>, schema: fromSchema });
			if (migrated.type === 'success') {
				records = migrated.value;
				perRecordSchema = undefined;
			} else {
				console.warn(`[easel] migrating the shared document failed (${migrated.reason}); loading record by record`);
			}
		}
		store.mergeRemoteChanges(() => {
			const stale = store.allRecords().filter((record) => isSharedRecordId(record.id) && !(record.id in records));
			if (stale.length > 0) store.remove(stale.map((record) => record.id));
			for (const [id, value] of Object.entries(records)) putRemoteRecord(id, value, perRecordSchema);
		});
		// Records written with an older schema are rewritten once, so the doc's schema label stays truthful.
		if (fromSchema && !perRecordSchema && !isReadOnly) {
			doc.transact(() => {
				for (const [id, record] of Object.entries(store.serialize('document'))) {
					if (isSharedRecordId(id) && !isEqual(yRecords.get(id), record)) yRecords.set(id, record);
				}
				yMeta.set('schema', ourSchema);
			}, localOrigin);
		}
	}

	return {
		ready() {
			if (isReady) return;
			isReady = true;
			if (yRecords.size > 0) loadDoc();
			else if (!isReadOnly) seedEmptyDoc();
		},
		get isReady() {
			return isReady;
		},
		setReadOnly(next) {
			isReadOnly = next;
		},
		dispose() {
			stopListening();
			yRecords.unobserve(onRecordsChanged);
		}
	};
}
