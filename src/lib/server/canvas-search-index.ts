// The text a canvas is found by in its team's library: taken from the canvas's records when its
// document is stored, written to `canvases.search_text` only when it changed (the database keeps
// `search_vector` in step, with the title), and backfilled for canvases never indexed.
import { and, asc, count, eq, isNull, or, sql } from 'drizzle-orm';
import * as Y from 'yjs';
import type { Queryable } from './db/index.ts';
import { canvases } from './db/schema.ts';
import { loadStoredDocument } from './documents/document-store.ts';
import { canvasText } from './publication-text.ts';
import { searchableText } from './text-search.ts';
import { documentName } from '../document-names.ts';

/** The search text of a canvas's records (tldraw records keyed by id). */
export function searchTextOf(records: Record<string, unknown>): string {
	return searchableText(canvasText(records));
}

/** The search columns of a canvas inserted with content already (a duplicate, an import, a remix): searchable at once. */
export function searchIndexOf(records: Record<string, unknown>): { searchText: string; searchIndexedAt: Date } {
	return { searchText: searchTextOf(records), searchIndexedAt: new Date() };
}

/**
 * Stores `text` as what canvas `canvasId` is found by; answers whether anything was written (nothing
 * when the text is what is stored already, or the canvas is gone).
 */
export async function indexCanvasText(db: Queryable, canvasId: string, text: string): Promise<boolean> {
	const written = await db
		.update(canvases)
		.set({ searchText: text, searchIndexedAt: new Date() })
		.where(and(eq(canvases.id, canvasId), or(isNull(canvases.searchIndexedAt), sql`${canvases.searchText} is distinct from ${text}`)))
		.returning({ id: canvases.id });
	return written.length > 0;
}

/** How many canvases have never been indexed (what the backfill has left). */
export async function unindexedCanvasCount(db: Queryable): Promise<number> {
	const [row] = await db.select({ count: count() }).from(canvases).where(isNull(canvases.searchIndexedAt));
	return row?.count ?? 0;
}

/**
 * Indexes up to `batchSize` canvases that have never been indexed, from their stored documents;
 * answers how many it took. A canvas indexed meanwhile (its document was stored) is left as it is.
 * A document that cannot be read as Yjs is indexed as empty, so one bad row cannot stall the rest.
 */
export async function indexUnindexedCanvases(db: Queryable, batchSize: number, onUnreadable?: (canvasId: string, error: unknown) => void): Promise<number> {
	const batch = await db.select({ id: canvases.id }).from(canvases).where(isNull(canvases.searchIndexedAt)).orderBy(asc(canvases.id)).limit(batchSize);
	for (const { id } of batch) {
		const stored = await loadStoredDocument(db, documentName('canvas', id));
		let text = '';
		const doc = new Y.Doc();
		try {
			if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
			for (const update of stored.updates) Y.applyUpdate(doc, update);
			text = searchTextOf(doc.getMap('records').toJSON());
		} catch (error) {
			onUnreadable?.(id, error);
		} finally {
			doc.destroy();
		}
		await db
			.update(canvases)
			.set({ searchText: text, searchIndexedAt: new Date() })
			.where(and(eq(canvases.id, id), isNull(canvases.searchIndexedAt)));
	}
	return batch.length;
}
