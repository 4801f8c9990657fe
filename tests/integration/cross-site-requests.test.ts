// Same-site request forgery: a page on another port of our host (or a sibling subdomain) can make
// the browser send our SameSite=Lax session cookie with a body-less `fetch(…, { method: 'POST',
// credentials: 'include', mode: 'no-cors' })`. Cookie-authenticated writes to /api therefore need a
// same-origin Origin (or Sec-Fetch-Site: same-origin); Bearer-authenticated ones don't — programs
// upload multipart files that way. Form actions refuse cross-site posts as SvelteKit's check did.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { sessionCookieName } from '../../src/lib/server/auth/sessions.ts';
import { api, createCanvas, signUp, type TestUser } from '../helpers/clients.ts';
import { startFakeStripe, STRIPE_TEST_ENV, type FakeStripe } from '../helpers/fake-stripe.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { png } from '../helpers/images.ts';

let fake: FakeStripe;
let server: RunningServer;
let owner: TestUser;

beforeAll(async () => {
	fake = await startFakeStripe();
	server = await startServer({ env: { ...STRIPE_TEST_ENV, STRIPE_API_BASE: fake.url } });
	owner = await signUp(server.url, 'Victim');
});
afterAll(async () => {
	await server?.dispose();
	await fake?.close();
});

type Credentials = 'cookie' | 'bearer';
type Provenance = { origin?: string; secFetchSite?: string };

/** The attacker's page: same host, another port. */
const otherOrigin = () => `http://127.0.0.1:${server.port + 1}`;
const CROSS_SITE: [string, () => Provenance][] = [
	['an Origin on another port', () => ({ origin: otherOrigin(), secFetchSite: 'same-site' })],
	['no Origin and Sec-Fetch-Site: same-site', () => ({ secFetchSite: 'same-site' })],
	['no Origin and no Sec-Fetch-Site', () => ({})],
	['Origin: null', () => ({ origin: 'null', secFetchSite: 'cross-site' })]
];
const SAME_ORIGIN: [string, () => Provenance][] = [
	['our own Origin', () => ({ origin: server.url, secFetchSite: 'same-origin' })],
	['our localhost Origin', () => ({ origin: `http://localhost:${server.port}` })],
	['no Origin but Sec-Fetch-Site: same-origin', () => ({ secFetchSite: 'same-origin' })]
];

/** A body-less POST, as the no-cors fetch sends it. */
function post(path: string, user: { token: string }, credentials: Credentials, provenance: Provenance) {
	return api(server.url, path, {
		method: 'POST',
		headers: {
			...(credentials === 'cookie' ? { cookie: `${sessionCookieName(false)}=${user.token}` } : { authorization: `Bearer ${user.token}` }),
			...(provenance.origin ? { origin: provenance.origin } : {}),
			...(provenance.secFetchSite ? { 'sec-fetch-site': provenance.secFetchSite } : {})
		}
	});
}

/** Each exposed route: a fresh target, the request, and what the victim would notice having changed. */
interface Exposed {
	name: string;
	prepare(): Promise<{ path: string; user: TestUser; changed(): Promise<boolean> }>;
	accepted: number;
}

