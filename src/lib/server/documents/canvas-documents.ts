// Everything stored under a canvas's documents, for every kind: deleted with the canvas, and found
// again (as orphans) when its canvas is gone.
import { and, inArray, isNotNull, notExists, sql, type SQL, type AnyColumn } from 'drizzle-orm';
import type { Queryable } from '../db/index.ts';
import { canvases, documentVersions, publications } from '../db/schema.ts';
import type { CollaborationControl } from '../collaboration-control.ts';
import { DOCUMENT_NAME_PATTERN, DOCUMENT_NAME_SEPARATOR, documentNamesOf } from '../../document-names.ts';
import { deleteDocuments } from './document-store.ts';

/**
 * Deletes what the canvases own, for every document kind: snapshot, update log and version history.
 * Call it in the transaction that deletes the canvases, after deleting them (a publication holds on
 * to its version until its canvas goes), so nothing outlives them.
 */
export async function deleteCanvasDocuments(db: Queryable, canvasIds: string[]): Promise<void> {
	const names = canvasIds.flatMap(documentNamesOf);
	if (names.length === 0) return;
	await deleteDocuments(db, names);
	// A publication points at one of the versions (its frozen copy): it goes first (with its assets and reports).
	await db.delete(publications).where(inArray(publications.canvasId, canvasIds));
	await db.delete(documentVersions).where(inArray(documentVersions.document, names));
	// Asset rows and publications go with the canvas row (foreign keys); the asset sweeper then deletes the unused bytes.
}

/** Closes the live documents of every kind of these canvases (after or before deleting them). */
export async function discardCanvasDocuments(collaboration: Pick<CollaborationControl, 'discardDocument'>, canvasIds: string[]): Promise<void> {
	await Promise.all(canvasIds.flatMap(documentNamesOf).map((name) => collaboration.discardDocument(name, 'DELETED')));
}

/**
 * The canvas id inside a document-name column as a uuid, or NULL for a name that is not
 * `<known kind>:<uuid>`. The CASE guards the cast, which would fail on any other text.
 */
export function canvasIdOf(column: AnyColumn): SQL<string | null> {
	return sql<string | null>`(case when ${column} ~ ${DOCUMENT_NAME_PATTERN}::text then split_part(${column}, ${DOCUMENT_NAME_SEPARATOR}::text, 2)::uuid end)`;
}

/** Deletes versions of known-kind documents whose canvas no longer exists; returns how many. */
export async function deleteOrphanedVersions(db: Queryable): Promise<number> {
	const canvasId = canvasIdOf(documentVersions.document);
	const removed = await db
		.delete(documentVersions)
		.where(
			and(
				isNotNull(canvasId),
				notExists(
					db
						.select({ id: canvases.id })
						.from(canvases)
						.where(sql`${canvases.id} = ${canvasId}`)
				)
			)
		)
		.returning({ id: documentVersions.id });
	return removed.length;
}
