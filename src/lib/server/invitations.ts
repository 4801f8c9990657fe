// Invitations into a team: a link with a role that expires, may be limited in uses, and can be revoked.
import { and, desc, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, Queryable } from './db/index.ts';
import { invitations, memberships, teams, users, INVITATION_ROLES, type Role } from './db/schema.ts';
import { AppError, notFound, parseInput } from './errors.ts';
import { requireTeamRole, ROLE_RANK, takesSeat, type Actor, type UserActor } from './access.ts';
import * as billing from './billing.ts';
import { emailSchema } from './accounts.ts';
import * as audit from './audit.ts';
import { membershipChanged } from './access-changes.ts';
import type { Services } from './services.ts';
import { generateSecretToken, hashSecretToken, looksLikeSecretToken } from './secret-tokens.ts';
import type { ChangeContext } from './teams.ts';
import * as teamSso from './auth/team-sso.ts';

const DAY_MS = 86_400_000;

export const createInvitationSchema = z
	.object({
		role: z.enum(INVITATION_ROLES, { error: `Role must be one of ${INVITATION_ROLES.join(', ')}.` }),
		email: emailSchema.optional(),
		expiresInDays: z
			.number({ error: 'expiresInDays must be a number.' })
			.int()
			.min(1, { error: 'An invitation lasts at least 1 day.' })
			.max(90, { error: 'An invitation lasts at most 90 days.' })
			.default(7),
		maxUses: z.number({ error: 'maxUses must be a number.' }).int().min(1, { error: 'maxUses must be at least 1.' }).max(1000).nullable().optional()
	})
	.strict();

export type CreateInvitationInput = z.input<typeof createInvitationSchema>;

export interface Invitation {
	id: string;
	teamId: string;
	role: Role;
	email: string | null;
	createdBy: string | null;
	createdByName: string | null;
	expiresAt: Date;
	maxUses: number | null;
	uses: number;
	createdAt: Date;
}

export function invitationUrl(publicOrigin: string, token: string): string {
	return `${publicOrigin}/invite/${token}`;
}

/** Creates an invitation; the token is returned once and only its hash is kept. */
export async function create(
	db: Database,
	actor: UserActor,
	teamId: string,
	input: CreateInvitationInput,
	context: ChangeContext = {}
): Promise<{ invitation: Invitation; token: string }> {
	const actorRole = await requireTeamRole(db, actor, teamId, 'team.invite');
	const parsed = parseInput(createInvitationSchema, input);
	if (ROLE_RANK[parsed.role] > ROLE_RANK[actorRole]) throw new AppError('FORBIDDEN', `You cannot invite someone as ${parsed.role}.`);
	const token = generateSecretToken();
	const maxUses = parsed.maxUses === undefined ? (parsed.email ? 1 : null) : parsed.maxUses;
	const id = await db.transaction(async (tx) => {
		// Early answer for the inviter; accepting checks (and takes) the seat again.
		await billing.assertSeatAvailable(tx, teamId, parsed.role);
		const [row] = await tx
			.insert(invitations)
			.values({
				teamId,
				tokenHash: hashSecretToken(token),
				role: parsed.role,
				email: parsed.email ?? null,
				createdBy: actor.userId,
				expiresAt: new Date(Date.now() + parsed.expiresInDays * DAY_MS),
				maxUses
			})
			.returning({ id: invitations.id });
		await audit.record(tx, {
			teamId,
			actorId: actor.userId,
			action: 'invitation.create',
			targetType: 'invitation',
			targetId: row.id,
			details: { role: parsed.role, email: parsed.email ?? null, maxUses },
			ip: context.ip
		});
		return row.id;
	});
	return { invitation: await getById(db, id), token };
}

const invitationColumns = {
	id: invitations.id,
	teamId: invitations.teamId,
	role: invitations.role,
	email: invitations.email,
	createdBy: invitations.createdBy,
	createdByName: users.name,
	expiresAt: invitations.expiresAt,
	maxUses: invitations.maxUses,
	uses: invitations.uses,
	createdAt: invitations.createdAt
};

async function getById(db: Queryable, id: string): Promise<Invitation> {
	const [row] = await db.select(invitationColumns).from(invitations).leftJoin(users, eq(users.id, invitations.createdBy)).where(eq(invitations.id, id));
	if (!row) throw notFound('Invitation');
	return row;
}

