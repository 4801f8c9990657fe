// Password reset by email: a request always gets the same answer (whether the address has an account,
// whether its budget is spent), the link is single-use and short-lived, and a reset ends every session.
import { and, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../db/index.ts';
import { sessions, users } from '../db/schema.ts';
import { AppError, parseInput } from '../errors.ts';
import type { Services } from '../services.ts';
import { emailSchema, signUpSchema } from '../accounts.ts';
import { hashPassword } from './passwords.ts';
import * as accountTokens from './account-tokens.ts';
import { passwordResetEmail, resetPasswordUrl, type AccountEmailOptions } from './account-emails.ts';

/** A reset link works for an hour. */
export const PASSWORD_RESET_LIFETIME_MS = 60 * 60 * 1000;

export const passwordResetRequestSchema = z.object({ email: emailSchema });

/** The new password: the rules of sign-up. */
export const passwordResetSchema = z.object({ password: signUpSchema.shape.password });

/** The reset page's form: the new password twice. */
export const passwordResetFormSchema = passwordResetSchema
	.extend({ confirmPassword: z.string({ error: 'Type the new password again.' }) })
	.refine((input) => input.password === input.confirmPassword, { error: 'The two passwords are not the same.', path: ['confirmPassword'] });

/** The answer to every well-formed request, whatever happens next. */
export const RESET_REQUESTED_MESSAGE = 'If an account has this address, a link to reset its password is on its way.';

export const LINK_GONE_MESSAGE = 'This link has expired or was already used — request a new one.';

/** What happened to a request, out of sight of the requester (tests and logs only). */
export type ResetRequestOutcome = 'sent' | 'no-account' | 'not-sent' | 'throttled' | 'no-email-configured';

export interface ResetRequest {
	/** Settles when the request's work is done; the answer to the requester never waits for it. */
	done: Promise<ResetRequestOutcome>;
}

/**
 * Asks for a reset link for `email`. Only bad syntax is refused (INVALID_INPUT); the rest — the
 * budgets, the lookup, the token and the mail — happens after the caller has answered, so neither
 * the answer nor its timing tells whether the address has an account.
 */
export function requestPasswordReset(services: Pick<Services, 'db' | 'logger'>, mail: AccountEmailOptions, input: { email: unknown; ip: string }): ResetRequest {
	const { email } = parseInput(passwordResetRequestSchema, { email: input.email });
	const done = deliverResetLink(services.db, mail, email, input.ip).catch((error: unknown) => {
		services.logger.error({ err: error }, 'password reset request failed');
		return 'not-sent' as const;
	});
	return { done };
}

async function deliverResetLink(db: Database, mail: AccountEmailOptions, email: string, ip: string): Promise<ResetRequestOutcome> {
	const { sendEmail, throttles, publicOrigin } = mail;
	if (!sendEmail) return 'no-email-configured';
	try {
		await throttles.perClient.consume(ip);
		await throttles.perRecipient.consume(email);
	} catch (error) {
		if (error instanceof AppError && error.code === 'RATE_LIMITED') return 'throttled';
		throw error;
	}
	const user = await activeUserByEmail(db, email);
	if (!user) return 'no-account';
	const link = await issueResetLink(db, user, publicOrigin);
	return (await sendEmail(passwordResetEmail(user.email, link.url, link.expiresAt))) ? 'sent' : 'not-sent';
}

async function activeUserByEmail(db: Database, email: string): Promise<{ id: string; email: string } | null> {
	const [user] = await db
		.select({ id: users.id, email: users.email })
		.from(users)
		.where(and(sql`lower(${users.email}) = ${email.toLowerCase()}`, isNull(users.deletedAt)));
	return user ?? null;
}

/** A fresh reset link for the user; older unused ones stop working. */
async function issueResetLink(db: Database, user: { id: string; email: string }, publicOrigin: string, now?: Date) {
	const { token, expiresAt } = await accountTokens.issue(db, {
		userId: user.id,
		purpose: 'password_reset',
		email: user.email,
		lifetimeMs: PASSWORD_RESET_LIFETIME_MS,
		supersedes: 'all',
		now
	});
	return { url: resetPasswordUrl(publicOrigin, token), expiresAt };
}

/** A reset link for the operator to hand over (`npm run admin -- reset-link`); NOT_FOUND for an unknown address. */
export async function operatorResetLink(db: Database, rawEmail: string, publicOrigin: string): Promise<{ email: string; url: string; expiresAt: Date }> {
	const { email } = parseInput(passwordResetRequestSchema, { email: rawEmail });
	const user = await activeUserByEmail(db, email);
	if (!user) throw new AppError('NOT_FOUND', `No account has the email address ${email}.`);
	return { email: user.email, ...(await issueResetLink(db, user, publicOrigin)) };
}

/** The address a live reset link was sent to (its page names the account), or null when the link is gone. */
export async function describeResetLink(db: Database, token: string): Promise<{ email: string } | null> {
	const live = await accountTokens.peek(db, token, 'password_reset');
	return live ? { email: live.email } : null;
}

/** Whether a reset link still works. */
export async function resetLinkIsLive(db: Database, token: string, now?: Date): Promise<boolean> {
	return (await accountTokens.peek(db, token, 'password_reset', now)) !== null;
}

/**
 * Sets a new password through a reset link: INVALID_INPUT for a weak password, GONE for an unknown,
 * used or expired link (or one sent to an address the account no longer has). In one transaction
 * the link is used, the password set, the address marked verified (its owner read the mail) and
 * every session ended; after the commit their sockets are closed.
 */
export async function resetPassword(services: Services, input: { token: string; password: unknown }, options: { now?: Date } = {}): Promise<{ userId: string }> {
	const { password } = parseInput(passwordResetSchema, { password: input.password });
	const now = options.now ?? new Date();
	// Hashing is slow: only for a link that works (it is checked again, atomically, below).
	if (!(await resetLinkIsLive(services.db, input.token, now))) throw new AppError('GONE', LINK_GONE_MESSAGE);
	const passwordHash = await hashPassword(password);
	const userId = await services.db.transaction(async (tx) => {
		const used = await accountTokens.consume(tx, input.token, 'password_reset', now);
		if (!used) throw new AppError('GONE', LINK_GONE_MESSAGE);
		const [user] = await tx
			.update(users)
			.set({ passwordHash, emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now.toISOString()}::timestamptz)` })
			.where(and(eq(users.id, used.userId), sql`lower(${users.email}) = ${used.email}`, isNull(users.deletedAt)))
			.returning({ id: users.id });
		if (!user) throw new AppError('GONE', LINK_GONE_MESSAGE);
		await tx.delete(sessions).where(eq(sessions.userId, user.id));
		await accountTokens.revokeUnused(tx, user.id, 'password_reset');
		return user.id;
	});
	services.collaboration.closeConnections({ userId }, 'UNAUTHENTICATED');
	return { userId };
}
