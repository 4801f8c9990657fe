// Deleting an account: what it would take with it, why it may be refused (the only owner of a team
// others still use), and the deletion itself. The users row stays as a tombstone without personal
// data, so what the person made in shared teams reads "Deleted user".
import { and, count, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Queryable } from '../db/index.ts';
import {
	accountTokens,
	canvases,
	canvasStars,
	documents,
	documentUpdates,
	memberships,
	oauthAccounts,
	publications,
	sessions,
	teams,
	users,
	type Role
} from '../db/schema.ts';
import { systemActor } from '../access.ts';
import { documentName } from '../../document-names.ts';
import { AppError, parseInput } from '../errors.ts';
import { MAX_PASSWORD_LENGTH } from '../auth/passwords.ts';
import { deleteCanvasDocuments, discardCanvasDocuments } from '../documents/canvas-documents.ts';
import { membershipChanged } from '../access-changes.ts';
import { deleteThumbnails } from '../thumbnails.ts';
import * as audit from '../audit.ts';
import type { Services } from '../services.ts';
import { requireRecentSignIn, type SessionHolder } from './account-sessions.ts';
import { credentialsOf, requirePassword, type PasswordCheck } from './change-password.ts';

/** What a deleted account's tombstone is called wherever their name was shown. */
export const DELETED_USER_NAME = 'Deleted user';

/** The unique non-address a tombstone keeps in `email` (`.invalid` can never be a real domain, RFC 2606). */
export function tombstoneEmail(userId: string): string {
	return `deleted-${userId}@deleted.invalid`;
}

/** `DELETE /api/v1/me`: the account's email typed out, and its password when it has one. */
export const deleteAccountSchema = z
	.object({
		confirmEmail: z.string({ error: 'Type your email address to confirm.' }).max(320),
		password: z.string({ error: 'Password must be text.' }).max(MAX_PASSWORD_LENGTH).optional()
	})
	.strict();

export type DeleteAccountInput = z.input<typeof deleteAccountSchema>;

export interface TeamRef {
	id: string;
	name: string;
}

/** What deleting the account would do, team by team. */
export interface DeletionPlan {
	/** Teams where they are the only owner and others are members: deletion is refused until ownership moves or the others go. */
	blockers: (TeamRef & { otherMembers: number })[];
	/** Deleted with the account, canvases and all: their personal team, and teams where nobody else is a member. */
	deletedTeams: (TeamRef & { personal: boolean; canvases: number; otherMembers: number })[];
	/** Teams they simply leave. */
	leftTeams: TeamRef[];
}

interface MembershipFacts extends TeamRef {
	personal: boolean;
	inTrash: boolean;
	role: Role;
	otherMembers: number;
	otherOwners: number;
	canvases: number;
}

async function membershipsOf(db: Queryable, userId: string): Promise<MembershipFacts[]> {
	const others = db
		.select({
			teamId: memberships.teamId,
			members: count().as('members'),
			owners: sql<number>`count(*) filter (where ${memberships.role} = 'owner')`.mapWith(Number).as('owners')
		})
		.from(memberships)
		.where(ne(memberships.userId, userId))
		.groupBy(memberships.teamId)
		.as('others');
	const canvasCounts = db
		.select({ teamId: canvases.teamId, canvases: count().as('canvases') })
		.from(canvases)
		.groupBy(canvases.teamId)
		.as('canvas_counts');
	const rows = await db
		.select({
			id: teams.id,
			name: teams.name,
			personal: teams.personal,
			deletedAt: teams.deletedAt,
			role: memberships.role,
			otherMembers: others.members,
			otherOwners: others.owners,
			canvases: canvasCounts.canvases
		})
		.from(memberships)
		.innerJoin(teams, eq(teams.id, memberships.teamId))
		.leftJoin(others, eq(others.teamId, teams.id))
		.leftJoin(canvasCounts, eq(canvasCounts.teamId, teams.id))
		.where(eq(memberships.userId, userId));
	return rows.map((row) => ({
		id: row.id,
		name: row.name,
		personal: row.personal,
		inTrash: row.deletedAt !== null,
		role: row.role,
		otherMembers: Number(row.otherMembers ?? 0),
		otherOwners: Number(row.otherOwners ?? 0),
		canvases: Number(row.canvases ?? 0)
	}));
}

