// Single-use links mailed to a person (password reset, email verification): a random token in the
// link, only its SHA-256 in `account_tokens`, an expiry, and a use that is recorded once, atomically.
import { and, desc, eq, gt, isNull, lte, ne, or, sql } from 'drizzle-orm';
import type { Queryable } from '../db/index.ts';
import { accountTokens, type AccountTokenPurpose } from '../db/schema.ts';
import { generateSecretToken, hashSecretToken, looksLikeSecretToken } from '../secret-tokens.ts';

export interface IssuedAccountToken {
	/** The secret for the link; never stored. */
	token: string;
	expiresAt: Date;
}

/** Which of the user's unused tokens of the same purpose a new one replaces (their links stop working). */
export type Supersedes =
	/** Every one: a new password-reset link retires the older ones. */
	| 'all'
	/** Those sent to the same address: a resent verification link retires the last one. */
	| 'same-email'
	/** Those sent to any other address: a new email change replaces the pending one. */
	| { otherThan: string };

export interface IssueOptions {
	userId: string;
	purpose: AccountTokenPurpose;
	/** The address the link goes to (for a verification: the address it verifies). */
	email: string;
	lifetimeMs: number;
	supersedes: Supersedes;
	now?: Date;
}

/** Stores a fresh token and retires the ones it supersedes (and the user's expired ones) in the same statement batch. */
export async function issue(db: Queryable, options: IssueOptions): Promise<IssuedAccountToken> {
	const now = options.now ?? new Date();
	const email = options.email.toLowerCase();
	const ofPurpose = and(eq(accountTokens.userId, options.userId), eq(accountTokens.purpose, options.purpose), isNull(accountTokens.usedAt));
	const superseded =
		options.supersedes === 'all'
			? ofPurpose
			: options.supersedes === 'same-email'
				? and(ofPurpose, eq(accountTokens.email, email))
				: and(ofPurpose, ne(accountTokens.email, options.supersedes.otherThan.toLowerCase()));
	await db.delete(accountTokens).where(or(superseded, and(eq(accountTokens.userId, options.userId), lte(accountTokens.expiresAt, now))));
	const token = generateSecretToken();
	const expiresAt = new Date(now.getTime() + options.lifetimeMs);
	await db.insert(accountTokens).values({ id: hashSecretToken(token), userId: options.userId, purpose: options.purpose, email, expiresAt, createdAt: now });
	return { token, expiresAt };
}

/** What an unused, unexpired token stands for. */
export interface LiveAccountToken {
	userId: string;
	/** The address the link was sent to, lower-case. */
	email: string;
	expiresAt: Date;
}

/** The live token behind a link, without using it (a page showing its form); null for unknown, used or expired. */
export async function peek(db: Queryable, token: string, purpose: AccountTokenPurpose, now = new Date()): Promise<LiveAccountToken | null> {
	if (!looksLikeSecretToken(token)) return null;
	const [row] = await db
		.select({ userId: accountTokens.userId, email: accountTokens.email, expiresAt: accountTokens.expiresAt })
		.from(accountTokens)
		.where(and(eq(accountTokens.id, hashSecretToken(token)), eq(accountTokens.purpose, purpose), isNull(accountTokens.usedAt), gt(accountTokens.expiresAt, now)));
	return row ?? null;
}

/**
 * Uses a token: one UPDATE that only an unused, unexpired token passes, so of two concurrent uses
 * one wins. Run it in the transaction of what the token allows, so a failure there leaves it unused.
 */
export async function consume(db: Queryable, token: string, purpose: AccountTokenPurpose, now = new Date()): Promise<LiveAccountToken | null> {
	if (!looksLikeSecretToken(token)) return null;
	const [row] = await db
		.update(accountTokens)
		.set({ usedAt: now })
		.where(and(eq(accountTokens.id, hashSecretToken(token)), eq(accountTokens.purpose, purpose), isNull(accountTokens.usedAt), gt(accountTokens.expiresAt, now)))
		.returning({ userId: accountTokens.userId, email: accountTokens.email, expiresAt: accountTokens.expiresAt });
	return row ?? null;
}

/** Retires every unused token of the user (of one purpose, or all): the links already mailed stop working. */
export async function revokeUnused(db: Queryable, userId: string, purpose?: AccountTokenPurpose): Promise<void> {
	await db.delete(accountTokens).where(and(eq(accountTokens.userId, userId), isNull(accountTokens.usedAt), purpose ? eq(accountTokens.purpose, purpose) : undefined));
}

/** The user's newest live token of a purpose sent to an address other than `exceptEmail` (a pending email change). */
export async function latestLiveToOtherAddress(
	db: Queryable,
	userId: string,
	purpose: AccountTokenPurpose,
	exceptEmail: string,
	now = new Date()
): Promise<LiveAccountToken | null> {
	const [row] = await db
		.select({ userId: accountTokens.userId, email: accountTokens.email, expiresAt: accountTokens.expiresAt })
		.from(accountTokens)
		.where(
			and(
				eq(accountTokens.userId, userId),
				eq(accountTokens.purpose, purpose),
				isNull(accountTokens.usedAt),
				gt(accountTokens.expiresAt, now),
				sql`${accountTokens.email} <> lower(${exceptEmail})`
			)
		)
		.orderBy(desc(accountTokens.createdAt))
		.limit(1);
	return row ?? null;
}
