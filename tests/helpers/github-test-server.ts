// A local server speaking GitHub's OAuth protocol as a GitHub Enterprise Server does (Easel's
// GITHUB_ENTERPRISE_URL points at it): /login/oauth/authorize, /login/oauth/access_token (codes
// redeem once, PKCE S256 checked, errors as 200 + `{ error }` like GitHub), /api/v3/user and
// /api/v3/user/emails for the person the test says signs in next.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface GitHubTestUser {
	id: number;
	login: string;
	name?: string | null;
	emails: { email: string; primary: boolean; verified: boolean }[];
}

export interface GitHubTestServer {
	url: string;
	clientId: string;
	clientSecret: string;
	/** Environment for Easel's GITHUB_* settings pointing at this server. */
	env: Record<string, string>;
	signInAs(user: GitHubTestUser): void;
	close(): Promise<void>;
}

interface Grant {
	user: GitHubTestUser;
	redirectUri: string;
	codeChallenge: string | null;
	redeemed: boolean;
}

export async function startGitHubTestServer(): Promise<GitHubTestServer> {
	const clientId = 'Iv1.easel-test';
	const clientSecret = randomBytes(20).toString('hex');
	let current: GitHubTestUser = { id: 1, login: 'octocat', name: 'The Octocat', emails: [{ email: 'octocat@example.com', primary: true, verified: true }] };
	const grants = new Map<string, Grant>();
	const tokens = new Map<string, GitHubTestUser>();

	const server = createServer(async (req, res) => {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		try {
			if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') return authorize(url, res);
			if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') return await accessToken(req, res);
			if (req.method === 'GET' && url.pathname === '/api/v3/user') return api(req, res, (user) => ({ id: user.id, login: user.login, name: user.name ?? null }));
			if (req.method === 'GET' && url.pathname === '/api/v3/user/emails') {
				return api(req, res, (user) => user.emails.map((entry) => ({ ...entry, visibility: entry.primary ? 'private' : null })));
			}
			json(res, 404, { message: 'Not Found' });
		} catch (error) {
			json(res, 500, { message: String(error) });
		}
	});

	function authorize(url: URL, res: ServerResponse) {
		const redirectUri = url.searchParams.get('redirect_uri');
		if (url.searchParams.get('client_id') !== clientId || !redirectUri) return json(res, 404, { message: 'Not Found' });
		const method = url.searchParams.get('code_challenge_method');
		if (url.searchParams.has('code_challenge') && method !== 'S256') return json(res, 400, { message: 'code_challenge_method must be S256' });
		const code = randomBytes(10).toString('hex');
		grants.set(code, { user: current, redirectUri, codeChallenge: url.searchParams.get('code_challenge'), redeemed: false });
		const back = new URL(redirectUri);
		back.searchParams.set('code', code);
		const state = url.searchParams.get('state');
		if (state) back.searchParams.set('state', state);
		res.writeHead(302, { location: back.href }).end();
	}

	async function accessToken(req: IncomingMessage, res: ServerResponse) {
		const body = new URLSearchParams(await readBody(req));
		const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
		const [id, secret] = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':') : [body.get('client_id'), body.get('client_secret')];
		if (id !== clientId || secret !== clientSecret) return json(res, 200, { error: 'incorrect_client_credentials' });
		const grant = grants.get(body.get('code') ?? '');
		if (!grant || grant.redeemed || grant.redirectUri !== body.get('redirect_uri')) return json(res, 200, { error: 'bad_verification_code' });
		if (grant.codeChallenge) {
			const verifier = body.get('code_verifier') ?? '';
			if (createHash('sha256').update(verifier).digest('base64url') !== grant.codeChallenge) return json(res, 200, { error: 'bad_verification_code' });
		}
		grant.redeemed = true;
		const token = `gho_${randomBytes(18).toString('hex')}`;
		tokens.set(token, grant.user);
		json(res, 200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
	}

	function api(req: IncomingMessage, res: ServerResponse, answer: (user: GitHubTestUser) => unknown) {
		const token = /^(?:Bearer|token) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
		const user = token ? tokens.get(token) : undefined;
		if (!user) return json(res, 401, { message: 'Bad credentials' });
		json(res, 200, answer(user));
	}

	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
	return {
		url,
		clientId,
		clientSecret,
		env: { GITHUB_ENTERPRISE_URL: url, GITHUB_CLIENT_ID: clientId, GITHUB_CLIENT_SECRET: clientSecret },
		signInAs(user) {
			current = user;
		},
		close: () => new Promise<void>((resolve) => server.close(() => resolve()))
	};
}

function json(res: ServerResponse, status: number, body: unknown) {
	res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}
