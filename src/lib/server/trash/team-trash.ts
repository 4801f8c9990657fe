// Teams in the trash: an owner deletes a team, it disappears for its members at once (lists, pages,
// API, sockets, keys: access.ts answers NOT_FOUND) and its owners may restore it for
// TRASH_RETENTION_DAYS from "Deleted teams" on /teams; then the purge deletes it for good.
import { and, desc, eq, isNotNull, isNull } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { isUuid, requireTeamRole, type UserActor } from '../access.ts';
import * as audit from '../audit.ts';
import { canvases, memberships, teams, users } from '../db/schema.ts';
import type { Queryable } from '../db/index.ts';
import { AppError, notFound, parseInput } from '../errors.ts';
import * as publications from '../publications.ts';
import type { Services } from '../services.ts';
import * as sharing from '../sharing.ts';
import type { ChangeContext, TeamSummary } from '../teams.ts';
import { purgeAtOf } from './retention.ts';

const confirmNameSchema = z.string({ error: 'Type the team name to confirm.' }).max(1000);

/** `DELETE /api/v1/teams/{teamId}`: moving a team to the trash needs its exact name. */
export const deleteTeamRequestSchema = z.object({ confirmName: z.string({ error: 'Send confirmName: the team name, to confirm.' }) }).strict();

/** A team in the trash, as its owners see it under "Deleted teams". */
export interface DeletedTeam {
	id: string;
	name: string;
	deletedAt: Date;
	purgeAt: Date;
	deletedBy: { id: string; name: string } | null;
}

/**
 * Moves a team to the trash (owners; they type its name to confirm; personal teams cannot go). Its
 * canvases' share links are revoked and their publications withdrawn in the same transaction; after
 * the commit every socket open on one of its canvases is closed (TRASHED). Members, roles, keys,
 * billing and content are kept as they are until the team is restored or purged.
 */
export async function trashTeam(services: Services, actor: UserActor, teamId: string, confirmName: string, context: ChangeContext = {}): Promise<DeletedTeam> {
	const { db, collaboration } = services;
	await requireTeamRole(db, actor, teamId, 'team.delete');
	const confirmation = parseInput(confirmNameSchema, confirmName);
	const [team] = await db.select({ name: teams.name, personal: teams.personal }).from(teams).where(eq(teams.id, teamId));
	if (team.personal) throw new AppError('FORBIDDEN', 'Your personal team cannot be deleted.');
	if (confirmation.trim() !== team.name) throw new AppError('INVALID_INPUT', 'Type the team name exactly to confirm.', { field: 'confirmName' });
	const deletedAt = new Date();
	const withdrawn = await db.transaction(async (tx) => {
		const [moved] = await tx
			.update(teams)
			.set({ deletedAt, deletedBy: actor.userId })
			.where(and(eq(teams.id, teamId), isNull(teams.deletedAt)))
			.returning({ id: teams.id });
		if (!moved) throw notFound('Team');
		const canvasIds = (await tx.select({ id: canvases.id }).from(canvases).where(eq(canvases.teamId, teamId))).map((row) => row.id);
		const revokedLinks = await sharing.revokeCanvasLinks(tx, canvasIds, deletedAt);
		const withdrawn = await publications.withdrawPublications(tx, canvasIds);
		await audit.record(tx, {
			teamId,
			actorId: actor.userId,
			action: 'team.trash',
			targetType: 'team',
			targetId: teamId,
			details: { name: team.name, canvases: canvasIds.length, revokedLinks, unpublished: withdrawn.length },
			ip: context.ip
		});
		return withdrawn;
	});
	collaboration.closeConnections({ teamId }, 'TRASHED');
	await publications.deletePreviews(
		services,
		withdrawn.map((publication) => publication.id)
	);
	const [me] = await db.select({ name: users.name }).from(users).where(eq(users.id, actor.userId));
	return { id: teamId, name: team.name, deletedAt, purgeAt: purgeAtOf(deletedAt), deletedBy: me ? { id: actor.userId, name: me.name } : null };
}

const deleter = alias(users, 'deleter');

/** The teams in the trash the user owns, most recently deleted first (only owners may restore them). */
export async function listDeletedTeams(db: Queryable, actor: UserActor): Promise<DeletedTeam[]> {
	const rows = await db
		.select({ id: teams.id, name: teams.name, deletedAt: teams.deletedAt, deletedById: teams.deletedBy, deletedByName: deleter.name })
		.from(memberships)
		.innerJoin(teams, eq(teams.id, memberships.teamId))
		.leftJoin(deleter, eq(deleter.id, teams.deletedBy))
		.where(and(eq(memberships.userId, actor.userId), eq(memberships.role, 'owner'), isNotNull(teams.deletedAt)))
		.orderBy(desc(teams.deletedAt), desc(teams.id));
	return rows.map(({ deletedById, deletedByName, ...row }) => {
		const deletedAt = row.deletedAt!;
		return { ...row, deletedAt, purgeAt: purgeAtOf(deletedAt), deletedBy: deletedById && deletedByName ? { id: deletedById, name: deletedByName } : null };
	});
}

/**
 * Brings a team back from the trash (its owners): members, canvases (those trashed on their own stay
 * in its trash), keys and billing as they were; share links stay revoked and publications withdrawn.
 * NOT_FOUND for anyone but an owner; restoring a live team changes nothing.
 */
export async function restoreTeam(services: Services, actor: UserActor, teamId: string, context: ChangeContext = {}): Promise<TeamSummary> {
	const { db } = services;
	if (!isUuid(teamId)) throw notFound('Team');
	const [team] = await db
		.select({ id: teams.id, name: teams.name, personal: teams.personal, deletedAt: teams.deletedAt })
		.from(teams)
		.innerJoin(memberships, and(eq(memberships.teamId, teams.id), eq(memberships.userId, actor.userId), eq(memberships.role, 'owner')))
		.where(eq(teams.id, teamId));
	if (!team) throw notFound('Team');
	if (team.deletedAt) {
		await db.transaction(async (tx) => {
			const [restored] = await tx
				.update(teams)
				.set({ deletedAt: null, deletedBy: null })
				.where(and(eq(teams.id, teamId), isNotNull(teams.deletedAt)))
				.returning({ id: teams.id });
			if (!restored) return;
			await audit.record(tx, {
				teamId,
				actorId: actor.userId,
				action: 'team.restore',
				targetType: 'team',
				targetId: teamId,
				details: { name: team.name, deletedAt: team.deletedAt!.toISOString() },
				ip: context.ip
			});
		});
	}
	return { id: team.id, name: team.name, personal: team.personal, role: 'owner' };
}