/** Pending invitations: not revoked, not expired, not used up. */
export async function listPending(db: Queryable, actor: Actor, teamId: string): Promise<Invitation[]> {
	await requireTeamRole(db, actor, teamId, 'team.invite');
	return db
		.select(invitationColumns)
		.from(invitations)
		.leftJoin(users, eq(users.id, invitations.createdBy))
		.where(and(eq(invitations.teamId, teamId), usableNow()))
		.orderBy(desc(invitations.createdAt));
}

function usableNow() {
	return and(isNull(invitations.revokedAt), gt(invitations.expiresAt, sql`now()`), or(isNull(invitations.maxUses), lt(invitations.uses, invitations.maxUses)));
}

export async function revoke(db: Database, actor: UserActor, invitationId: string, context: ChangeContext = {}): Promise<void> {
	// A malformed id is as unknown as a missing one.
	if (!z.uuid().safeParse(invitationId).success) throw notFound('Invitation');
	const invitation = await getById(db, invitationId);
	await requireTeamRole(db, actor, invitation.teamId, 'team.invite');
	await db.transaction(async (tx) => {
		const revoked = await tx
			.update(invitations)
			.set({ revokedAt: new Date() })
			.where(and(eq(invitations.id, invitationId), isNull(invitations.revokedAt)))
			.returning({ id: invitations.id });
		if (revoked.length === 0) return; // already revoked
		await audit.record(tx, {
			teamId: invitation.teamId,
			actorId: actor.userId,
			action: 'invitation.revoke',
			targetType: 'invitation',
			targetId: invitationId,
			ip: context.ip
		});
	});
}

export interface InvitationPreview {
	teamId: string;
	teamName: string;
	role: Role;
	invitedBy: string | null;
	/** Why it cannot be used, when it cannot. */
	problem: 'expired' | 'revoked' | 'used' | null;
}

/** What the invite page shows. Unknown tokens are NOT_FOUND. */
export async function preview(db: Queryable, token: string): Promise<InvitationPreview> {
	if (!looksLikeSecretToken(token)) throw invalidInvitation();
	const [row] = await db
		.select({
			teamId: invitations.teamId,
			teamName: teams.name,
			role: invitations.role,
			invitedBy: users.name,
			expiresAt: invitations.expiresAt,
			revokedAt: invitations.revokedAt,
			maxUses: invitations.maxUses,
			uses: invitations.uses
		})
		.from(invitations)
		// A team in the trash takes nobody in: its invitations are unknown until it is restored.
		.innerJoin(teams, and(eq(teams.id, invitations.teamId), isNull(teams.deletedAt)))
		.leftJoin(users, eq(users.id, invitations.createdBy))
		.where(eq(invitations.tokenHash, hashSecretToken(token)));
	if (!row) throw invalidInvitation();
	const problem = row.revokedAt ? 'revoked' : row.expiresAt.getTime() <= Date.now() ? 'expired' : row.maxUses !== null && row.uses >= row.maxUses ? 'used' : null;
	return { teamId: row.teamId, teamName: row.teamName, role: row.role, invitedBy: row.invitedBy, problem };
}

/**
 * Joins the team with the invitation's role. Members already in the team keep the higher of their
 * role and the invitation's, and do not use up the invitation. After the commit, a new member or
 * role has the actor's sockets re-authorised and Stripe's seat quantity follow.
 */
