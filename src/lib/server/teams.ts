// Teams and their members: create, rename, delete, leave, roles, ownership. Every change is audited.
import { and, asc, count, desc, eq, isNull, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, Queryable } from './db/index.ts';
import { memberships, teams, users, ROLES, type Role } from './db/schema.ts';
import { AppError, notFound, parseInput } from './errors.ts';
import { displayNameSchema } from './display-names.ts';
import { forbidden, requireTeamRole, takesSeat, type Actor, type TeamActor, type UserActor } from './access.ts';
import { membershipChanged } from './access-changes.ts';
import { memberActionsOf, type MemberActions } from './member-actions.ts';
import type { Services } from './services.ts';
import * as billing from './billing.ts';
import * as audit from './audit.ts';

export const roleSchema = z.enum(ROLES, { error: `Role must be one of ${ROLES.join(', ')}.` });

export const TEAM_NAME_MAX_LENGTH = 80;
export const teamNameSchema = displayNameSchema({ label: 'Team name', maxLength: TEAM_NAME_MAX_LENGTH });

const memberIdSchema = z.uuid({ error: 'userId must be a user id.' });

export type { MemberActions };

/** Creating and renaming a team: `{ name }`. */
export const teamNameRequestSchema = z.object({ name: teamNameSchema }).strict();
/** `PATCH /api/v1/teams/{teamId}/members/{userId}`: the member's new role. */
export const changeRoleRequestSchema = z.object({ role: roleSchema }).strict();
/** `POST /api/v1/teams/{teamId}/transfer-ownership`: who becomes an owner. */
export const transferOwnershipRequestSchema = z.object({ userId: z.uuid({ error: 'userId must be a user id.' }) }).strict();

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

/** The teams a user belongs to, personal team first; teams in the trash are not among them (trash/ lists those). */
export async function listForUser(db: Queryable, userId: string): Promise<TeamSummary[]> {
	return db
		.select({ id: teams.id, name: teams.name, personal: teams.personal, role: memberships.role })
		.from(memberships)
		.innerJoin(teams, eq(teams.id, memberships.teamId))
		.where(and(eq(memberships.userId, userId), isNull(teams.deletedAt)))
		.orderBy(desc(teams.personal), asc(teams.name));
}

/** The user's personal team, where things go when the caller names no team; INVALID_INPUT asking for teamId when there is none. */
/** The team a request means when it names none: a key's own team, a person's personal team. */
export async function defaultTeamId(db: Queryable, actor: TeamActor): Promise<string> {
	if (actor.kind === 'user') return personalTeamId(db, actor.userId);
	if (actor.kind === 'apiKey' || actor.kind === 'assistant') return actor.teamId;
	throw new AppError('INVALID_INPUT', 'Name the team (teamId).', { field: 'teamId' });
}

export async function personalTeamId(db: Queryable, userId: string): Promise<string> {
	const personal = (await listForUser(db, userId)).find((team) => team.personal);
	if (!personal) throw new AppError('INVALID_INPUT', 'Pass teamId: this account has no personal team.', { field: 'teamId' });
	return personal.id;
}

/** The team as a member or one of its API keys sees it; `role` is null for a key (it is not a member). */
export async function get(db: Queryable, actor: Actor, teamId: string): Promise<Omit<TeamSummary, 'role'> & { role: Role | null; memberCount: number }> {
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

export interface Member {
	userId: string;
	name: string;
	email: string;
	/** The colour they chose for their avatar, or null for the one derived from their id. */
	avatarColor: string | null;
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
			avatarColor: users.avatarColor,
			role: memberships.role,
			joinedAt: memberships.createdAt,
			lastActiveAt: memberships.lastActiveAt
		})
		.from(memberships)
		.innerJoin(users, eq(users.id, memberships.userId))
		.where(eq(memberships.teamId, teamId))
		.orderBy(asc(users.name));
}

/**
 * What the actor may do to each member of the team (see member-actions.ts), keyed by user id: the
 * members page offers exactly these, and the member mutations refuse anything else.
 */
