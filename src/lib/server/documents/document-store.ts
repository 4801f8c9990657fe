// Stored Yjs documents: a compacted snapshot in `documents` plus an append-only tail in `document_updates`.
import { asc, eq, inArray, sql } from 'drizzle-orm';
import { readBytes } from '../db/bytea.ts';
import type { Queryable } from '../db/index.ts';
import { documents, documentUpdates } from '../db/schema.ts';

/** Log rows deleted per statement (bind parameters are limited). */
const DELETE_CHUNK = 5_000;

export interface StoredDocument {
	/** Compacted state, or null when the document was never compacted. */
	snapshot: Uint8Array | null;
	/** Updates appended after the snapshot, oldest first. */
	updates: Uint8Array[];
	/** Bytes stored for the document (snapshot + log tail). */
	bytes: number;
	/** The snapshot's revision (0 when there is none); see `compactDocument`. */
	revision: number;
}

/** Reads the snapshot and the log tail in one consistent view (another instance may be compacting). */
export async function loadStoredDocument(db: Queryable, name: string): Promise<StoredDocument> {
	return db.transaction(
		async (tx) => {
			const snapshotRows = await tx
				.select({ state: readBytes(documents.state), revision: documents.revision })
				.from(documents)
				.where(eq(documents.name, name));
			const updateRows = await tx
				.select({ update: readBytes(documentUpdates.update) })
				.from(documentUpdates)
				.where(eq(documentUpdates.document, name))
				.orderBy(asc(documentUpdates.seq));
			const snapshot = snapshotRows[0]?.state ?? null;
			const updates = updateRows.map((row) => row.update);
			const bytes = (snapshot?.byteLength ?? 0) + updates.reduce((sum, update) => sum + update.byteLength, 0);
			return { snapshot, updates, bytes, revision: snapshotRows[0]?.revision ?? 0 };
		},
		{ isolationLevel: 'repeatable read', accessMode: 'read only' }
	);
}

/** Appends updates in one multi-row insert. */
export async function appendDocumentUpdates(db: Queryable, rows: { document: string; update: Uint8Array }[]): Promise<void> {
	if (rows.length === 0) return;
	await db.insert(documentUpdates).values(rows);
}

/** What compaction found stored that the caller's copy of the document may not have yet. */
export interface StoredChanges {
	/** The snapshot, when another writer replaced it since `knownRevision` (null otherwise). */
	foreignSnapshot: Uint8Array | null;
	/** Every update in the log tail, oldest first. */
	updates: Uint8Array[];
}

/**
 * Folds the log tail into a new snapshot, atomically and safely with several writers (instances).
 *
 * Under a per-document lock it reads the tail (and the snapshot, if its revision is not
 * `knownRevision`, i.e. somebody else wrote it), hands both to `merge`, which applies them to the
 * caller's document and returns its full state, stores that state as the snapshot with the next
 * revision and deletes exactly the tail rows it read. Rows appended meanwhile stay for the next
 * compaction, so an update can't be trimmed without being in the snapshot.
 */
export async function compactDocument(
	db: Queryable,
	name: string,
	knownRevision: number,
	merge: (stored: StoredChanges) => { state: Uint8Array; stateVector: Uint8Array }
): Promise<{ revision: number; bytes: number }> {
	return db.transaction(async (tx) => {
		await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${name}, 0))`);
		const [current] = await tx.select({ revision: documents.revision }).from(documents).where(eq(documents.name, name));
		const storedRevision = current?.revision ?? 0;
		let foreignSnapshot: Uint8Array | null = null;
		if (current && storedRevision !== knownRevision) {
			const [row] = await tx
				.select({ state: readBytes(documents.state) })
				.from(documents)
				.where(eq(documents.name, name));
			foreignSnapshot = row.state;
		}
		const tail = await tx
			.select({ seq: documentUpdates.seq, update: readBytes(documentUpdates.update) })
			.from(documentUpdates)
			.where(eq(documentUpdates.document, name))
			.orderBy(asc(documentUpdates.seq));
		const { state, stateVector } = merge({ foreignSnapshot, updates: tail.map((row) => row.update) });
		const revision = storedRevision + 1;
		await tx
			.insert(documents)
			.values({ name, state, stateVector, bytes: state.byteLength, revision, updatedAt: new Date() })
			.onConflictDoUpdate({
				target: documents.name,
				set: { state, stateVector, bytes: state.byteLength, revision, updatedAt: sql`now()` }
			});
		const seqs = tail.map((row) => row.seq);
		for (let start = 0; start < seqs.length; start += DELETE_CHUNK) {
			await tx.delete(documentUpdates).where(inArray(documentUpdates.seq, seqs.slice(start, start + DELETE_CHUNK)));
		}
		return { revision, bytes: state.byteLength };
	});
}

/** Stores `state` as the snapshot of a document that has no log yet (a duplicated canvas). */
export async function writeNewDocument(db: Queryable, name: string, state: Uint8Array, stateVector: Uint8Array): Promise<void> {
	await db.insert(documents).values({ name, state, stateVector, bytes: state.byteLength });
}

export async function deleteDocuments(db: Queryable, names: string[]): Promise<void> {
	if (names.length === 0) return;
	await db.delete(documentUpdates).where(inArray(documentUpdates.document, names));
	await db.delete(documents).where(inArray(documents.name, names));
}
