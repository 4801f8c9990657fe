// Email verification: a link mailed after sign-up (or on request) proves the address is the user's;
// an email change mails such a link to the NEW address and changes the account only once it is used.
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../db/index.ts';
import { users } from '../db/schema.ts';
import { AppError, parseInput } from '../errors.ts';
import type { Services } from '../services.ts';
import { emailSchema } from '../accounts.ts';
import { MAX_PASSWORD_LENGTH, verifyPassword } from './passwords.ts';
import * as accountTokens from './account-tokens.ts';
import { emailChangedNotice, emailChangeEmail, verificationEmail, verifyEmailUrl, type AccountEmailOptions } from './account-emails.ts';

/** A verification link (for the account's address or a new one) works for 24 hours. */
export const EMAIL_VERIFICATION_LIFETIME_MS = 24 * 60 * 60 * 1000;

export const emailChangeSchema = z.object({
	email: emailSchema,
	password: z.string({ error: 'Password must be text.' }).max(MAX_PASSWORD_LENGTH).optional()
});

export const VERIFICATION_LINK_GONE_MESSAGE = 'This link has expired or was already used — request a new one.';

const NO_EMAIL_MESSAGE = 'This Easel server does not send email, so it cannot mail a verification link. The people who run it can verify your address.';

/** The database and logger, and how account emails are sent. */
type Deps = Pick<Services, 'db' | 'logger'>;

interface AccountEmail {
	id: string;
	email: string;
	emailVerifiedAt: Date | null;
	passwordHash: string | null;
}

async function accountOf(db: Database, userId: string): Promise<AccountEmail> {
	const [user] = await db
		.select({ id: users.id, email: users.email, emailVerifiedAt: users.emailVerifiedAt, passwordHash: users.passwordHash })
		.from(users)
		.where(and(eq(users.id, userId), isNull(users.deletedAt)));
	if (!user) throw new AppError('NOT_FOUND', 'This account no longer exists.');
	return user;
}

/** Mails a link verifying the account's current address (the last one sent stops working). False when it was not sent. */
async function mailVerificationLink(deps: Deps, mail: AccountEmailOptions, user: { id: string; email: string }): Promise<boolean> {
	const { sendEmail, publicOrigin } = mail;
	if (!sendEmail) return false;
	const { token, expiresAt } = await accountTokens.issue(deps.db, {
		userId: user.id,
		purpose: 'email_verification',
		email: user.email,
		lifetimeMs: EMAIL_VERIFICATION_LIFETIME_MS,
		supersedes: 'same-email'
	});
	return sendEmail(verificationEmail(user.email, verifyEmailUrl(publicOrigin, token), expiresAt));
}

/**
 * After a sign-up: mails the verification link when the server sends email. Never throws and
 * is not awaited by the sign-up itself (a slow mail server must not slow it); failures are logged.
 */
export async function sendAfterSignUp(deps: Deps, mail: AccountEmailOptions, user: { id: string; email: string }): Promise<boolean> {
	try {
		if (!mail.sendEmail) return false;
		await mail.throttles.perRecipient.consume(user.email.toLowerCase());
		return await mailVerificationLink(deps, mail, user);
	} catch (error) {
		deps.logger.warn({ err: error, userId: user.id }, 'verification email after sign-up not sent');
		return false;
	}
}

/**
 * Mails a new verification link to the signed-in user's address. CONFLICT when it is already
 * verified, NOT_FOUND where the server sends no email (as billing without Stripe), UNAVAILABLE when
 * the mail server refused it, RATE_LIMITED past the person's, client's or address's budget.
 */
export async function resendVerification(deps: Deps, mail: AccountEmailOptions, input: { userId: string; ip: string }): Promise<{ email: string }> {
	const user = await accountOf(deps.db, input.userId);
	if (user.emailVerifiedAt) throw new AppError('CONFLICT', `${user.email} is already verified.`);
	if (!mail.sendEmail) throw new AppError('NOT_FOUND', NO_EMAIL_MESSAGE);
	const { throttles } = mail;
	await throttles.perUser.consume(user.id);
	await throttles.perClient.consume(input.ip);
	await throttles.perRecipient.consume(user.email.toLowerCase());
	if (!(await mailVerificationLink(deps, mail, user))) throw new AppError('UNAVAILABLE', 'The verification email could not be sent. Try again in a few minutes.');
	return { email: user.email };
}

