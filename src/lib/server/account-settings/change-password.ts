// Changing the account's password, or setting one on an account made through a provider. Every
// other session ends (its sockets close); the one that made the change stays signed in.
import { and, eq, isNull, ne } from 'drizzle-orm';
import { z } from 'zod';
import type { Queryable } from '../db/index.ts';
import { accountTokens, sessions, users } from '../db/schema.ts';
import { AppError, parseInput } from '../errors.ts';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, verifyPassword } from '../auth/passwords.ts';
import type { SignInThrottle } from '../accounts.ts';
import type { Services } from '../services.ts';
import { closeSessionSockets, requireRecentSignIn, type SessionHolder } from './account-sessions.ts';

/** The rules of sign-up's password, for a new one. */
export const newPasswordSchema = z
	.string({ error: 'New password is required.' })
	.min(MIN_PASSWORD_LENGTH, { error: `New password must be at least ${MIN_PASSWORD_LENGTH} characters.` })
	.max(MAX_PASSWORD_LENGTH, { error: `New password must be at most ${MAX_PASSWORD_LENGTH} characters.` });

/** `POST /api/v1/me/password`: the current password (when the account has one) and the new one. */
export const changePasswordSchema = z
	.object({
		currentPassword: z.string({ error: 'Current password must be text.' }).max(MAX_PASSWORD_LENGTH).optional(),
		newPassword: newPasswordSchema
	})
	.strict();

export type ChangePasswordInput = z.input<typeof changePasswordSchema>;

/** What proving the current password is counted against: the sign-in throttle, so a stolen session cannot guess it. */
export interface PasswordCheck {
	throttle: SignInThrottle;
	ip: string;
}

export const WRONG_PASSWORD = 'That is not your current password.';

/**
 * Verifies `password` against the account's, counted by the sign-in throttle; INVALID_INPUT naming
 * `field` when it is missing or wrong.
 */
export async function requirePassword(
	check: PasswordCheck,
	account: { email: string; passwordHash: string },
	password: string | undefined,
	field: string
): Promise<void> {
	if (!password) throw new AppError('INVALID_INPUT', 'Enter your current password.', { field });
	await check.throttle.consume(check.ip, account.email);
	if (!(await verifyPassword(account.passwordHash, password))) throw new AppError('INVALID_INPUT', WRONG_PASSWORD, { field });
	await check.throttle.reset(check.ip, account.email);
}

/** The live account's email and password hash (null: it has none yet); NOT_FOUND once deleted. */
export async function credentialsOf(db: Queryable, userId: string): Promise<{ email: string; passwordHash: string | null }> {
	const [row] = await db
		.select({ email: users.email, passwordHash: users.passwordHash })
		.from(users)
		.where(and(eq(users.id, userId), isNull(users.deletedAt)));
	if (!row) throw new AppError('NOT_FOUND', 'This account no longer exists.');
	return row;
}

/**
 * Sets a new password. With a password already, the current one must be given (and is checked
 * under the sign-in throttle). Without one (a provider-made account), it needs a sign-in from the
 * last few minutes instead. Afterwards every other session is ended and unused reset links stop
 * working. Returns how many sessions ended, and whether it was the account's first password.
 */
export async function changePassword(
	services: Services,
	holder: SessionHolder,
	raw: ChangePasswordInput,
	check: PasswordCheck
): Promise<{ endedSessions: number; firstPassword: boolean }> {
	const input = parseInput(changePasswordSchema, raw);
	const { db } = services;
	const account = await credentialsOf(db, holder.userId);
	if (account.passwordHash) await requirePassword(check, { email: account.email, passwordHash: account.passwordHash }, input.currentPassword, 'currentPassword');
	else await requireRecentSignIn(db, holder, 'set a password');
	const passwordHash = await hashPassword(input.newPassword);
	const ended = await db.transaction(async (tx) => {
		await tx.update(users).set({ passwordHash }).where(eq(users.id, holder.userId));
		// A reset link mailed before the change would undo it.
		await tx.delete(accountTokens).where(and(eq(accountTokens.userId, holder.userId), eq(accountTokens.purpose, 'password_reset'), isNull(accountTokens.usedAt)));
		return tx
			.delete(sessions)
			.where(and(eq(sessions.userId, holder.userId), ne(sessions.id, holder.sessionId)))
			.returning({ id: sessions.id });
	});
	closeSessionSockets(
		services,
		ended.map((row) => row.id)
	);
	return { endedSessions: ended.length, firstPassword: account.passwordHash === null };
}
