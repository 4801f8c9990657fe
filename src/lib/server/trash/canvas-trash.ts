// Canvases in their team's trash: moving one there, what the trash lists, restoring one, deleting
// one for good. A canvas in the trash keeps everything (documents, history, chat, assets); it is
// out of every list and NOT_FOUND to everyone but the trash (access.ts), its share links are
// revoked and its publication withdrawn, since it is out of sight of its own team.
import { and, desc, eq, isNotNull, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { personId, permits, requireCanvasPermission, requireTeamCanvasPermission, requireTeamRole, type Actor, type TeamActor } from '../access.ts';
import * as audit from '../audit.ts';
import * as billing from '../billing.ts';
import * as canvases from '../canvases.ts';
import { canvases as canvasRows, users } from '../db/schema.ts';
import type { Queryable } from '../db/index.ts';
import { AppError, notFound } from '../errors.ts';
import * as publications from '../publications.ts';
import type { Services } from '../services.ts';
import * as sharing from '../sharing.ts';
import type { ChangeContext } from '../teams.ts';
import { deleteCanvasNow } from './delete-forever.ts';
import { purgeAtOf } from './retention.ts';

/** `DELETE /api/v1/canvases/{id}`: to the trash, or with `?permanent=true` for good (admins). */
export const deleteCanvasQuerySchema = z.object({ permanent: z.enum(['true', 'false'], { error: "permanent must be 'true' or 'false'." }).optional() }).strict();

/** What moving a canvas to the trash answers. */
export interface TrashedCanvasRef {
	id: string;
	title: string;
	deletedAt: Date;
	/** When the purge deletes it for good unless someone restores it first. */
	purgeAt: Date;
}

/** A canvas as the trash page and `GET /api/v1/teams/{teamId}/trash` list it. */
export interface TrashedCanvas extends TrashedCanvasRef {
	/** Who moved it there; null when it was not a person (an API key) or their account is gone. */
	deletedBy: { id: string; name: string } | null;
}

/**
 * Moves a canvas to its team's trash (editors and above): its share links are revoked and its
 * publication withdrawn in the same transaction. After the commit its sockets are closed (TRASHED),
 * not discarded: what they sent is stored, so a restore brings back every edit up to this moment.
 */
export async function moveCanvasToTrash(services: Services, actor: TeamActor, canvasId: string, context: ChangeContext = {}): Promise<TrashedCanvasRef> {
	const { db, collaboration } = services;
	const { canvas } = await requireCanvasPermission(db, actor, canvasId, 'canvas.delete');
	const deletedAt = new Date();
	const withdrawn = await db.transaction(async (tx) => {
		const [moved] = await tx
			.update(canvasRows)
			.set({ deletedAt, deletedBy: personId(actor) })
			.where(and(eq(canvasRows.id, canvasId), isNull(canvasRows.deletedAt)))
			.returning({ id: canvasRows.id });
		if (!moved) throw notFound('Canvas');
		const revokedLinks = await sharing.revokeCanvasLinks(tx, [canvasId], deletedAt);
		const withdrawn = await publications.withdrawPublications(tx, [canvasId]);
		await audit.record(tx, {
			teamId: canvas.teamId,
			actor,
			action: 'canvas.trash',
			targetType: 'canvas',
			targetId: canvasId,
			details: { title: canvas.title, revokedLinks, unpublished: withdrawn[0]?.slug ?? null },
			ip: context.ip
		});
		return withdrawn;
	});
	collaboration.closeConnections({ canvasId }, 'TRASHED');
	await publications.deletePreviews(
		services,
		withdrawn.map((publication) => publication.id)
	);
	return { id: canvasId, title: canvas.title, deletedAt, purgeAt: purgeAtOf(deletedAt) };
}

/** The team's trash, most recently trashed first: for anyone who may see the team's canvases. */
export async function listTrash(db: Queryable, actor: Actor, teamId: string): Promise<TrashedCanvas[]> {
	await requireTeamRole(db, actor, teamId, 'canvas.view');
	const rows = await db
		.select({ id: canvasRows.id, title: canvasRows.title, deletedAt: canvasRows.deletedAt, deletedById: canvasRows.deletedBy, deletedByName: users.name })
		.from(canvasRows)
		.leftJoin(users, eq(users.id, canvasRows.deletedBy))
		.where(and(eq(canvasRows.teamId, teamId), isNotNull(canvasRows.deletedAt)))
		.orderBy(desc(canvasRows.deletedAt), desc(canvasRows.id));
	return rows.map(({ deletedById, deletedByName, ...row }) => {
		const deletedAt = row.deletedAt!;
		return { ...row, deletedAt, purgeAt: purgeAtOf(deletedAt), deletedBy: deletedById && deletedByName ? { id: deletedById, name: deletedByName } : null };
	});
}

/**
 * What the canvas page says to a member of the canvas's team when it is in the trash (who put it
 * there, when, whether they may restore it); null when it is not in the trash or they may not see it.
 */
export async function trashedCanvasNotice(
	db: Queryable,
	actor: Actor,
	canvasId: string
): Promise<(TrashedCanvas & { teamId: string; canRestore: boolean; canDeleteForever: boolean }) | null> {
	const found = await requireTeamCanvasPermission(db, actor, canvasId, 'canvas.view').catch((error) => {
		if (error instanceof AppError) return null;
		throw error;
	});
	const deletedAt = found?.canvas.deletedAt;
	if (!found || !deletedAt) return null;
	const { canvas, standing } = found;
	const deletedBy = canvas.deletedBy ? (await db.select({ id: users.id, name: users.name }).from(users).where(eq(users.id, canvas.deletedBy)))[0] : undefined;
	return {
		id: canvas.id,
		teamId: canvas.teamId,
		title: canvas.title,
		deletedAt,
		purgeAt: purgeAtOf(deletedAt),
		deletedBy: deletedBy ?? null,
		canRestore: permits(standing, 'canvas.restore'),
		canDeleteForever: permits(standing, 'canvas.delete_forever')
	};
}

/**
 * Brings a canvas back from the trash (editors and above) with everything it had; its share links
 * stay revoked and its publication stays withdrawn. It counts against the plan again, so a team at
 * its canvas limit gets LIMIT_EXCEEDED, as creating one would. Restoring a canvas not in the trash
 * changes nothing.
 */
export async function restoreCanvas(services: Services, actor: TeamActor, canvasId: string, context: ChangeContext = {}): Promise<canvases.CanvasSummary> {
	const { db } = services;
	const { canvas } = await requireTeamCanvasPermission(db, actor, canvasId, 'canvas.restore');
	if (canvas.deletedAt) {
		await db.transaction(async (tx) => {
			await billing.assertCanCreateCanvas(tx, canvas.teamId).catch((error) => {
				if (error instanceof AppError && error.code === 'LIMIT_EXCEEDED') {
					throw new AppError('LIMIT_EXCEEDED', `“${canvas.title}” cannot be restored: ${error.message} Or move another canvas to the trash first.`, error.details);
				}
				throw error;
			});
			const [restored] = await tx
				.update(canvasRows)
				.set({ deletedAt: null, deletedBy: null })
				.where(and(eq(canvasRows.id, canvasId), isNotNull(canvasRows.deletedAt)))
				.returning({ id: canvasRows.id });
			if (!restored) return;
			await audit.record(tx, {
				teamId: canvas.teamId,
				actor,
				action: 'canvas.restore',
				targetType: 'canvas',
				targetId: canvasId,
				details: { title: canvas.title, deletedAt: canvas.deletedAt!.toISOString() },
				ip: context.ip
			});
		});
	}
	return canvases.get(db, actor, canvasId);
}

/**
 * Deletes a canvas for good (admins and owners), from the trash or directly: documents, history,
 * chat, assets, thumbnail. Open sockets on a live one are closed (DELETED).
 */
export async function deleteCanvasForever(services: Services, actor: TeamActor, canvasId: string, context: ChangeContext = {}): Promise<{ id: string; title: string }> {
	const { canvas } = await requireTeamCanvasPermission(services.db, actor, canvasId, 'canvas.delete_forever');
	await deleteCanvasNow(services, canvasId, { actor, ip: context.ip, details: { fromTrash: canvas.deletedAt !== null } });
	return { id: canvas.id, title: canvas.title };
}