/**
 * Starts an email change: checks the current password (when the account has one), that the new
 * address is free, and mails a link to it; the account keeps its address until the link is used.
 * A new request replaces a pending one. Attempts count against the person's budget before the
 * password is checked, so a stolen session cannot guess the password here.
 */
export async function requestEmailChange(
	deps: Deps,
	mail: AccountEmailOptions,
	input: { userId: string; ip: string; email: unknown; password?: unknown }
): Promise<{ pendingEmail: string; expiresAt: Date }> {
	const parsed = parseInput(emailChangeSchema, { email: input.email, password: input.password });
	const user = await accountOf(deps.db, input.userId);
	const { sendEmail, throttles, publicOrigin } = mail;
	if (!sendEmail) throw new AppError('NOT_FOUND', 'This Easel server does not send email, so it cannot confirm a new address. The people who run it can help.');
	await throttles.perUser.consume(user.id);
	await throttles.perClient.consume(input.ip);
	if (user.passwordHash) {
		if (!parsed.password) throw new AppError('INVALID_INPUT', 'Enter your current password to change your email address.', { field: 'password' });
		if (!(await verifyPassword(user.passwordHash, parsed.password))) throw new AppError('INVALID_INPUT', 'Your current password is not right.', { field: 'password' });
	}
	if (parsed.email === user.email.toLowerCase()) throw new AppError('INVALID_INPUT', `${user.email} is already your email address.`, { field: 'email' });
	await requireAddressFree(deps.db, parsed.email, user.id);
	await throttles.perRecipient.consume(parsed.email);
	const { token, expiresAt } = await accountTokens.issue(deps.db, {
		userId: user.id,
		purpose: 'email_verification',
		email: parsed.email,
		lifetimeMs: EMAIL_VERIFICATION_LIFETIME_MS,
		supersedes: { otherThan: user.email }
	});
	if (!(await sendEmail(emailChangeEmail(parsed.email, user.email, verifyEmailUrl(publicOrigin, token), expiresAt)))) {
		await accountTokens.revokeUnused(deps.db, user.id, 'email_verification');
		throw new AppError('UNAVAILABLE', `The email to ${parsed.email} could not be sent. Try again in a few minutes.`);
	}
	return { pendingEmail: parsed.email, expiresAt };
}

const addressTaken = (email: string) => new AppError('CONFLICT', `Another account already uses ${email}.`, { field: 'email' });

async function requireAddressFree(db: Database, email: string, userId: string): Promise<void> {
	const [other] = await db
		.select({ id: users.id })
		.from(users)
		.where(and(sql`lower(${users.email}) = ${email}`, ne(users.id, userId)));
	if (other) throw addressTaken(email);
}

/** The address an email change waits to have confirmed, or null (the /account page shows it). */
export async function pendingEmailChange(db: Database, userId: string): Promise<{ email: string; expiresAt: Date } | null> {
	const user = await accountOf(db, userId);
	const pending = await accountTokens.latestLiveToOtherAddress(db, userId, 'email_verification', user.email);
	return pending ? { email: pending.email, expiresAt: pending.expiresAt } : null;
}

/** What a verification link would do, for the page that asks to confirm it; null when the link is gone. */
export async function describeVerificationLink(db: Database, token: string): Promise<{ email: string; change: { from: string } | null } | null> {
	const live = await accountTokens.peek(db, token, 'email_verification');
	if (!live) return null;
	const [user] = await db
		.select({ email: users.email })
		.from(users)
		.where(and(eq(users.id, live.userId), isNull(users.deletedAt)));
	if (!user) return null;
	return { email: live.email, change: live.email === user.email.toLowerCase() ? null : { from: user.email } };
}

/** Whether the user's address is verified (one indexed read: the app layout asks on every page). */
export async function isEmailVerified(db: Database, userId: string): Promise<boolean> {
	const [user] = await db.select({ emailVerifiedAt: users.emailVerifiedAt }).from(users).where(eq(users.id, userId));
	return Boolean(user?.emailVerifiedAt);
}

