// User accounts: sign-up (with a personal team), password authentication and sign-out.
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, Queryable } from './db/index.ts';
import { memberships, teams, users } from './db/schema.ts';
import { AppError, parseInput } from './errors.ts';
import { displayNameForOutput, displayNameSchema } from './display-names.ts';
import { decoyPasswordHash, hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, verifyPassword } from './auth/passwords.ts';
import { invalidateSession, type SessionUser } from './auth/sessions.ts';
import { assertSignInAllowed, type SsoSetup } from './auth/team-sso.ts';
import type { Services } from './services.ts';

export const USER_NAME_MAX_LENGTH = 80;
// Same as teams.ts's TEAM_NAME_MAX_LENGTH (not imported: teams.ts pulls in billing and documents).
const TEAM_NAME_MAX_LENGTH = 80;

export const emailSchema = z
	.string({ error: 'Email is required.' })
	.trim()
	.toLowerCase()
	.max(254, { error: 'Email is too long.' })
	.pipe(z.email({ error: 'Enter a valid email address.' }));

const userNameSchema = displayNameSchema({ label: 'Name', maxLength: USER_NAME_MAX_LENGTH });

export const signUpSchema = z.object({
	email: emailSchema,
	name: z
		.string({ error: 'Name must be text.' })
		.trim()
		.optional()
		.transform((value) => value || undefined)
		.pipe(userNameSchema.optional()),
	password: z
		.string({ error: 'Password is required.' })
		.min(MIN_PASSWORD_LENGTH, { error: `Password must be at least ${MIN_PASSWORD_LENGTH} characters.` })
		.max(MAX_PASSWORD_LENGTH, { error: `Password must be at most ${MAX_PASSWORD_LENGTH} characters.` })
});

export const signInSchema = z.object({
	email: emailSchema,
	password: z.string({ error: 'Password is required.' }).min(1, { error: 'Password is required.' }).max(MAX_PASSWORD_LENGTH)
});

export type SignUpInput = z.input<typeof signUpSchema>;

/** Creates a user with a personal team they own. Fails with CONFLICT when the email is taken. */
export async function signUp(db: Database, raw: SignUpInput): Promise<SessionUser & { personalTeamId: string }> {
	const input = parseInput(signUpSchema, raw);
	const passwordHash = await hashPassword(input.password);
	const name = input.name || defaultUserName(input.email);
	return db.transaction((tx) => createAccount(tx, { email: input.email, name, passwordHash, emailVerifiedAt: null }));
}

export interface NewAccount {
	/** Already normalised (emailSchema). */
	email: string;
	/** Already a valid display name (signUpSchema's rule). */
	name: string;
	/** Null for an account made through a sign-in provider: it has no password until its owner sets one. */
	passwordHash: string | null;
	/** Set when the address is already proven (a provider vouched for it). */
	emailVerifiedAt: Date | null;
}

/**
 * Creates a user and the personal team they own, in the caller's transaction (every way in makes
 * accounts here: sign-up, and signing in with a provider). CONFLICT when the email is taken.
 */
export async function createAccount(tx: Queryable, account: NewAccount): Promise<SessionUser & { personalTeamId: string }> {
	try {
		// A savepoint, so a taken email leaves the caller's transaction usable.
		return await tx.transaction(async (inner) => {
			const [user] = await inner.insert(users).values(account).returning({ id: users.id, email: users.email, name: users.name });
			const [team] = await inner
				.insert(teams)
				.values({ name: personalTeamName(account.name), personal: true })
				.returning({ id: teams.id });
			await inner.insert(memberships).values({ teamId: team.id, userId: user.id, role: 'owner' });
			return { ...user, personalTeamId: team.id };
		});
	} catch (error) {
		if (isUniqueViolation(error)) {
			throw new AppError('CONFLICT', 'An account with this email already exists. Sign in instead.', { field: 'email' });
		}
		throw error;
	}
}

/** A name for someone who gave none: their address's local part, as a valid display name. */
export function defaultUserName(email: string): string {
	return displayNameForOutput(email.split('@')[0], USER_NAME_MAX_LENGTH);
}

/** `name` when it is a valid user name (trimmed and normalised), else null. */
export function validUserName(name: string | null | undefined): string | null {
	const parsed = userNameSchema.safeParse(name ?? '');
	return parsed.success ? parsed.data : null;
}

/** A throttle counting sign-ups per client address (see rate-limits.ts). */
export interface SignUpThrottle {
	consume(ip: string): Promise<void>;
}

/**
 * Sign-up from outside (the JSON API and the form page alike): counted per client address before
 * any work, so one address cannot create accounts in bulk. Invalid input costs nothing.
 */
export async function register(db: Database, throttle: SignUpThrottle, input: SignUpInput & { ip: string }): Promise<SessionUser & { personalTeamId: string }> {
	const { ip, ...fields } = input;
	const parsed = parseInput(signUpSchema, fields);
	await throttle.consume(ip);
	return signUp(db, parsed);
}

/** The user with this email and password, or null. Unknown emails cost the same time as wrong passwords. */
export async function authenticate(db: Database, email: string, password: string): Promise<SessionUser | null> {
	const [user] = await db
		.select({ id: users.id, email: users.email, name: users.name, passwordHash: users.passwordHash })
		.from(users)
		.where(sql`lower(${users.email}) = ${email.toLowerCase()}`);
	// An account made through a provider has no password until its owner sets one: same cost, same answer.
	if (!user?.passwordHash) {
		await verifyPassword(await decoyPasswordHash(), password);
		return null;
	}
	if (!(await verifyPassword(user.passwordHash, password))) return null;
	return { id: user.id, email: user.email, name: user.name };
}

/** "Ada's team", shortened so it stays a valid team name. */
function personalTeamName(userName: string): string {
	const suffix = "'s team";
	return `${displayNameForOutput(userName, TEAM_NAME_MAX_LENGTH - suffix.length)}${suffix}`;
}

function isUniqueViolation(error: unknown): boolean {
	for (let current = error as { code?: string; cause?: unknown } | undefined; current; current = current.cause as typeof current) {
		if (current.code === '23505') return true;
	}
	return false;
}

/** A throttle counting sign-in attempts (see rate-limits.ts). */
export interface SignInThrottle {
	consume(ip: string, email: string): Promise<void>;
	reset(ip: string, email: string): Promise<void>;
}

export const INVALID_CREDENTIALS = 'Email or password is incorrect.';

/**
 * Checks credentials under the per IP + email throttle; the same error for unknown email and wrong
 * password. Then team SSO: a member whose team requires single sign-on for their address is refused
 * (SSO_REQUIRED) — only once the password proved them, so strangers learn nothing about membership.
 */
export async function signIn(db: Database, throttle: SignInThrottle, input: { ip: string; email: string; password: string }, sso: SsoSetup): Promise<SessionUser> {
	await throttle.consume(input.ip, input.email);
	const user = await authenticate(db, input.email, input.password);
	if (!user) throw new AppError('UNAUTHENTICATED', INVALID_CREDENTIALS);
	await throttle.reset(input.ip, input.email);
	await assertSignInAllowed(db, sso, user, 'password');
	return user;
}

/** Ends a session. After the commit the sockets it opened are closed (UNAUTHENTICATED), at once. */
export async function signOut(services: Services, sessionId: string): Promise<void> {
	await invalidateSession(services.db, sessionId);
	services.collaboration.closeConnections({ sessionId }, 'UNAUTHENTICATED');
}