/**
 * What deleting the account does to each of its teams. A team with nobody else goes with it; so
 * does their own personal team, and a team already in the trash that only they own. Where they are
 * the only owner of a team others still use, deletion waits for them to hand it over.
 */
export async function deletionPlan(db: Queryable, userId: string): Promise<DeletionPlan> {
	const plan: DeletionPlan = { blockers: [], deletedTeams: [], leftTeams: [] };
	for (const team of await membershipsOf(db, userId)) {
		const ref = { id: team.id, name: team.name };
		const onlyOwner = team.role === 'owner' && team.otherOwners === 0;
		if (team.otherMembers === 0 || (onlyOwner && (team.personal || team.inTrash))) {
			plan.deletedTeams.push({ ...ref, personal: team.personal, canvases: team.canvases, otherMembers: team.otherMembers });
		} else if (onlyOwner) plan.blockers.push({ ...ref, otherMembers: team.otherMembers });
		else plan.leftTeams.push(ref);
	}
	const byName = (a: TeamRef, b: TeamRef) => a.name.localeCompare(b.name);
	plan.blockers.sort(byName);
	plan.leftTeams.sort(byName);
	plan.deletedTeams.sort((a, b) => Number(b.personal) - Number(a.personal) || byName(a, b));
	return plan;
}

function blockedError(blockers: DeletionPlan['blockers']): AppError {
	const names = blockers.map((team) => `“${team.name}”`).join(', ');
	return new AppError(
		'CONFLICT',
		`You are the only owner of ${names}, which other people still use: transfer ownership or remove the other members first, then delete your account.`,
		{ reason: 'only_owner', teams: blockers.map(({ id, name }) => ({ id, name })) }
	);
}

/**
 * Deletes the account: the email typed out must match, and the password when it has one (under the
 * sign-in throttle); without one, the session must be a recent sign-in. CONFLICT, naming the teams,
 * while they are the only owner of a team with other members. Memberships, sessions, linked
 * providers, mailed tokens and stars go, as do the teams the plan deletes (with their canvases); the
 * user row becomes a tombstone and their publications elsewhere are credited to "Deleted user".
 * After the commit every socket they had open is closed and the deleted canvases' documents discarded.
 */
