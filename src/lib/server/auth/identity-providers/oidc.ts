// Any OpenID Connect provider, through openid-client: discovery (cached), authorization code with
// PKCE (S256), state and nonce, and the id_token verified — signature against the provider's JWKS,
// issuer, audience, expiry and nonce.
import * as client from 'openid-client';
import { isLoopbackHost } from '../../config.ts';
import { normaliseProviderEmail, PROVIDER_TIMEOUT_MS, type ProviderChecks, type ProviderContext, type VerifiedIdentity } from './provider-context.ts';

const SCOPES = 'openid email profile';
/** Discovery documents are re-read after this long (keys rotate through the JWKS, which openid-client refreshes itself). */
const DISCOVERY_TTL_MS = 60 * 60 * 1000;

const discoveries = new Map<string, { configuration: Promise<client.Configuration>; expiresAt: number }>();

/** The provider's configuration, discovered once an hour per issuer and client; a failed discovery is retried next time. */
function configurationFor(context: ProviderContext): Promise<client.Configuration> {
	const { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret } = context.config;
	if (!issuer || !clientId || !clientSecret) throw new Error('OIDC is not configured');
	const key = `${issuer}\n${clientId}`;
	const cached = discoveries.get(key);
	if (cached && cached.expiresAt > Date.now()) return cached.configuration;
	const configuration = discover(new URL(issuer), clientId, clientSecret);
	discoveries.set(key, { configuration, expiresAt: Date.now() + DISCOVERY_TTL_MS });
	configuration.catch(() => {
		if (discoveries.get(key)?.configuration === configuration) discoveries.delete(key);
	});
	return configuration;
}

async function discover(issuer: URL, clientId: string, clientSecret: string): Promise<client.Configuration> {
	// Plain http only to this machine (config.ts refuses it elsewhere): a test or local provider.
	const execute = [client.enableNonRepudiationChecks, ...(issuer.protocol === 'http:' && isLoopbackHost(issuer.hostname) ? [client.allowInsecureRequests] : [])];
	const discovered = await client.discovery(issuer, clientId, clientSecret, undefined, { execute, timeout: PROVIDER_TIMEOUT_MS / 1000 });
	const metadata = discovered.serverMetadata();
	const methods = metadata.token_endpoint_auth_methods_supported;
	// client_secret_post is openid-client's default; a provider that lists only Basic gets Basic.
	if (methods && !methods.includes('client_secret_post') && methods.includes('client_secret_basic')) {
		const basic = new client.Configuration(metadata, clientId, clientSecret, client.ClientSecretBasic(clientSecret));
		for (const apply of execute) apply(basic);
		return basic;
	}
	return discovered;
}

export async function authorizationUrl(context: ProviderContext, checks: ProviderChecks, options: { loginHint?: string }): Promise<URL> {
	const configuration = await configurationFor(context);
	return client.buildAuthorizationUrl(configuration, {
		redirect_uri: context.redirectUri,
		scope: SCOPES,
		state: checks.state,
		nonce: checks.nonce,
		code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
		code_challenge_method: 'S256',
		...(options.loginHint ? { login_hint: options.loginHint } : {})
	});
}

export async function verifiedIdentity(context: ProviderContext, callback: URL, checks: ProviderChecks): Promise<VerifiedIdentity> {
	const configuration = await configurationFor(context);
	// The redirect_uri sent to the token endpoint must be the registered one, whatever host the request came in on.
	const current = new URL(context.redirectUri);
	current.search = callback.search;
	const tokens = await client.authorizationCodeGrant(configuration, current, {
		pkceCodeVerifier: checks.codeVerifier,
		expectedState: checks.state,
		expectedNonce: checks.nonce,
		idTokenExpected: true
	});
	const claims = tokens.claims();
	if (!claims) throw new Error('no id_token');
	let profile: Record<string, unknown> = claims;
	// Some providers keep the address out of the id_token: ask the userinfo endpoint (same subject enforced).
	if (typeof claims.email !== 'string' && configuration.serverMetadata().userinfo_endpoint) {
		profile = { ...(await client.fetchUserInfo(configuration, tokens.access_token, claims.sub)), ...claims };
	}
	return {
		subject: claims.sub,
		email: normaliseProviderEmail(profile.email),
		// Only an explicit true counts: a provider that does not say has not vouched.
		emailVerified: profile.email_verified === true,
		name: typeof profile.name === 'string' ? profile.name : typeof profile.preferred_username === 'string' ? profile.preferred_username : null
	};
}
