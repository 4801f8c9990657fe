// Database sessions, the Lucia pattern: a random token goes to the client, only its SHA-256 is stored.
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { and, eq, isNull } from 'drizzle-orm';
import type { Queryable } from '../db/index.ts';
import { sessions, users, type SessionMethod } from '../db/schema.ts';

export const SESSION_COOKIE = 'easel_session';

/** Over https the cookie gets the __Host- prefix: Secure, host-only, path=/ enforced by the browser. */
export function sessionCookieName(secure: boolean): string {
	return secure ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE;
}
const DAY_MS = 24 * 60 * 60 * 1000;

export interface SessionUser {
	id: string;
	email: string;
	name: string;
}

/** The signed-in person as requests see them: also the avatar colour they chose (null: the one derived from their id). */
export interface SignedInUser extends SessionUser {
	avatarColor: string | null;
}

export interface Session {
	id: string;
	userId: string;
	expiresAt: Date;
}

export interface ValidatedSession {
	session: Session;
	user: SignedInUser;
	/** The expiry moved forward; the cookie should be re-sent. */
	extended: boolean;
}

export function generateSessionToken(): string {
	const bytes = new Uint8Array(20);
	crypto.getRandomValues(bytes);
	return encodeBase32LowerCaseNoPadding(bytes);
}

export function sessionIdFromToken(token: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

/** What the account's session list shows about a session: how it began, and the device and address it began on. */
export interface SessionOrigin {
	method?: SessionMethod;
	userAgent?: string | null;
	ip?: string | null;
}

/** The longest User-Agent kept (they are shown, not parsed for anything that matters). */
const USER_AGENT_MAX = 512;
/** lastActiveAt is written at most this often per session: a request is not a write. */
const ACTIVITY_WRITE_INTERVAL_MS = 60_000;

export async function createSession(db: Queryable, token: string, userId: string, lifetimeDays: number, origin: SessionOrigin = {}): Promise<Session> {
	const session = {
		id: sessionIdFromToken(token),
		userId,
		expiresAt: new Date(Date.now() + lifetimeDays * DAY_MS)
	};
	await db.insert(sessions).values({
		...session,
		method: origin.method ?? 'password',
		userAgent: origin.userAgent?.slice(0, USER_AGENT_MAX) ?? null,
		ip: origin.ip ?? null,
		lastActiveAt: new Date()
	});
	return session;
}

/**
 * Resolves a session token to its user. Expired sessions are deleted; sessions in the second half
 * of their lifetime are extended (sliding expiry), so active users stay signed in. A deleted
 * account has no sessions, and is refused here all the same.
 */
export async function validateSessionToken(db: Queryable, token: string, lifetimeDays: number): Promise<ValidatedSession | null> {
	if (!/^[a-z2-7]{32}$/.test(token)) return null;
	const sessionId = sessionIdFromToken(token);
	const [row] = await db
		.select({
			session: { id: sessions.id, userId: sessions.userId, expiresAt: sessions.expiresAt },
			lastActiveAt: sessions.lastActiveAt,
			user: { id: users.id, email: users.email, name: users.name, avatarColor: users.avatarColor }
		})
		.from(sessions)
		.innerJoin(users, eq(sessions.userId, users.id))
		.where(and(eq(sessions.id, sessionId), isNull(users.deletedAt)));
	if (!row) return null;
	const { session, user, lastActiveAt } = row;
	const now = Date.now();
	if (now >= session.expiresAt.getTime()) {
		await db.delete(sessions).where(eq(sessions.id, session.id));
		return null;
	}
	const lifetimeMs = lifetimeDays * DAY_MS;
	const extended = now >= session.expiresAt.getTime() - lifetimeMs / 2;
	const activityStale = !lastActiveAt || now - lastActiveAt.getTime() >= ACTIVITY_WRITE_INTERVAL_MS;
	if (extended) session.expiresAt = new Date(now + lifetimeMs);
	if (extended || activityStale) {
		await db
			.update(sessions)
			.set({ expiresAt: session.expiresAt, lastActiveAt: new Date(now) })
			.where(eq(sessions.id, session.id));
	}
	return { session, user, extended };
}

/** Starts a session for a user; returns the token for the cookie or the API client. */
export async function startSession(db: Queryable, userId: string, lifetimeDays: number, origin: SessionOrigin = {}): Promise<{ token: string; session: Session }> {
	const token = generateSessionToken();
	const session = await createSession(db, token, userId, lifetimeDays, origin);
	return { token, session };
}

export async function invalidateSession(db: Queryable, sessionId: string): Promise<void> {
	await db.delete(sessions).where(eq(sessions.id, sessionId));
}

export async function invalidateUserSessions(db: Queryable, userId: string): Promise<void> {
	await db.delete(sessions).where(eq(sessions.userId, userId));
}
