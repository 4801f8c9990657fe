// Teams and their members: create, rename, delete, leave, roles, ownership. Every change is audited.
import { and, asc, count, desc, eq, isNull, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, Queryable } from './db/index.ts';
import { canvases, memberships, teams, users, ROLES, type Role } from './db/schema.ts';
import { deleteCanvasDocuments } from './documents/canvas-documents.ts';
import { AppError, notFound, parseInput } from './errors.ts';
import { displayNameSchema } from './display-names.ts';
import { forbidden, requireTeamRole, ROLE_RANK, takesSeat, type Actor, type UserActor } from './access.ts';
import * as billing from './billing.ts';
import * as audit from './audit.ts';

export const roleSchema = z.enum(ROLES, { error: `Role must be one of ${ROLES.join(', ')}.` });

export const TEAM_NAME_MAX_LENGTH = 80;
export const teamNameSchema = displayNameSchema({ label: 'Team name', maxLength: TEAM_NAME_MAX_LENGTH });

export interface TeamSummary {
	id: string;
	name: string;
	personal: boolean;
	role: Role;
}

/** Context of a change, for the audit log. */
export interface ChangeContext {
	ip?: string | null;
}

/** The teams a user belongs to, personal team first. */
export async function listForUser(db: Queryable, userId: string): Promise<TeamSummary[]> {
	return db
		.select({ id: teams.id, name: teams.name, personal: teams.personal, role: memberships.role })
		.from(memberships)
		.innerJoin(teams, eq(teams.id, memberships.teamId))
		.where(eq(memberships.userId, userId))
		.orderBy(desc(teams.personal), asc(teams.name));
}

export async function get(db: Queryable, actor: Actor, teamId: string): Promise<TeamSummary & { memberCount: number }> {
	const role = await requireTeamRole(db, actor, teamId, 'team.view');
	const [team] = await db.select({ id: teams.id, name: teams.name, personal: teams.personal }).from(teams).where(eq(teams.id, teamId));
	const [{ value: memberCount }] = await db.select({ value: count() }).from(memberships).where(eq(memberships.teamId, teamId));
	return { ...team, role, memberCount };
}

export async function create(db: Database, actor: UserActor, rawName: string, context: ChangeContext = {}): Promise<TeamSummary> {
	const name = parseInput(teamNameSchema, rawName);
	return db.transaction(async (tx) => {
		const [team] = await tx.insert(teams).values({ name }).returning({ id: teams.id, name: teams.name, personal: teams.personal });
		await tx.insert(memberships).values({ teamId: team.id, userId: actor.userId, role: 'owner' });
		await audit.record(tx, { teamId: team.id, actorId: actor.userId, action: 'team.create', targetType: 'team', targetId: team.id, details: { name }, ip: context.ip });
		return { ...team, role: 'owner' as const };
	});
}

export async function rename(db: Database, actor: UserActor, teamId: string, rawName: string, context: ChangeContext = {}): Promise<void> {
	await requireTeamRole(db, actor, teamId, 'team.rename');
	const name = parseInput(teamNameSchema, rawName);
	await db.transaction(async (tx) => {
		await tx.update(teams).set({ name }).where(eq(teams.id, teamId));
		await audit.record(tx, { teamId, actorId: actor.userId, action: 'team.rename', targetType: 'team', targetId: teamId, details: { name }, ip: context.ip });
	});
}

/**
 * Deletes a team with all its canvases and everything they own. The owner must type the team's name
 * to confirm. The caller closes the returned canvases' live documents (`discardCanvasDocuments`).
 */
export async function remove(db: Database, actor: UserActor, teamId: string, confirmName: string): Promise<{ canvasIds: string[] }> {
	await requireTeamRole(db, actor, teamId, 'team.delete');
	const [team] = await db.select({ name: teams.name, personal: teams.personal }).from(teams).where(eq(teams.id, teamId));
	if (team.personal) throw new AppError('FORBIDDEN', 'Your personal team cannot be deleted.');
	if (confirmName.trim() !== team.name) {
		throw new AppError('INVALID_INPUT', 'Type the team name exactly to confirm.', { field: 'confirmName' });
	}
	return db.transaction(async (tx) => {
		const ids = (await tx.select({ id: canvases.id }).from(canvases).where(eq(canvases.teamId, teamId))).map((row) => row.id);
		await deleteCanvasDocuments(tx, ids);
		await tx.delete(teams).where(eq(teams.id, teamId));
		return { canvasIds: ids };
	});
}

export interface Member {
	userId: string;
	name: string;
	email: string;
	role: Role;
	joinedAt: Date;
	lastActiveAt: Date | null;
}

export async function listMembers(db: Queryable, actor: Actor, teamId: string): Promise<Member[]> {
	await requireTeamRole(db, actor, teamId, 'team.view');
	return db
		.select({
			userId: users.id,
			name: users.name,
			email: users.email,
			role: memberships.role,
			joinedAt: memberships.createdAt,
			lastActiveAt: memberships.lastActiveAt
		})
		.from(memberships)
		.innerJoin(users, eq(users.id, memberships.userId))
		.where(eq(memberships.teamId, teamId))
		.orderBy(asc(users.name));
}

async function ownerCount(db: Queryable, teamId: string): Promise<number> {
	const [{ value }] = await db
		.select({ value: count() })
		.from(memberships)
		.where(and(eq(memberships.teamId, teamId), eq(memberships.role, 'owner')));
	return value;
}

async function memberRole(db: Queryable, teamId: string, userId: string): Promise<Role> {
	const [row] = await db
		.select({ role: memberships.role })
		.from(memberships)
		.where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)));
	if (!row) throw notFound('Member');
	return row.role;
}

