// A real OpenID Connect provider for tests (oauth2-mock-server on 127.0.0.1: discovery, JWKS, RS256
// id_tokens, PKCE), with who signs in next set by the test, codes that redeem once, and hooks to
// tamper with the next id_token the way an attacker or a broken provider would.
import { randomUUID } from 'node:crypto';
import { OAuth2Server } from 'oauth2-mock-server';

/** The claims of the person the provider signs in (sub is required; the rest as a provider may send them). */
export interface OidcClaims {
	sub: string;
	email?: string;
	email_verified?: boolean;
	name?: string;
	[claim: string]: unknown;
}

export interface OidcTestProvider {
	/** The issuer URL (http://localhost:<port>), as its discovery document and id_tokens state it. */
	issuer: string;
	clientId: string;
	clientSecret: string;
	/** Environment for Easel's OIDC_* settings pointing at this provider. */
	env: Record<string, string>;
	/** Environment for GOOGLE_* settings: this provider standing in for Google's endpoints. */
	googleEnv: Record<string, string>;
	/** The person the next authorization signs in (until changed). */
	signInAs(claims: OidcClaims): void;
	/** Edits the next id_token's payload before it is signed (nonce, iss, aud, exp…). */
	tamperNextIdToken(edit: (payload: Record<string, unknown>) => void): void;
	/** Edits the next id_token's claims after it was signed (a forgery: the signature no longer matches). */
	forgeNextIdToken(edit: (payload: Record<string, unknown>) => void): void;
	/** The authorization requests it received, newest last (to check what Easel sent). */
	authorizations: URLSearchParams[];
	close(): Promise<void>;
}

export async function startOidcProvider(options: { clientId?: string; clientSecret?: string } = {}): Promise<OidcTestProvider> {
	const clientId = options.clientId ?? 'easel-test-client';
	const clientSecret = options.clientSecret ?? 'easel-test-secret';
	const server = new OAuth2Server();
	await server.issuer.keys.generate('RS256');
	await server.start(0, '127.0.0.1');
	const issuer = server.issuer.url!;
	const service = server.service;

	let current: OidcClaims = { sub: randomUUID(), email: 'someone@example.com', email_verified: true, name: 'Someone' };
	/** Who each issued code signs in, and whether it was redeemed. */
	const codes = new Map<string, { claims: OidcClaims; redeemed: boolean }>();
	const idTokenEdits: ((payload: Record<string, unknown>) => void)[] = [];
	const afterSigningEdits: ((payload: Record<string, unknown>) => void)[] = [];
	const authorizations: URLSearchParams[] = [];

	service.on('beforeAuthorizeRedirect', (redirect: { url: URL }, req: { url?: string }) => {
		authorizations.push(new URL(req.url ?? '/', issuer).searchParams);
		const code = redirect.url.searchParams.get('code');
		if (code) codes.set(code, { claims: { ...current }, redeemed: false });
	});

	// Both tokens of a response are signed here; the id_token is the one without a scope.
	service.on('beforeTokenSigning', (token: { payload: Record<string, unknown> }, req: { body?: Record<string, unknown> }) => {
		const code = typeof req.body?.code === 'string' ? req.body.code : undefined;
		const claims = code ? codes.get(code)?.claims : undefined;
		if (claims) Object.assign(token.payload, claims);
		if ('scope' in token.payload) return;
		for (const edit of idTokenEdits.splice(0)) edit(token.payload);
	});

	service.on('beforeResponse', async (response: { body: Record<string, unknown>; statusCode: number }, req: { body?: Record<string, unknown> }) => {
		const code = typeof req.body?.code === 'string' ? req.body.code : undefined;
		const entry = code ? codes.get(code) : undefined;
		if (req.body?.grant_type === 'authorization_code' && (!entry || entry.redeemed)) {
			// An unknown code, or one redeemed before: what real providers answer.
			response.statusCode = 400;
			response.body = { error: 'invalid_grant', error_description: 'The authorization code is invalid or was already used.' };
			return;
		}
		if (entry) entry.redeemed = true;
	});

	service.on('beforeUserinfo', (response: { body: Record<string, unknown> }) => {
		const last = [...codes.values()].at(-1)?.claims;
		if (last) response.body = { ...last };
	});

	service.on('beforeResponse', (response: { body: Record<string, unknown> }) => {
		if (typeof response.body?.id_token !== 'string') return;
		const edit = afterSigningEdits.shift();
		if (!edit) return;
		// The claims change after the signature was made: only a client that checks signatures notices.
		const [header, payload, signature] = response.body.id_token.split('.');
		const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
		edit(claims);
		response.body.id_token = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
	});

	return {
		issuer,
		clientId,
		clientSecret,
		env: { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret },
		googleEnv: { GOOGLE_TEST_ISSUER: issuer, GOOGLE_CLIENT_ID: clientId, GOOGLE_CLIENT_SECRET: clientSecret },
		signInAs(claims) {
			current = { ...claims };
		},
		tamperNextIdToken(edit) {
			idTokenEdits.push(edit);
		},
		forgeNextIdToken(edit) {
			afterSigningEdits.push(edit);
		},
		authorizations,
		close: () => server.stop()
	};
}
