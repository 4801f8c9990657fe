// Signing in with a provider: the account its subject is linked to, else an existing account with the
// address the provider vouches for (only when that account's address is verified too), else a new
// one; and linking a provider to the signed-in account. Accounts are never linked by an unverified
// address on either side.
import { and, eq, sql } from 'drizzle-orm';
import type { Database, Queryable } from '../db/index.ts';
import { oauthAccounts, users, type IdentityProvider } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { createAccount, defaultUserName, validUserName } from '../accounts.ts';
import type { SessionUser } from './sessions.ts';
import type { VerifiedIdentity } from './identity-providers.ts';
import * as teamSso from './team-sso.ts';

export interface ProviderSignInOptions {
	provider: IdentityProvider;
	/** What messages call the provider (GitHub, Google, OIDC_NAME). */
	label: string;
	sso: teamSso.SsoSetup;
}

/** How the person got in: an account already linked, one linked now by its verified address, or a new one. */
export type ProviderSignInOutcome = 'returning' | 'linked' | 'created';

export interface ProviderSignIn {
	user: SessionUser;
	outcome: ProviderSignInOutcome;
}

interface AccountRow extends SessionUser {
	emailVerifiedAt: Date | null;
	deletedAt: Date | null;
}

const accountColumns = { id: users.id, email: users.email, name: users.name, emailVerifiedAt: users.emailVerifiedAt, deletedAt: users.deletedAt };

/** Signs someone in with a verified provider identity; refusals are AppErrors saying what to do instead. */
export async function signInWithProvider(db: Database, identity: VerifiedIdentity, options: ProviderSignInOptions): Promise<ProviderSignIn> {
	try {
		return await attemptSignIn(db, identity, options);
	} catch (error) {
		// Two first sign-ins at once: the other made the account (or the link); this one now finds it.
		if (error instanceof AppError && error.code === 'CONFLICT' && error.details?.retry === true) return attemptSignIn(db, identity, options);
		throw error;
	}
}

async function attemptSignIn(db: Database, identity: VerifiedIdentity, options: ProviderSignInOptions): Promise<ProviderSignIn> {
	const { provider, label } = options;
	const linked = await linkedAccount(db, provider, identity.subject);
	if (linked) {
		if (linked.deletedAt) throw deletedAccount(label);
		await assertMethodAllowed(db, options, linked);
		await touchLink(db, provider, identity);
		return { user: sessionUser(linked), outcome: 'returning' };
	}
	if (!identity.email || !identity.emailVerified) {
		throw new AppError(
			'FORBIDDEN',
			`${label} did not confirm an email address for this account, so Easel cannot find or create an account for it. Verify your address at ${label}${
				provider === 'github' ? ' (your primary address must be a verified one)' : ''
			}, or sign up with your email and a password.`,
			{ reason: 'email_unverified_at_provider' }
		);
	}
	const email = identity.email;
	const [existing] = await db
		.select(accountColumns)
		.from(users)
		.where(sql`lower(${users.email}) = ${email}`);
	if (existing) {
		if (existing.deletedAt) throw deletedAccount(label);
		if (!existing.emailVerifiedAt) {
			throw new AppError(
				'FORBIDDEN',
				`An Easel account with this email exists but its address is not verified. Sign in with your password and link ${label} from your account settings.`,
				{ reason: 'account_unverified' }
			);
		}
		await assertMethodAllowed(db, options, existing);
		await insertLink(db, existing.id, provider, identity);
		return { user: sessionUser(existing), outcome: 'linked' };
	}
	const created = await db.transaction(async (tx) => {
		const name = validUserName(identity.name) ?? defaultUserName(email);
		const account = await createAccount(tx, { email, name, passwordHash: null, emailVerifiedAt: new Date() }).catch((error: unknown) => {
			throw error instanceof AppError && error.code === 'CONFLICT' ? new AppError('CONFLICT', error.message, { retry: true }) : error;
		});
		await insertLink(tx, account.id, provider, identity);
		return account;
	});
	return { user: { id: created.id, email: created.email, name: created.name }, outcome: 'created' };
}