export async function accept(
	services: Services,
	actor: UserActor,
	token: string,
	context: ChangeContext = {}
): Promise<{ teamId: string; role: Role; joined: boolean; roleChanged: boolean }> {
	if (typeof token !== 'string' || !looksLikeSecretToken(token)) throw invalidInvitation();
	const { userId } = actor;
	const result = await services.db.transaction(async (tx) => {
		// Counting the use and checking the limit in one statement keeps concurrent accepts honest.
		const [used] = await tx
			.update(invitations)
			.set({ uses: sql`${invitations.uses} + 1` })
			.where(and(eq(invitations.tokenHash, hashSecretToken(token)), usableNow()))
			.returning({ teamId: invitations.teamId, role: invitations.role, id: invitations.id, email: invitations.email });
		if (!used) {
			const found = await preview(tx, token);
			throw new AppError(
				'GONE',
				`This invitation ${found.problem === 'used' ? 'has already been used' : found.problem === 'expired' ? 'has expired' : 'was revoked'}. Ask for a new one.`
			);
		}
		// An invitation sent to an address is for that person only, not for whoever the link reaches.
		// Easel does not verify addresses, so "that person" is the account registered with it.
		if (used.email) {
			const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId));
			if (!user || normaliseEmail(user.email) !== normaliseEmail(used.email)) {
				throw new AppError('FORBIDDEN', `This invitation was sent to ${maskEmail(used.email)}; sign in with that address.`, { reason: 'wrong_account' });
			}
		}
		await teamSso.assertMayJoin(tx, used.teamId, userId);
		// Concurrent accepts into one team wait here, so each counts the seats the others took.
		await billing.lockTeamLimits(tx, used.teamId);
		const [team] = await tx.select({ deletedAt: teams.deletedAt }).from(teams).where(eq(teams.id, used.teamId));
		if (team?.deletedAt) throw invalidInvitation();
		const [existing] = await tx
			.select({ role: memberships.role })
			.from(memberships)
			.where(and(eq(memberships.teamId, used.teamId), eq(memberships.userId, userId)));
		if (existing) {
			// Already a member: give the use back.
			await tx
				.update(invitations)
				.set({ uses: sql`${invitations.uses} - 1` })
				.where(eq(invitations.id, used.id));
			const role = ROLE_RANK[existing.role] >= ROLE_RANK[used.role] ? existing.role : used.role;
			if (role !== existing.role) {
				if (!takesSeat(existing.role)) await billing.assertSeatAvailable(tx, used.teamId, role);
				await tx
					.update(memberships)
					.set({ role })
					.where(and(eq(memberships.teamId, used.teamId), eq(memberships.userId, userId)));
				await audit.record(tx, {
					teamId: used.teamId,
					actorId: userId,
					action: 'member.role_change',
					targetType: 'user',
					targetId: userId,
					details: { from: existing.role, to: role, invitationId: used.id },
					ip: context.ip
				});
			}
			return { teamId: used.teamId, role, joined: false, roleChanged: role !== existing.role };
		}
		await billing.assertSeatAvailable(tx, used.teamId, used.role);
		await tx.insert(memberships).values({ teamId: used.teamId, userId, role: used.role });
		await audit.record(tx, {
			teamId: used.teamId,
			actorId: userId,
			action: 'member.join',
			targetType: 'user',
			targetId: userId,
			details: { role: used.role, invitationId: used.id },
			ip: context.ip
		});
		return { teamId: used.teamId, role: used.role, joined: true, roleChanged: false };
	});
	if (result.joined || result.roleChanged) await membershipChanged(services, result.teamId, [userId]);
	return result;
}

function normaliseEmail(email: string): string {
	return email.trim().normalize('NFC').toLowerCase();
}

/** "ada@example.com" → "a***@example.com": enough to recognise one's own address, not to learn someone's. */
export function maskEmail(email: string): string {
	const at = email.lastIndexOf('@');
	return at <= 0 ? '***' : `${Array.from(email)[0]}***${email.slice(at)}`;
}

export interface InvitationEmailThrottles {
	perSender: { consume(userId: string): Promise<void> };
	perTeam: { consume(teamId: string): Promise<void> };
}

export interface SentInvitation {
	invitation: Invitation;
	token: string;
	url: string;
	/** Whether the email went out (false without SMTP, or when sending failed: show the link). */
	emailed: boolean;
}

/**
 * Invites someone, as the API and the members page do: creates the invitation and, when it names an
 * address and email is configured, sends it. Each email counts against a budget per sender and per
 * team, spent after the permission check and before anything is created, so a refused one leaves
 * nothing behind and nobody can use Easel to send mail in bulk.
 */
export async function invite(
	db: Database,
	actor: UserActor,
	teamId: string,
	input: CreateInvitationInput,
	options: {
		publicOrigin: string;
		/** Sends the email; null when email is not configured. */
		sendEmail: ((invitation: Invitation, url: string) => Promise<boolean>) | null;
		throttles: InvitationEmailThrottles;
		context?: ChangeContext;
	}
): Promise<SentInvitation> {
	await requireTeamRole(db, actor, teamId, 'team.invite');
	const parsed = parseInput(createInvitationSchema, input);
	const send = parsed.email ? options.sendEmail : null;
	if (send) {
		await options.throttles.perSender.consume(actor.userId);
		await options.throttles.perTeam.consume(teamId);
	}
	const { invitation, token } = await create(db, actor, teamId, parsed, options.context);
	const url = invitationUrl(options.publicOrigin, token);
	const emailed = send ? await send(invitation, url) : false;
	return { invitation, token, url, emailed };
}

function invalidInvitation(): AppError {
	return new AppError('NOT_FOUND', 'This invitation link is not valid. Check that you copied all of it.');
}
