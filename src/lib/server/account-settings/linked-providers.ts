// The sign-in providers an account is linked to (rows of oauth_accounts, made by the provider
// sign-in flows), and unlinking one — refused when it would leave no way to sign in.
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Database, Queryable } from '../db/index.ts';
import { IDENTITY_PROVIDERS, oauthAccounts, users, type IdentityProvider } from '../db/schema.ts';
import { AppError } from '../errors.ts';

/** What the instance offers, from its configuration: the configured providers and the OIDC provider's display name. */
export interface ProviderSettings {
	identityProviders: readonly IdentityProvider[];
	/** OIDC_NAME: what the OIDC provider is called on buttons ("single sign-on", "Okta"). */
	oidcName: string;
}

export interface LinkedAccount {
	id: string;
	/** The address the provider vouched for when it was linked. */
	email: string | null;
	linkedAt: Date;
	lastUsedAt: Date | null;
}

export interface ProviderLink {
	provider: IdentityProvider;
	/** "GitHub", "Google", or the OIDC provider's configured name. */
	name: string;
	/** Offered on this instance (a linked provider the operator has since turned off can still be unlinked). */
	configured: boolean;
	/** Linked provider accounts (usually one). */
	accounts: (LinkedAccount & {
		/** Why it cannot be unlinked (it is the last way in), or null when it can. */
		unlinkRefusal: string | null;
	})[];
}

export interface LinkedProviders {
	providers: ProviderLink[];
	/** Linking a provider needs a verified email; null when linking is open. */
	linkRefusal: string | null;
}

export const LAST_WAY_IN = 'This is your only way to sign in: set a password or link another provider first.';
export const LINK_NEEDS_VERIFIED_EMAIL = 'Verify your email address first: only accounts with a verified address can be linked to a provider.';

export function providerName(provider: IdentityProvider, settings: Pick<ProviderSettings, 'oidcName'>): string {
	return provider === 'github' ? 'GitHub' : provider === 'google' ? 'Google' : settings.oidcName;
}

async function signInMethods(db: Queryable, userId: string) {
	const [account] = await db
		.select({ passwordHash: users.passwordHash, emailVerifiedAt: users.emailVerifiedAt })
		.from(users)
		.where(and(eq(users.id, userId), isNull(users.deletedAt)));
	if (!account) throw new AppError('NOT_FOUND', 'This account no longer exists.');
	const linked = await db
		.select({
			id: oauthAccounts.id,
			provider: oauthAccounts.provider,
			email: oauthAccounts.email,
			linkedAt: oauthAccounts.createdAt,
			lastUsedAt: oauthAccounts.lastUsedAt
		})
		.from(oauthAccounts)
		.where(eq(oauthAccounts.userId, userId))
		.orderBy(asc(oauthAccounts.createdAt));
	return { hasPassword: account.passwordHash !== null, emailVerified: account.emailVerifiedAt !== null, linked };
}

/** Every configured provider, plus any linked one that no longer is, with the account's links. */
export async function listLinkedProviders(db: Queryable, userId: string, settings: ProviderSettings): Promise<LinkedProviders> {
	const { hasPassword, emailVerified, linked } = await signInMethods(db, userId);
	const lastWayIn = !hasPassword && linked.length <= 1;
	const shown = IDENTITY_PROVIDERS.filter((provider) => settings.identityProviders.includes(provider) || linked.some((row) => row.provider === provider));
	return {
		providers: shown.map((provider) => ({
			provider,
			name: providerName(provider, settings),
			configured: settings.identityProviders.includes(provider),
			accounts: linked.filter((row) => row.provider === provider).map(({ provider: _provider, ...row }) => ({ ...row, unlinkRefusal: lastWayIn ? LAST_WAY_IN : null }))
		})),
		linkRefusal: emailVerified ? null : LINK_NEEDS_VERIFIED_EMAIL
	};
}

/**
 * Unlinks one of the account's provider accounts. CONFLICT when it is the last way in (no password
 * and no other linked provider); NOT_FOUND when it is not theirs. The account row is locked, so two
 * unlinks at once cannot both pass the check.
 */
export async function unlinkProvider(db: Database, userId: string, linkedAccountId: string): Promise<void> {
	await db.transaction(async (tx) => {
		await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for('update');
		const { hasPassword, linked } = await signInMethods(tx, userId);
		if (!linked.some((row) => row.id === linkedAccountId)) throw new AppError('NOT_FOUND', 'That linked account was not found: it may be unlinked already.');
		if (!hasPassword && linked.length <= 1) throw new AppError('CONFLICT', LAST_WAY_IN);
		await tx.delete(oauthAccounts).where(and(eq(oauthAccounts.id, linkedAccountId), eq(oauthAccounts.userId, userId)));
	});
}
