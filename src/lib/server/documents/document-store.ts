// Stored Yjs documents: a compacted snapshot in `documents` plus an append-only tail in `document_updates`.
import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Queryable } from '../db/index.ts';
import { documents, documentUpdates } from '../db/schema.ts';

export interface StoredDocument {
	/** Compacted state, or null when the document was never compacted. */
	snapshot: Uint8Array | null;
	/** Updates appended after the snapshot, oldest first. */
	updates: Uint8Array[];
	/** Bytes stored for the document (snapshot + log tail). */
	bytes: number;
}

/** Reads the snapshot and the log tail in one consistent view. */
export async function loadStoredDocument(db: Queryable, name: string): Promise<StoredDocument> {
	const [snapshotRows, updateRows] = await Promise.all([
		db.select({ state: documents.state }).from(documents).where(eq(documents.name, name)),
		db
			.select({ update: documentUpdates.update })
			.from(documentUpdates)
			.where(eq(documentUpdates.document, name))
			.orderBy(asc(documentUpdates.seq))
	]);
	const snapshot = snapshotRows[0]?.state ?? null;
	const updates = updateRows.map((row) => row.update);
	const bytes = (snapshot?.byteLength ?? 0) + updates.reduce((sum, update) => sum + update.byteLength, 0);
	return { snapshot, updates, bytes };
}

/** Appends updates in one multi-row insert; returns the highest sequence number written per document. */
export async function appendDocumentUpdates(
	db: Queryable,
	rows: { document: string; update: Uint8Array }[]
): Promise<Map<string, number>> {
	const highest = new Map<string, number>();
	if (rows.length === 0) return highest;
	const written = await db
		.insert(documentUpdates)
		.values(rows)
		.returning({ document: documentUpdates.document, seq: documentUpdates.seq });
	for (const { document, seq } of written) {
		highest.set(document, Math.max(highest.get(document) ?? 0, Number(seq)));
	}
	return highest;
}

/**
 * Replaces the snapshot with `state` and deletes the log rows up to `coveredSeq`, atomically.
 * `state` must already contain every update with seq ≤ coveredSeq; rows after it stay and are
 * re-applied on load (applying a Yjs update twice is harmless).
 */
export async function compactDocument(
	db: Queryable,
	name: string,
	state: Uint8Array,
	stateVector: Uint8Array,
	coveredSeq: number
): Promise<void> {
	await db.transaction(async (tx) => {
		await tx
			.insert(documents)
			.values({ name, state, stateVector, bytes: state.byteLength, updatedAt: new Date() })
			.onConflictDoUpdate({
				target: documents.name,
				set: { state, stateVector, bytes: state.byteLength, updatedAt: sql`now()` }
			});
		if (coveredSeq > 0) {
			await tx
				.delete(documentUpdates)
				.where(and(eq(documentUpdates.document, name), lte(documentUpdates.seq, coveredSeq)));
		}
	});
}

export async function deleteDocuments(db: Queryable, names: string[]): Promise<void> {
	if (names.length === 0) return;
	await db.delete(documentUpdates).where(inArray(documentUpdates.document, names));
	await db.delete(documents).where(inArray(documents.name, names));
}
