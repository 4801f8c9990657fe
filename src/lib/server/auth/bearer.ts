// Who a bearer token speaks for: the one place that tells session tokens from API keys (by their
// form), for HTTP `Authorization: Bearer` and for the collaboration server's provider token alike.
import type { Queryable } from '../db/index.ts';
import type { ApiKeyActor, UserActor } from '../access.ts';
import { AppError } from '../errors.ts';
import * as apiKeys from '../api-keys/index.ts';
import { API_KEY_PREFIX } from '../api-keys/index.ts';
import { validateSessionToken, type ValidatedSession } from './sessions.ts';

export { API_KEY_PREFIX };

/** A session token as `generateSessionToken` makes them: 20 random bytes in lower-case base32. */
const SESSION_TOKEN = /^[a-z2-7]{32}$/;

export type BearerIdentity =
	| { kind: 'session'; actor: UserActor; session: ValidatedSession }
	/** `name`: what the team called the key; `expiresAt`: when it stops working. */
	| { kind: 'apiKey'; actor: ApiKeyActor; name: string; expiresAt: Date | null };

interface BearerScheme {
	matches(token: string): boolean;
	identify(db: Queryable, token: string, options: IdentifyOptions): Promise<BearerIdentity>;
}

export interface IdentifyOptions {
	/** Session lifetime, for the sliding expiry. */
	sessionDays: number;
	/** The client's address: an API key records its last use and audits a new address. */
	ip?: string | null;
}

// Each kind of token is told apart by its form alone, before any lookup; a new kind is a new row.
const SCHEMES: readonly BearerScheme[] = [
	{
		matches: (token) => token.startsWith(API_KEY_PREFIX),
		identify: async (db, token, options) => ({ kind: 'apiKey', ...(await apiKeys.identify(db, token, { ip: options.ip })) })
	},
	{
		matches: (token) => SESSION_TOKEN.test(token),
		identify: async (db, token, options) => {
			const session = await validateSessionToken(db, token, options.sessionDays);
			if (!session) throw new AppError('UNAUTHENTICATED', 'Your session has expired. Sign in again.');
			return { kind: 'session', actor: { kind: 'user', userId: session.user.id }, session };
		}
	}
];

/**
 * Resolves a bearer token to who it speaks for. UNAUTHENTICATED, saying why, when it is expired,
 * revoked, or not a kind of token Easel issues.
 */
export async function identifyBearer(db: Queryable, token: string, options: IdentifyOptions): Promise<BearerIdentity> {
	const scheme = SCHEMES.find((candidate) => candidate.matches(token));
	if (!scheme) {
		throw new AppError('UNAUTHENTICATED', `That bearer token is not one Easel issues: send a session token or an API key (${API_KEY_PREFIX}…).`);
	}
	return scheme.identify(db, token, options);
}
