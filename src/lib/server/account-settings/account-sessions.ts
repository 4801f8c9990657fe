// The account's signed-in sessions: list them (device, address, how and when), end one, end every
// other one. Ending a session closes the sockets it opened at once.
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { and, eq, gt, inArray, ne } from 'drizzle-orm';
import type { Queryable } from '../db/index.ts';
import { sessions, type SessionMethod } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { Services } from '../services.ts';
import { deviceName } from './device-names.ts';

/** Who is asking: the person and the session their request came with. */
export interface SessionHolder {
	userId: string;
	sessionId: string;
}

export interface AccountSession {
	/** An opaque id for this list (never the stored id: that is the hash the session cookie is checked against). */
	id: string;
	/** The session the request came with. */
	current: boolean;
	method: SessionMethod;
	/** "Chrome on macOS", from the User-Agent it signed in with. */
	device: string;
	ip: string | null;
	createdAt: Date;
	lastActiveAt: Date | null;
	expiresAt: Date;
}

/**
 * The id a session is shown and addressed by: 16 hex digits of the SHA-256 of its stored id. It
 * tells nothing about the stored id (itself the SHA-256 of the cookie's token) and cannot be turned into it.
 */
export function publicSessionId(storedSessionId: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(storedSessionId))).slice(0, 16);
}

/** The person's live sessions, the current one first, then the most recently active. */
export async function listSessions(db: Queryable, holder: SessionHolder, now = new Date()): Promise<AccountSession[]> {
	const rows = await db
		.select({
			id: sessions.id,
			method: sessions.method,
			userAgent: sessions.userAgent,
			ip: sessions.ip,
			createdAt: sessions.createdAt,
			lastActiveAt: sessions.lastActiveAt,
			expiresAt: sessions.expiresAt
		})
		.from(sessions)
		.where(and(eq(sessions.userId, holder.userId), gt(sessions.expiresAt, now)));
	const activity = (row: (typeof rows)[number]) => (row.lastActiveAt ?? row.createdAt).getTime();
	return rows
		.map((row) => ({ row, current: row.id === holder.sessionId }))
		.sort((a, b) => Number(b.current) - Number(a.current) || activity(b.row) - activity(a.row))
		.map(({ row, current }) => ({
			id: publicSessionId(row.id),
			current,
			method: row.method,
			device: deviceName(row.userAgent),
			ip: row.ip,
			createdAt: row.createdAt,
			lastActiveAt: row.lastActiveAt,
			expiresAt: row.expiresAt
		}));
}

/**
 * Signs out one of the person's sessions by its public id (the current one too: that is signing
 * out). Returns whether it was the current one. NOT_FOUND when they have no such session.
 */
export async function endSession(services: Services, holder: SessionHolder, sessionPublicId: string): Promise<{ wasCurrent: boolean }> {
	const owned = await services.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, holder.userId));
	const target = owned.find((row) => publicSessionId(row.id) === sessionPublicId.toLowerCase());
	if (!target) throw new AppError('NOT_FOUND', 'That session was not found: it may have ended already.');
	await endSessions(services, [target.id]);
	return { wasCurrent: target.id === holder.sessionId };
}

/** Signs out every session of the person but the current one; returns how many ended. */
export async function endOtherSessions(services: Services, holder: SessionHolder): Promise<number> {
	const others = await services.db
		.select({ id: sessions.id })
		.from(sessions)
		.where(and(eq(sessions.userId, holder.userId), ne(sessions.id, holder.sessionId)));
	await endSessions(
		services,
		others.map((row) => row.id)
	);
	return others.length;
}

/** Deletes sessions by stored id; after the commit the sockets each opened are closed (UNAUTHENTICATED). */
async function endSessions(services: Services, storedSessionIds: string[]): Promise<void> {
	if (storedSessionIds.length === 0) return;
	await services.db.delete(sessions).where(inArray(sessions.id, storedSessionIds));
	closeSessionSockets(services, storedSessionIds);
}

/** Closes the sockets of sessions that were ended (call after the commit that deleted them). */
export function closeSessionSockets(services: Pick<Services, 'collaboration'>, storedSessionIds: readonly string[]): void {
	for (const sessionId of storedSessionIds) services.collaboration.closeConnections({ sessionId }, 'UNAUTHENTICATED');
}

/** How recent a sign-in must be for what an account without a password does unchallenged (setting one, deleting the account). */
export const RECENT_SIGN_IN_MINUTES = 15;

/** Whether the session began within RECENT_SIGN_IN_MINUTES. */
export async function isRecentSignIn(db: Queryable, holder: SessionHolder, now = new Date()): Promise<boolean> {
	const [session] = await db
		.select({ createdAt: sessions.createdAt })
		.from(sessions)
		.where(and(eq(sessions.id, holder.sessionId), eq(sessions.userId, holder.userId)));
	return Boolean(session) && now.getTime() - session.createdAt.getTime() <= RECENT_SIGN_IN_MINUTES * 60_000;
}

/** FORBIDDEN unless the session began within RECENT_SIGN_IN_MINUTES: the sign-in stands in for the password the account lacks. */
export async function requireRecentSignIn(db: Queryable, holder: SessionHolder, what: string, now = new Date()): Promise<void> {
	if (!(await isRecentSignIn(db, holder, now))) {
		throw new AppError('FORBIDDEN', `To ${what} without a password, sign in again first: it needs a sign-in from the last ${RECENT_SIGN_IN_MINUTES} minutes.`, {
			reason: 'recent_sign_in_required'
		});
	}
}
