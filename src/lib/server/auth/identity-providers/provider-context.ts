// What each provider module gets and gives: the configuration and our callback URL in, the verified identity out.
import type { Config } from '../../config.ts';
import { AppError } from '../../errors.ts';

export interface ProviderContext {
	config: Config;
	/** What messages call the provider (GitHub, Google, OIDC_NAME). */
	label: string;
	/** Our callback URL for this provider, exactly as registered with it. */
	redirectUri: string;
}

/** The secrets of one sign-in attempt, kept in a short-lived HttpOnly cookie between the start and the callback. */
export interface ProviderChecks {
	/** Sent to the provider and expected back at the callback (CSRF). */
	state: string;
	/** PKCE (S256): only its hash goes to the provider; the verifier redeems the code. */
	codeVerifier: string;
	/** OIDC and Google: must come back inside the id_token (a token minted for another attempt is refused). */
	nonce: string;
}

/** Who the provider says someone is, after every check passed. */
export interface VerifiedIdentity {
	/** The provider's stable id for the account (OIDC and Google `sub`, GitHub's numeric user id). */
	subject: string;
	/** The address the provider gave, lower-cased; null when it gave none. */
	email: string | null;
	/** Whether the provider vouches that the address is the person's (email_verified, GitHub's verified primary address). */
	emailVerified: boolean;
	/** The name on the profile, as the provider gave it (validated before it is used). */
	name: string | null;
}

/** Time allowed for each request to a provider. */
export const PROVIDER_TIMEOUT_MS = 10_000;

/** A provider's address as we store it: trimmed and lower-cased (the provider's own spelling otherwise). */
export function normaliseProviderEmail(email: unknown): string | null {
	return typeof email === 'string' && email.includes('@') ? email.trim().toLowerCase() : null;
}

/** A callback whose state is not the one this browser's attempt expects (or that carries no code). */
export function tamperedCallback(label: string): AppError {
	return new AppError('INVALID_INPUT', `This answer from ${label} does not belong to the sign-in you started in this browser. Start again from the sign-in page.`);
}