export async function memberActions(db: Queryable, actor: Actor, teamId: string): Promise<Record<string, MemberActions>> {
	const members = await listMembers(db, actor, teamId);
	const me = actor.kind === 'user' ? members.find((member) => member.userId === actor.userId) : undefined;
	if (!me) throw new AppError('NOT_FOUND', 'Team was not found.');
	return Object.fromEntries(members.map((member) => [member.userId, memberActionsOf(me, member)]));
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
 * Changes a member's role, as member-actions.ts allows: admins manage members below them and may
 * grant up to admin; only owners grant or take away ownership; the last owner cannot be demoted. A
 * viewer made editor or above needs a free seat. Runs under the team's limit lock, with the actor's
 * role read again under it, so concurrent changes cannot both pass the seat or last-owner check.
 * After the commit the member's sockets are re-authorised and Stripe's seat quantity follows.
 */
export async function changeRole(
	services: Services,
	actor: UserActor,
	teamId: string,
	userId: string,
	role: Role,
	context: ChangeContext = {}
): Promise<{ previous: Role; role: Role }> {
	const { db } = services;
	await requireTeamRole(db, actor, teamId, 'team.members');
	const input = parseInput(z.object({ userId: memberIdSchema, role: roleSchema }), { userId, role });
	const result = await db.transaction(async (tx) => {
		await billing.lockTeamLimits(tx, teamId);
		const actorRole = await requireTeamRole(tx, actor, teamId, 'team.members');
		const previous = await memberRole(tx, teamId, input.userId);
		if (previous === input.role) return { previous, role: input.role, changed: false };
		const allowed = memberActionsOf({ userId: actor.userId, role: actorRole }, { userId: input.userId, role: previous });
		if (!allowed.canChangeRoleTo.includes(input.role)) {
			throw new AppError('FORBIDDEN', 'Only an owner can change the role of an owner or admin, or make someone an owner.');
		}
		if (previous === 'owner' && (await ownerCount(tx, teamId)) <= 1) {
			throw new AppError('CONFLICT', 'A team needs at least one owner: make someone else an owner first.');
		}
		if (!takesSeat(previous)) await billing.assertSeatAvailable(tx, teamId, input.role, { buyerIsOwner: actorRole === 'owner' });
		await tx
			.update(memberships)
			.set({ role: input.role })
			.where(and(eq(memberships.teamId, teamId), eq(memberships.userId, input.userId)));
		await audit.record(tx, {
			teamId,
			actorId: actor.userId,
			action: 'member.role_change',
			targetType: 'user',
			targetId: input.userId,
			details: { from: previous, to: input.role },
			ip: context.ip
		});
		return { previous, role: input.role, changed: true };
	});
	if (result.changed) await membershipChanged(services, teamId, [input.userId]);
	return { previous: result.previous, role: result.role };
}

/**
 * Removes a member (as member-actions.ts allows), or the actor themselves (leaving). The last owner
 * cannot go. After the commit the member's sockets on the team's canvases are re-authorised (and
 * so refused) and Stripe's seat quantity follows.
 */
export async function removeMember(services: Services, actor: UserActor, teamId: string, userId: string, context: ChangeContext = {}): Promise<void> {
	const { db } = services;
	const leaving = userId === actor.userId;
	await requireTeamRole(db, actor, teamId, leaving ? 'team.view' : 'team.members');
	const memberId = parseInput(z.object({ userId: memberIdSchema }), { userId }).userId;
	await db.transaction(async (tx) => {
		// Under the lock, two owners removing each other cannot leave the team without one.
		await billing.lockTeamLimits(tx, teamId);
		const actorRole = await requireTeamRole(tx, actor, teamId, leaving ? 'team.view' : 'team.members');
		const role = await memberRole(tx, teamId, memberId);
		if (!leaving && !memberActionsOf({ userId: actor.userId, role: actorRole }, { userId: memberId, role }).canRemove) {
			throw new AppError('FORBIDDEN', 'Only an owner can remove an owner or admin.');
		}
		if (role === 'owner' && (await ownerCount(tx, teamId)) <= 1) {
			throw new AppError('CONFLICT', leaving ? 'You are the last owner: transfer ownership or delete the team instead.' : 'A team needs at least one owner.');
		}
		const [team] = await tx.select({ personal: teams.personal }).from(teams).where(eq(teams.id, teamId));
		if (team.personal && leaving) throw new AppError('FORBIDDEN', 'You cannot leave your personal team.');
		await tx.delete(memberships).where(and(eq(memberships.teamId, teamId), eq(memberships.userId, memberId)));
		await audit.record(tx, {
			teamId,
			actorId: actor.userId,
			action: leaving ? 'member.leave' : 'member.remove',
			targetType: 'user',
			targetId: memberId,
			details: { role },
			ip: context.ip
		});
	});
	await membershipChanged(services, teamId, [memberId]);
}

/**
 * Makes another member an owner and the actor an admin. Handing ownership to a viewer gives them a
 * seat, so it needs a free one like any promotion (the actor keeps theirs as admin). After the
 * commit both members' sockets are re-authorised and Stripe's seat quantity follows.
 */
export async function transferOwnership(services: Services, actor: UserActor, teamId: string, userId: string, context: ChangeContext = {}): Promise<void> {
	const { db } = services;
	if (userId === actor.userId) throw new AppError('INVALID_INPUT', 'Choose another member to transfer ownership to.');
	await requireTeamRole(db, actor, teamId, 'team.view');
	const memberId = parseInput(z.object({ userId: memberIdSchema }), { userId }).userId;
	await db.transaction(async (tx) => {
		await billing.lockTeamLimits(tx, teamId);
		const actorRole = await requireTeamRole(tx, actor, teamId, 'team.view');
		if (actorRole !== 'owner') throw forbidden(actorRole, 'team.delete');
		const previous = await memberRole(tx, teamId, memberId);
		if (!memberActionsOf({ userId: actor.userId, role: actorRole }, { userId: memberId, role: previous }).canTransferOwnership) {
			throw new AppError('CONFLICT', 'They are an owner already.');
		}
		if (!takesSeat(previous)) await billing.assertSeatAvailable(tx, teamId, 'owner', { buyerIsOwner: true });
		await tx
			.update(memberships)
			.set({ role: 'owner' })
			.where(and(eq(memberships.teamId, teamId), eq(memberships.userId, memberId)));
		await tx
			.update(memberships)
			.set({ role: 'admin' })
			.where(and(eq(memberships.teamId, teamId), eq(memberships.userId, actor.userId)));
		await audit.record(tx, {
			teamId,
			actorId: actor.userId,
			action: 'team.transfer_ownership',
			targetType: 'user',
			targetId: memberId,
			details: { from: previous },
			ip: context.ip
		});
	});
	// Both roles changed: the new owner may have been a viewer, the old owner is now an admin.
	await membershipChanged(services, teamId, [actor.userId, memberId]);
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