export async function deleteAccount(services: Services, holder: SessionHolder, raw: DeleteAccountInput, check: PasswordCheck): Promise<void> {
	const input = parseInput(deleteAccountSchema, raw);
	const { db } = services;
	const { userId } = holder;
	const account = await credentialsOf(db, userId);
	if (input.confirmEmail.trim().toLowerCase() !== account.email.toLowerCase()) {
		throw new AppError('INVALID_INPUT', 'Type your email address exactly as shown to confirm.', { field: 'confirmEmail' });
	}
	const before = await deletionPlan(db, userId);
	if (before.blockers.length > 0) throw blockedError(before.blockers);
	if (account.passwordHash) await requirePassword(check, { email: account.email, passwordHash: account.passwordHash }, input.password, 'password');
	else await requireRecentSignIn(db, holder, 'delete your account');

	const done = await db.transaction(async (tx) => {
		// Under the row lock, memberships read now are the ones that count: a member joining a team
		// mid-way is either seen here or joins a team whose owner is already gone.
		await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for('update');
		const plan = await deletionPlan(tx, userId);
		if (plan.blockers.length > 0) throw blockedError(plan.blockers);
		const deletedTeamIds = plan.deletedTeams.map((team) => team.id);
		const doomed = deletedTeamIds.length
			? await tx.select({ id: canvases.id, thumbnailKey: canvases.thumbnailKey }).from(canvases).where(inArray(canvases.teamId, deletedTeamIds))
			: [];
		if (deletedTeamIds.length) {
			// The teams first: their canvases' publications and assets go with them (as the trash purge does).
			await tx.delete(teams).where(inArray(teams.id, deletedTeamIds));
			await deleteCanvasDocuments(
				tx,
				doomed.map((canvas) => canvas.id)
			);
		}
		for (const team of plan.leftTeams) {
			await tx.delete(memberships).where(and(eq(memberships.teamId, team.id), eq(memberships.userId, userId)));
			await audit.record(tx, { teamId: team.id, actorId: userId, action: 'member.leave', targetType: 'user', targetId: userId, details: { accountDeleted: true } });
		}
		await tx.delete(sessions).where(eq(sessions.userId, userId));
		await tx.delete(oauthAccounts).where(eq(oauthAccounts.userId, userId));
		await tx.delete(accountTokens).where(eq(accountTokens.userId, userId));
		await tx.delete(canvasStars).where(eq(canvasStars.userId, userId));
		// Published copies in teams they leave stay up, credited to no one in particular.
		await tx.update(publications).set({ authorName: DELETED_USER_NAME }).where(eq(publications.authorId, userId));
		await tx
			.update(users)
			.set({
				name: DELETED_USER_NAME,
				email: tombstoneEmail(userId),
				passwordHash: null,
				emailVerifiedAt: null,
				avatarColor: null,
				isAdmin: false,
				deletedAt: new Date()
			})
			.where(and(eq(users.id, userId), isNull(users.deletedAt)));
		return { doomed, leftTeams: plan.leftTeams };
	});

	services.collaboration.closeConnections({ userId }, 'UNAUTHENTICATED');
	const canvasIds = done.doomed.map((canvas) => canvas.id);
	await discardCanvasDocuments(services.collaboration, canvasIds);
	await deleteThumbnails(
		services,
		done.doomed.map((canvas) => canvas.thumbnailKey)
	);
	// Seats they held in the teams they left are free now (Stripe's quantity follows).
	for (const team of done.leftTeams) await membershipChanged(services, team.id, [userId]);
	await forgetNameInChats(
		services,
		userId,
		done.leftTeams.map((team) => team.id)
	);
}

/**
 * The chats of the teams they leave carry their name on each message they wrote (stamped into the
 * chat document): it becomes "Deleted user" there too. After the commit, one canvas at a time; a
 * chat that cannot be rewritten now (the canvas went meanwhile) is logged, the deletion stands.
 */
async function forgetNameInChats(services: Services, userId: string, teamIds: string[]): Promise<void> {
	if (teamIds.length === 0) return;
	const { db, collaboration, logger } = services;
	const live = await db
		.select({ id: canvases.id })
		.from(canvases)
		.where(and(inArray(canvases.teamId, teamIds), isNull(canvases.deletedAt)));
	const chatNames = live.map((canvas) => documentName('chat', canvas.id));
	if (chatNames.length === 0) return;
	// Only chats that exist: a snapshot, or updates not folded into one yet.
	const [snapshots, logged] = await Promise.all([
		db.select({ name: documents.name }).from(documents).where(inArray(documents.name, chatNames)),
		db.selectDistinct({ name: documentUpdates.document }).from(documentUpdates).where(inArray(documentUpdates.document, chatNames))
	]);
	const existing = new Set([...snapshots, ...logged].map((row) => row.name));
	const writer = { origin: 'account' as const, actor: systemActor('account deletion') };
	for (const canvas of live) {
		if (!existing.has(documentName('chat', canvas.id))) continue;
		try {
			const chat = await collaboration.openChat(canvas.id, writer);
			try {
				await chat.renameAuthor(userId, DELETED_USER_NAME);
			} finally {
				await chat.close();
			}
		} catch (error) {
			logger.warn({ err: error, canvasId: canvas.id }, "a deleted account's name could not be taken out of a chat");
		}
	}
}