/**
 * Changes a member's role. Admins manage members below them and may grant up to admin; only owners
 * grant or take away ownership; the last owner cannot be demoted. A viewer made editor or above
 * needs a free seat. Runs under the team's limit lock, with the actor's role read again under it, so
 * concurrent changes cannot both pass the seat or last-owner check.
 */
export async function changeRole(
	db: Database,
	actor: UserActor,
	teamId: string,
	userId: string,
	role: Role,
	context: ChangeContext = {}
): Promise<{ previous: Role; role: Role }> {
	await requireTeamRole(db, actor, teamId, 'team.members');
	return db.transaction(async (tx) => {
		await billing.lockTeamLimits(tx, teamId);
		const actorRole = await requireTeamRole(tx, actor, teamId, 'team.members');
		const previous = await memberRole(tx, teamId, userId);
		if (previous === role) return { previous, role };
		if (actorRole !== 'owner') {
			const stepsDown = userId === actor.userId && ROLE_RANK[role] < ROLE_RANK[previous];
			const withinReach = ROLE_RANK[previous] < ROLE_RANK.admin && ROLE_RANK[role] <= ROLE_RANK.admin;
			if (!stepsDown && !withinReach) {
				throw new AppError('FORBIDDEN', 'Only an owner can change the role of an owner or admin, or make someone an owner.');
			}
		}
		if (previous === 'owner' && (await ownerCount(tx, teamId)) <= 1) {
			throw new AppError('CONFLICT', 'A team needs at least one owner: make someone else an owner first.');
		}
		if (!takesSeat(previous)) await billing.assertSeatAvailable(tx, teamId, role, { buyerIsOwner: actorRole === 'owner' });
		await tx
			.update(memberships)
			.set({ role })
			.where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)));
		await audit.record(tx, {
			teamId,
			actorId: actor.userId,
			action: 'member.role_change',
			targetType: 'user',
			targetId: userId,
			details: { from: previous, to: role },
			ip: context.ip
		});
		return { previous, role };
	});
}

/** Removes a member (admins and owners), or the actor themselves (leaving). The last owner cannot go. */
export async function removeMember(db: Database, actor: UserActor, teamId: string, userId: string, context: ChangeContext = {}): Promise<void> {
	const leaving = userId === actor.userId;
	await requireTeamRole(db, actor, teamId, leaving ? 'team.view' : 'team.members');
	await db.transaction(async (tx) => {
		// Under the lock, two owners removing each other cannot leave the team without one.
		await billing.lockTeamLimits(tx, teamId);
		const actorRole = await requireTeamRole(tx, actor, teamId, leaving ? 'team.view' : 'team.members');
		const role = await memberRole(tx, teamId, userId);
		if (!leaving && actorRole !== 'owner' && ROLE_RANK[role] >= ROLE_RANK[actorRole]) {
			throw new AppError('FORBIDDEN', 'Only an owner can remove an owner or admin.');
		}
		if (role === 'owner' && (await ownerCount(tx, teamId)) <= 1) {
			throw new AppError('CONFLICT', leaving ? 'You are the last owner: transfer ownership or delete the team instead.' : 'A team needs at least one owner.');
		}
		const [team] = await tx.select({ personal: teams.personal }).from(teams).where(eq(teams.id, teamId));
		if (team.personal && leaving) throw new AppError('FORBIDDEN', 'You cannot leave your personal team.');
		await tx.delete(memberships).where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)));
		await audit.record(tx, {
			teamId,
			actorId: actor.userId,
			action: leaving ? 'member.leave' : 'member.remove',
			targetType: 'user',
			targetId: userId,
			details: { role },
			ip: context.ip
		});
	});
}

/**
 * Makes another member an owner and the actor an admin. Handing ownership to a viewer gives them a
 * seat, so it needs a free one like any promotion (the actor keeps theirs as admin).
 */
export async function transferOwnership(db: Database, actor: UserActor, teamId: string, userId: string, context: ChangeContext = {}): Promise<void> {
	if (userId === actor.userId) throw new AppError('INVALID_INPUT', 'Choose another member to transfer ownership to.');
	await requireTeamRole(db, actor, teamId, 'team.view');
	await db.transaction(async (tx) => {
		await billing.lockTeamLimits(tx, teamId);
		const actorRole = await requireTeamRole(tx, actor, teamId, 'team.view');
		if (actorRole !== 'owner') throw forbidden(actorRole, 'team.delete');
		const previous = await memberRole(tx, teamId, userId);
		if (!takesSeat(previous)) await billing.assertSeatAvailable(tx, teamId, 'owner', { buyerIsOwner: true });
		await tx
			.update(memberships)
			.set({ role: 'owner' })
			.where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)));
		await tx
			.update(memberships)
			.set({ role: 'admin' })
			.where(and(eq(memberships.teamId, teamId), eq(memberships.userId, actor.userId)));
		await audit.record(tx, {
			teamId,
			actorId: actor.userId,
			action: 'team.transfer_ownership',
			targetType: 'user',
			targetId: userId,
			details: { from: previous },
			ip: context.ip
		});
	});
}

/** Records that a member used a team now (members page "last active"); writes at most once a minute. */
export async function touchMembership(db: Queryable, teamId: string, userId: string): Promise<void> {
	await db
		.update(memberships)
		.set({ lastActiveAt: new Date() })
		.where(
			and(
				eq(memberships.teamId, teamId),
				eq(memberships.userId, userId),
				or(isNull(memberships.lastActiveAt), sql`${memberships.lastActiveAt} < now() - interval '1 minute'`)
			)
		);
}