/** Whether the user's address is verified, and the address of a pending change (the app layout's banner). */
export async function verificationState(db: Database, userId: string): Promise<{ verified: boolean; pendingEmail: string | null }> {
	const user = await accountOf(db, userId);
	const pending = await accountTokens.latestLiveToOtherAddress(db, userId, 'email_verification', user.email);
	return { verified: user.emailVerifiedAt !== null, pendingEmail: pending?.email ?? null };
}

export interface ConfirmedEmail {
	userId: string;
	email: string;
	/** The address it replaced, for an email change. */
	previousEmail: string | null;
}

/**
 * Uses a verification link (GONE when unknown, used or expired). For the account's own address it
 * marks it verified; for a new one it becomes the account's (verified) address — CONFLICT if
 * another account took it meanwhile — the other links mailed to either address stop working, and
 * the old address is told.
 */
export async function confirmEmail(services: Deps, mail: AccountEmailOptions, token: string): Promise<ConfirmedEmail> {
	const now = new Date();
	let wanted = 'this address';
	const confirmed = await services.db
		.transaction(async (tx) => {
			const used = await accountTokens.consume(tx, token, 'email_verification', now);
			if (!used) throw new AppError('GONE', VERIFICATION_LINK_GONE_MESSAGE);
			wanted = used.email;
			const [user] = await tx
				.select({ email: users.email })
				.from(users)
				.where(and(eq(users.id, used.userId), isNull(users.deletedAt)));
			if (!user) throw new AppError('GONE', VERIFICATION_LINK_GONE_MESSAGE);
			if (used.email === user.email.toLowerCase()) {
				await tx
					.update(users)
					.set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now.toISOString()}::timestamptz)` })
					.where(eq(users.id, used.userId));
				return { userId: used.userId, email: user.email, previousEmail: null };
			}
			const [other] = await tx
				.select({ id: users.id })
				.from(users)
				.where(and(sql`lower(${users.email}) = ${used.email}`, ne(users.id, used.userId)));
			if (other) throw addressTaken(used.email);
			await tx.update(users).set({ email: used.email, emailVerifiedAt: now }).where(eq(users.id, used.userId));
			// Links mailed to the old address (a reset) or to other new ones must not outlive the change.
			await accountTokens.revokeUnused(tx, used.userId);
			return { userId: used.userId, email: used.email, previousEmail: user.email };
		})
		.catch((error: unknown) => {
			// Another account took the address between the check and the update.
			if (isUniqueViolation(error)) throw addressTaken(wanted);
			throw error;
		});
	if (confirmed.previousEmail && mail.sendEmail) {
		const notice = emailChangedNotice(confirmed.previousEmail, confirmed.email, now, mail.publicOrigin);
		void mail.sendEmail(notice).catch((error: unknown) => services.logger.warn({ err: error }, 'email-changed notice not sent'));
	}
	return confirmed;
}

/** Marks an address verified without a link (`npm run admin -- verify-email`); NOT_FOUND for an unknown address. */
export async function markVerifiedByOperator(db: Database, rawEmail: string): Promise<{ email: string; alreadyVerified: boolean }> {
	const { email } = parseInput(z.object({ email: emailSchema }), { email: rawEmail });
	const [user] = await db
		.select({ id: users.id, email: users.email, emailVerifiedAt: users.emailVerifiedAt })
		.from(users)
		.where(and(sql`lower(${users.email}) = ${email}`, isNull(users.deletedAt)));
	if (!user) throw new AppError('NOT_FOUND', `No account has the email address ${email}.`);
	if (!user.emailVerifiedAt) await db.update(users).set({ emailVerifiedAt: new Date() }).where(eq(users.id, user.id));
	return { email: user.email, alreadyVerified: user.emailVerifiedAt !== null };
}

function isUniqueViolation(error: unknown): boolean {
	for (let current = error as { code?: string; cause?: unknown } | undefined; current; current = current.cause as typeof current) {
		if (current.code === '23505') return true;
	}
	return false;
}
