// Deleting for good: canvases with everything they own (every kind of document, history,
// publications, share links, assets, thumbnail) and whole teams. What "Delete forever" and the purge
// run; nothing here asks who may.
import { and, eq, inArray, isNotNull, lt, type SQL } from 'drizzle-orm';
import type { TeamActor } from '../access.ts';
import * as audit from '../audit.ts';
import { canvases, teams } from '../db/schema.ts';
import type { Transaction } from '../db/index.ts';
import { deleteCanvasDocuments, discardCanvasDocuments } from '../documents/canvas-documents.ts';
import type { Services } from '../services.ts';
import { deleteThumbnails } from '../thumbnails.ts';

/** Who deletes, for the audit entry each canvas gets in its team (`canvas.delete`). */
export interface DeletedBy {
	actor: TeamActor;
	ip?: string | null;
	details?: Record<string, unknown>;
}

async function deleteCanvasRows(tx: Transaction, where: SQL, by: DeletedBy) {
	const rows = await tx.delete(canvases).where(where).returning({ id: canvases.id, teamId: canvases.teamId, title: canvases.title, thumbnailKey: canvases.thumbnailKey });
	await deleteCanvasDocuments(
		tx,
		rows.map((row) => row.id)
	);
	for (const row of rows) {
		await audit.record(tx, {
			teamId: row.teamId,
			actor: by.actor,
			action: 'canvas.delete',
			targetType: 'canvas',
			targetId: row.id,
			details: { title: row.title, ...by.details },
			ip: by.ip
		});
	}
	return rows;
}

/**
 * Deletes one canvas, in the trash or not, for good. Its live documents are discarded (DELETED)
 * before the delete commits, so no socket still open on it can write to it afterwards.
 */
export async function deleteCanvasNow(services: Services, canvasId: string, by: DeletedBy): Promise<void> {
	await discardCanvasDocuments(services.collaboration, [canvasId]);
	const deleted = await services.db.transaction((tx) => deleteCanvasRows(tx, eq(canvases.id, canvasId), by));
	await deleteThumbnails(
		services,
		deleted.map((row) => row.thumbnailKey)
	);
}

/**
 * Deletes those of `canvasIds` that are still in the trash since before `cutoff` (a restore racing the
 * purge wins). Nobody can have a socket open on a canvas in the trash, so the documents are only
 * dropped from memory after the commit. Answers how many were deleted.
 */
export async function purgeCanvases(services: Services, canvasIds: string[], cutoff: Date, by: DeletedBy): Promise<number> {
	if (canvasIds.length === 0) return 0;
	const deleted = await services.db.transaction((tx) =>
		deleteCanvasRows(tx, and(inArray(canvases.id, canvasIds), isNotNull(canvases.deletedAt), lt(canvases.deletedAt, cutoff))!, by)
	);
	await discardCanvasDocuments(
		services.collaboration,
		deleted.map((row) => row.id)
	);
	await deleteThumbnails(
		services,
		deleted.map((row) => row.thumbnailKey)
	);
	return deleted.length;
}

/**
 * Deletes a team in the trash since before `cutoff` with all its canvases and everything they own
 * (memberships, invitations, keys, billing rows and the audit log go with it by foreign key). Stripe
 * is not called: a subscription is left as it was, as deleting a team always did. Answers the
 * deleted canvases' ids, or null when the team was restored meanwhile (or is not due).
 */
export async function purgeTeam(services: Services, teamId: string, cutoff: Date): Promise<{ canvasIds: string[] } | null> {
	const owned = await services.db.transaction(async (tx) => {
		const rows = await tx.select({ id: canvases.id, thumbnailKey: canvases.thumbnailKey }).from(canvases).where(eq(canvases.teamId, teamId));
		// The team first: its canvases' publications (which hold on to their versions) and assets go with it.
		const [team] = await tx
			.delete(teams)
			.where(and(eq(teams.id, teamId), isNotNull(teams.deletedAt), lt(teams.deletedAt, cutoff)))
			.returning({ id: teams.id });
		if (!team) return null;
		await deleteCanvasDocuments(
			tx,
			rows.map((row) => row.id)
		);
		return rows;
	});
	if (!owned) return null;
	const canvasIds = owned.map((row) => row.id);
	await discardCanvasDocuments(services.collaboration, canvasIds);
	await deleteThumbnails(
		services,
		owned.map((row) => row.thumbnailKey)
	);
	return { canvasIds };
}