const EXPOSED: Exposed[] = [
	{
		name: 'invitation accept',
		accepted: 200,
		async prepare() {
			const attacker = await signUp(server.url, 'Attacker');
			const victim = await signUp(server.url, 'Invitee');
			const team = await api(server.url, '/api/v1/teams', { token: attacker.token, body: { name: 'Attacker team' } });
			const invitation = await api(server.url, `/api/v1/teams/${team.body.id}/invitations`, { token: attacker.token, body: { role: 'editor' } });
			const teamsOf = async () => (await api(server.url, '/api/v1/me', { token: victim.token })).body.teams.length;
			const before = await teamsOf();
			return { path: `/api/v1/invitations/${invitation.body.token}/accept`, user: victim, changed: async () => (await teamsOf()) !== before };
		}
	},
	{
		name: 'logout',
		accepted: 204,
		async prepare() {
			const login = await api(server.url, '/api/v1/auth/login', { body: { email: owner.email, password: owner.password } });
			const session = { ...owner, token: login.body.token };
			return { path: '/api/v1/auth/logout', user: session, changed: async () => (await api(server.url, '/api/v1/me', { token: session.token })).status !== 200 };
		}
	},
	{
		name: 'duplicate',
		accepted: 201,
		async prepare() {
			const user = await signUp(server.url, 'Writer');
			const canvasId = await createCanvas(server.url, user, 'Original');
			const count = async () => (await api(server.url, '/api/v1/canvases', { token: user.token })).body.canvases.length;
			const before = await count();
			return { path: `/api/v1/canvases/${canvasId}/duplicate`, user, changed: async () => (await count()) !== before };
		}
	},
	{
		name: 'version restore',
		accepted: 201,
		async prepare() {
			const user = await signUp(server.url, 'Writer');
			const canvasId = await createCanvas(server.url, user, 'Versioned');
			const version = await api(server.url, `/api/v1/canvases/${canvasId}/versions`, { token: user.token, body: { label: 'Tuesday' } });
			const count = async () => (await api(server.url, `/api/v1/canvases/${canvasId}/versions`, { token: user.token })).body.versions.length;
			const before = await count();
			return { path: `/api/v1/canvases/${canvasId}/versions/${version.body.id}/restore`, user, changed: async () => (await count()) !== before };
		}
	},
	{
		name: 'billing portal',
		accepted: 200,
		async prepare() {
			const portalSessions = () => fake.requests.filter((request) => request.path === '/v1/billing_portal/sessions').length;
			const before = portalSessions();
			return { path: `/api/v1/teams/${owner.personalTeamId}/billing/portal`, user: owner, changed: async () => portalSessions() !== before };
		}
	}
];

describe.each(EXPOSED)('$name', (route) => {
	it.each(CROSS_SITE)('refuses a cookie request with %s and changes nothing', async (_name, provenance) => {
		const { path, user, changed } = await route.prepare();
		const response = await post(path, user, 'cookie', provenance());
		expect(response.status).toBe(403);
		expect(response.body).toEqual({ error: { code: 'FORBIDDEN', message: 'Cross-site request refused' } });
		expect(await changed()).toBe(false);
	});

	it.each(SAME_ORIGIN)('accepts a cookie request with %s', async (_name, provenance) => {
		const { path, user } = await route.prepare();
		expect((await post(path, user, 'cookie', provenance())).status).toBe(route.accepted);
	});

	it('accepts a Bearer request from anywhere', async () => {
		const { path, user, changed } = await route.prepare();
		expect((await post(path, user, 'bearer', { origin: otherOrigin(), secFetchSite: 'cross-site' })).status).toBe(route.accepted);
		expect(await changed()).toBe(true);
	});
});

it('Stripe webhooks (no cookie, no Origin) still arrive', async () => {
	const payload = JSON.stringify({
		id: `evt_${Date.now()}`,
		object: 'event',
		type: 'ping.unhandled',
		created: Math.floor(Date.now() / 1000),
		data: { object: {} },
		api_version: '2025-01-01',
		livemode: false,
		pending_webhooks: 1,
		request: null
	});
	const signature = new Stripe('sk_test_unused').webhooks.generateTestHeaderString({ payload, secret: STRIPE_TEST_ENV.STRIPE_WEBHOOK_SECRET });
	const response = await api(server.url, '/api/webhooks/stripe', { method: 'POST', body: payload, headers: { 'stripe-signature': signature } });
	expect(response.status).toBe(200);
});