/**
 * Links a provider account to the signed-in person (from account settings). Their own address must be
 * verified; the provider's may differ. A provider account linked to someone else is refused, and so
 * is a second account of the same provider (unlink the first).
 */
export async function linkProvider(db: Database, userId: string, identity: VerifiedIdentity, options: Pick<ProviderSignInOptions, 'provider' | 'label'>): Promise<void> {
	const { provider, label } = options;
	const [user] = await db.select(accountColumns).from(users).where(eq(users.id, userId));
	if (!user || user.deletedAt) throw new AppError('UNAUTHENTICATED', 'Sign in again.');
	if (!user.emailVerifiedAt) {
		throw new AppError('FORBIDDEN', `Unverified accounts cannot be linked to providers: verify your email address from your account settings, then link ${label}.`, {
			reason: 'account_unverified'
		});
	}
	const linked = await linkedAccount(db, provider, identity.subject);
	if (linked && linked.id !== userId) throw linkedElsewhere(label);
	if (linked) {
		await touchLink(db, provider, identity);
		return;
	}
	const [other] = await db
		.select({ email: oauthAccounts.email })
		.from(oauthAccounts)
		.where(and(eq(oauthAccounts.userId, userId), eq(oauthAccounts.provider, provider)));
	if (other) {
		throw new AppError('CONFLICT', `Your account is already linked to a ${label} account${other.email ? ` (${other.email})` : ''}. Unlink it first to link another.`);
	}
	await insertLink(db, userId, provider, identity).catch((error: unknown) => {
		throw error instanceof AppError && error.code === 'CONFLICT' ? linkedElsewhere(label) : error;
	});
}

async function linkedAccount(db: Queryable, provider: IdentityProvider, subject: string): Promise<AccountRow | undefined> {
	const [row] = await db
		.select(accountColumns)
		.from(oauthAccounts)
		.innerJoin(users, eq(users.id, oauthAccounts.userId))
		.where(and(eq(oauthAccounts.provider, provider), eq(oauthAccounts.subject, subject)));
	return row;
}

async function insertLink(db: Queryable, userId: string, provider: IdentityProvider, identity: VerifiedIdentity): Promise<void> {
	const inserted = await db
		.insert(oauthAccounts)
		.values({ userId, provider, subject: identity.subject, email: identity.email, lastUsedAt: new Date() })
		.onConflictDoNothing()
		.returning({ id: oauthAccounts.id });
	if (inserted.length === 0) throw new AppError('CONFLICT', 'This account was linked a moment ago.', { retry: true });
}

/** Records the sign-in on the link, and the address the provider gives now (account settings show it). */
async function touchLink(db: Queryable, provider: IdentityProvider, identity: VerifiedIdentity): Promise<void> {
	await db
		.update(oauthAccounts)
		.set({ lastUsedAt: new Date(), email: identity.email })
		.where(and(eq(oauthAccounts.provider, provider), eq(oauthAccounts.subject, identity.subject)));
}

/** GitHub and Google sign-ins meet team SSO like passwords do; the OIDC provider is the SSO. */
async function assertMethodAllowed(db: Queryable, options: ProviderSignInOptions, user: SessionUser): Promise<void> {
	if (options.provider === 'oidc') return;
	await teamSso.assertSignInAllowed(db, options.sso, user, options.provider);
}

function sessionUser(row: AccountRow): SessionUser {
	return { id: row.id, email: row.email, name: row.name };
}

function deletedAccount(label: string): AppError {
	return new AppError('FORBIDDEN', `The Easel account for this ${label} account was deleted, so it cannot be signed in to.`, { reason: 'account_deleted' });
}

function linkedElsewhere(label: string): AppError {
	return new AppError('CONFLICT', `This ${label} account is already linked to another Easel account. Unlink it there first, or use another ${label} account.`);
}
