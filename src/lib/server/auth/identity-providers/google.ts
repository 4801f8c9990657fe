// Google through arctic's OAuth 2 client: authorization code with state, PKCE and a nonce, then the
// id_token Google's token endpoint returned. It came straight from Google over TLS, so (OpenID
// Connect Core 3.1.3.7) its issuer, audience, expiry and nonce are checked, not its signature.
import { CodeChallengeMethod, decodeIdToken, OAuth2Client } from 'arctic';
import { z } from 'zod';
import { normaliseProviderEmail, tamperedCallback, type ProviderChecks, type ProviderContext, type VerifiedIdentity } from './provider-context.ts';

/** Google's endpoints (arctic's Google class hard-codes the same), and the issuers its id_tokens name. */
export const GOOGLE_ENDPOINTS = {
	authorization: 'https://accounts.google.com/o/oauth2/v2/auth',
	token: 'https://oauth2.googleapis.com/token',
	issuers: ['https://accounts.google.com', 'accounts.google.com']
} as const;

const SCOPES = ['openid', 'email', 'profile'];
/** Clock difference tolerated on `exp`. */
const CLOCK_SKEW_SECONDS = 60;

function endpointsOf(context: ProviderContext): { authorization: string; token: string; issuers: readonly string[] } {
	// Tests point this at a local OpenID provider (GOOGLE_TEST_ISSUER); operators never set it.
	const testIssuer = context.config.GOOGLE_TEST_ISSUER?.replace(/\/+$/, '');
	return testIssuer ? { authorization: `${testIssuer}/authorize`, token: `${testIssuer}/token`, issuers: [testIssuer] } : GOOGLE_ENDPOINTS;
}

function clientOf(context: ProviderContext): OAuth2Client {
	return new OAuth2Client(context.config.GOOGLE_CLIENT_ID!, context.config.GOOGLE_CLIENT_SECRET!, context.redirectUri);
}

export function authorizationUrl(context: ProviderContext, checks: ProviderChecks, options: { loginHint?: string }): URL {
	const url = clientOf(context).createAuthorizationURLWithPKCE(endpointsOf(context).authorization, checks.state, CodeChallengeMethod.S256, checks.codeVerifier, SCOPES);
	url.searchParams.set('nonce', checks.nonce);
	url.searchParams.set('prompt', 'select_account');
	if (options.loginHint) url.searchParams.set('login_hint', options.loginHint);
	return url;
}

const idTokenClaims = z.object({
	iss: z.string(),
	aud: z.union([z.string(), z.array(z.string())]),
	exp: z.number(),
	sub: z.string().min(1),
	nonce: z.string().optional(),
	email: z.string().optional(),
	email_verified: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
	name: z.string().optional()
});

export async function verifiedIdentity(context: ProviderContext, callback: URL, checks: ProviderChecks): Promise<VerifiedIdentity> {
	const code = callback.searchParams.get('code');
	if (!code) throw tamperedCallback(context.label);
	const endpoints = endpointsOf(context);
	const tokens = await clientOf(context).validateAuthorizationCode(endpoints.token, code, checks.codeVerifier);
	const claims = idTokenClaims.parse(decodeIdToken(tokens.idToken()));
	const audiences = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
	if (!endpoints.issuers.includes(claims.iss)) throw new Error(`id_token issuer ${claims.iss} is not Google`);
	if (!audiences.includes(context.config.GOOGLE_CLIENT_ID!)) throw new Error('id_token is for another client');
	if (claims.exp + CLOCK_SKEW_SECONDS < Date.now() / 1000) throw new Error('id_token expired');
	if (claims.nonce !== checks.nonce) throw new Error('id_token nonce does not match this sign-in');
	return {
		subject: claims.sub,
		email: normaliseProviderEmail(claims.email),
		emailVerified: claims.email_verified === true || claims.email_verified === 'true',
		name: claims.name ?? null
	};
}
