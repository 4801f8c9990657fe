// GitHub (github.com, or a GitHub Enterprise Server at GITHUB_ENTERPRISE_URL) through arctic's OAuth 2
// client: authorization code with state and PKCE, then the user (its numeric id is the subject) and
// its primary address from /user/emails, which counts only when GitHub has verified it.
import { CodeChallengeMethod, OAuth2Client } from 'arctic';
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { normaliseProviderEmail, PROVIDER_TIMEOUT_MS, tamperedCallback, type ProviderChecks, type ProviderContext, type VerifiedIdentity } from './provider-context.ts';

/** github.com's endpoints. arctic's GitHub class hard-codes these; the generic client takes them, so an Enterprise Server can stand in. */
export const GITHUB_ENDPOINTS = {
	authorization: 'https://github.com/login/oauth/authorize',
	token: 'https://github.com/login/oauth/access_token',
	api: 'https://api.github.com'
} as const;

/** The endpoints of a GitHub Enterprise Server at `base` (its REST API lives under /api/v3). */
export function enterpriseEndpoints(base: string): { authorization: string; token: string; api: string } {
	const root = base.replace(/\/+$/, '');
	return { authorization: `${root}/login/oauth/authorize`, token: `${root}/login/oauth/access_token`, api: `${root}/api/v3` };
}

/** read:user for the profile, user:email for private addresses and whether they are verified. */
const SCOPES = ['read:user', 'user:email'];

function endpointsOf(context: ProviderContext) {
	return context.config.GITHUB_ENTERPRISE_URL ? enterpriseEndpoints(context.config.GITHUB_ENTERPRISE_URL) : GITHUB_ENDPOINTS;
}

function clientOf(context: ProviderContext): OAuth2Client {
	return new OAuth2Client(context.config.GITHUB_CLIENT_ID!, context.config.GITHUB_CLIENT_SECRET!, context.redirectUri);
}

export function authorizationUrl(context: ProviderContext, checks: ProviderChecks): URL {
	const url = clientOf(context).createAuthorizationURLWithPKCE(endpointsOf(context).authorization, checks.state, CodeChallengeMethod.S256, checks.codeVerifier, SCOPES);
	// Offer to pick another account instead of silently reusing the one signed in at GitHub.
	url.searchParams.set('prompt', 'select_account');
	return url;
}

const userSchema = z.object({ id: z.number().int(), login: z.string(), name: z.string().nullable().optional() });
const emailsSchema = z.array(z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() }));

export async function verifiedIdentity(context: ProviderContext, callback: URL, checks: ProviderChecks): Promise<VerifiedIdentity> {
	const code = callback.searchParams.get('code');
	if (!code) throw tamperedCallback(context.label);
	const endpoints = endpointsOf(context);
	const tokens = await clientOf(context).validateAuthorizationCode(endpoints.token, code, checks.codeVerifier);
	// GitHub answers a bad or used code with 200 and `{ error }`, which the generic client passes on as tokens.
	const refusal = (tokens.data as { error?: unknown }).error;
	if (typeof refusal === 'string') {
		throw new AppError('UNAUTHENTICATED', `GitHub did not accept this sign-in (${refusal}): the link may have expired or been used already. Start again.`);
	}
	const accessToken = tokens.accessToken();
	const user = userSchema.parse(await getJson(`${endpoints.api}/user`, accessToken));
	const emails = emailsSchema.parse(await getJson(`${endpoints.api}/user/emails`, accessToken));
	const primary = emails.find((entry) => entry.primary);
	return {
		subject: String(user.id),
		email: normaliseProviderEmail(primary?.email),
		emailVerified: primary?.verified === true,
		name: user.name || user.login
	};
}

async function getJson(url: string, accessToken: string): Promise<unknown> {
	const response = await fetch(url, {
		headers: { authorization: `Bearer ${accessToken}`, accept: 'application/vnd.github+json', 'user-agent': 'Easel', 'x-github-api-version': '2022-11-28' },
		signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS)
	});
	if (!response.ok) throw new Error(`GitHub answered ${response.status} for ${new URL(url).pathname}`);
	return response.json();
}