describe('multipart uploads (SvelteKit’s own origin check is off; ours decides)', () => {
	const uploadForm = () => {
		const data = new FormData();
		data.append('file', new Blob([png(3, 3)], { type: 'image/png' }), 'pixel.png');
		return data;
	};
	const upload = (canvasId: string, headers: Record<string, string>) =>
		fetch(`${server.url}/api/v1/canvases/${canvasId}/assets`, { method: 'POST', headers, body: uploadForm() }).then(async (response) => ({
			status: response.status,
			body: await response.json()
		}));

	it('accepts a program’s upload with a Bearer token and no Origin at all', async () => {
		const canvasId = await createCanvas(server.url, owner, 'Uploads by programs');
		const response = await upload(canvasId, { authorization: `Bearer ${owner.token}` });
		expect(response.status).toBe(201);
		expect(response.body.asset.mimeType).toBe('image/png');
	});

	it.each(CROSS_SITE)('refuses a cookie upload with %s, storing nothing', async (_name, provenance) => {
		const canvasId = await createCanvas(server.url, owner, 'Forged uploads');
		const { origin, secFetchSite } = provenance();
		const response = await upload(canvasId, {
			cookie: `${sessionCookieName(false)}=${owner.token}`,
			...(origin ? { origin } : {}),
			...(secFetchSite ? { 'sec-fetch-site': secFetchSite } : {})
		});
		expect(response).toEqual({ status: 403, body: { error: { code: 'FORBIDDEN', message: 'Cross-site request refused' } } });
	});

	it('accepts a cookie upload from our own origin', async () => {
		const canvasId = await createCanvas(server.url, owner, 'Uploads by browsers');
		expect((await upload(canvasId, { cookie: `${sessionCookieName(false)}=${owner.token}`, origin: server.url })).status).toBe(201);
	});
});

describe('form actions', () => {
	const teamName = async (user: TestUser, teamId: string) => (await api(server.url, `/api/v1/teams/${teamId}`, { token: user.token })).body.name;

	function submit(path: string, fields: Record<string, string>, headers: Record<string, string>) {
		return fetch(`${server.url}${path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
			body: new URLSearchParams(fields),
			redirect: 'manual'
		});
	}

	it.each(CROSS_SITE)('refuses a team rename posted with the cookie and %s, as SvelteKit did, and renames nothing', async (_name, provenance) => {
		const user = await signUp(server.url, 'Renamer');
		const teamId = (await api(server.url, '/api/v1/teams', { token: user.token, body: { name: 'Original name' } })).body.id;
		const { origin, secFetchSite } = provenance();
		const response = await submit(
			`/teams/${teamId}/settings?/rename`,
			{ name: 'Renamed by an attacker' },
			{ cookie: `${sessionCookieName(false)}=${user.token}`, ...(origin ? { origin } : {}), ...(secFetchSite ? { 'sec-fetch-site': secFetchSite } : {}) }
		);
		expect(response.status).toBe(403);
		expect(await response.text()).toBe('Cross-site POST form submissions are forbidden');
		expect(await teamName(user, teamId)).toBe('Original name');
	});

	it('answers in JSON to a client that asks for it (as SvelteKit did)', async () => {
		const response = await submit('/login', { email: owner.email, password: owner.password }, { origin: otherOrigin(), accept: 'application/json' });
		expect(response.status).toBe(403);
		expect(await response.json()).toEqual({ message: 'Cross-site POST form submissions are forbidden' });
	});

	it('refuses a cross-site sign-in form post (login CSRF), which carries no cookie', async () => {
		const response = await submit('/login', { email: owner.email, password: owner.password }, { origin: otherOrigin() });
		expect(response.status).toBe(403);
		expect(response.headers.get('set-cookie')).toBeNull();
	});

	it('still takes same-origin form posts: a rename and a sign-in', async () => {
		const user = await signUp(server.url, 'Renamer');
		const teamId = (await api(server.url, '/api/v1/teams', { token: user.token, body: { name: 'Before' } })).body.id;
		const renamed = await submit(
			`/teams/${teamId}/settings?/rename`,
			{ name: 'After' },
			{ cookie: `${sessionCookieName(false)}=${user.token}`, origin: server.url, 'x-sveltekit-action': 'true' }
		);
		expect(renamed.status).toBe(200);
		expect(await teamName(user, teamId)).toBe('After');
		const login = await submit('/login', { email: user.email, password: user.password }, { origin: server.url, accept: 'text/html' });
		expect(login.status).toBe(303);
		expect(login.headers.get('set-cookie')).toContain(sessionCookieName(false));
	});
});
