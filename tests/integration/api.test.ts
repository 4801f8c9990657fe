import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createCanvas, signUp, type TestUser } from '../helpers/clients.ts';
import { uniqueEmail } from '../helpers/unique.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

let server: RunningServer;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
	server = await startServer({ env: { LOGIN_ATTEMPTS: '3', MAX_TITLE_LENGTH: '40', MAX_JSON_BODY_BYTES: '2048' } });
	[alice, bob] = await Promise.all([signUp(server.url, 'Alice'), signUp(server.url, 'Bob')]);
});
afterAll(() => server?.dispose());

function expectError(response: { status: number; body: unknown }, status: number, code: string) {
	expect(response.status).toBe(status);
	expect(response.body).toMatchObject({ error: { code, message: expect.any(String) } });
}

describe('auth API', () => {
	it('signs up, returning a session token that authenticates API calls', async () => {
		const email = uniqueEmail();
		const signup = await api(server.url, '/api/v1/auth/signup', { body: { email, password: 'password123', name: 'Zed' } });
		expect(signup.status).toBe(201);
		expect(signup.body.user).toMatchObject({ email, name: 'Zed' });
		const me = await api(server.url, '/api/v1/me', { token: signup.body.token });
		expect(me.status).toBe(200);
		expect(me.body.teams).toEqual([expect.objectContaining({ id: signup.body.personalTeamId, role: 'owner', personal: true })]);
	});

	it('validates sign-up input field by field', async () => {
		expectError(await api(server.url, '/api/v1/auth/signup', { body: { email: 'nope', password: 'password123' } }), 400, 'INVALID_INPUT');
		const short = await api(server.url, '/api/v1/auth/signup', { body: { email: uniqueEmail(), password: 'short' } });
		expectError(short, 400, 'INVALID_INPUT');
		expect(short.body.error).toMatchObject({ message: 'Password must be at least 8 characters.', details: { field: 'password' } });
		expectError(await api(server.url, '/api/v1/auth/signup', { body: 'not json', headers: { 'content-type': 'application/json' } }), 400, 'INVALID_INPUT');
		expectError(await api(server.url, '/api/v1/auth/signup', { body: { email: alice.email, password: 'password123' } }), 409, 'CONFLICT');
	});

	it('logs in, with the same answer for unknown email and wrong password, then rate limits', async () => {
		const ok = await api(server.url, '/api/v1/auth/login', { body: { email: bob.email, password: bob.password } });
		expect(ok.status).toBe(200);
		expect(ok.body.token).toMatch(/^[a-z2-7]{32}$/);
		const wrong = await api(server.url, '/api/v1/auth/login', { body: { email: bob.email, password: 'wrong-password' } });
		const unknown = await api(server.url, '/api/v1/auth/login', { body: { email: uniqueEmail(), password: 'wrong-password' } });
		expectError(wrong, 401, 'UNAUTHENTICATED');
		expect(unknown.body).toEqual(wrong.body);
		for (let i = 0; i < 2; i++) await api(server.url, '/api/v1/auth/login', { body: { email: bob.email, password: 'wrong-password' } });
		const limited = await api(server.url, '/api/v1/auth/login', { body: { email: bob.email, password: bob.password } });
		expectError(limited, 429, 'RATE_LIMITED');
		expect(limited.body.error.message).toMatch(/Too many sign-in attempts/);
		expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
	});

	it('logout ends the session', async () => {
		const { body } = await api(server.url, '/api/v1/auth/login', { body: { email: alice.email, password: alice.password } });
		expect((await api(server.url, '/api/v1/auth/logout', { method: 'POST', token: body.token })).status).toBe(204);
		expectError(await api(server.url, '/api/v1/me', { token: body.token }), 401, 'UNAUTHENTICATED');
		const ended = await api(server.url, '/api/v1/me', { token: body.token });
		expect(ended.body.error.message).toBe('Your session has expired. Sign in again.');
	});

	it('tells bearer tokens apart by their form: a malformed API key says so, anything else is not an Easel token', async () => {
		const key = await api(server.url, '/api/v1/me', { token: `easel_${'k'.repeat(40)}` });
		expectError(key, 401, 'UNAUTHENTICATED');
		expect(key.body.error.message).toBe('That is not an Easel API key: keys are easel_ followed by 52 letters and digits. Check it was copied whole.');
		for (const token of ['sk_live_abc', 'x'.repeat(31), alice.token.toUpperCase()]) {
			const unknown = await api(server.url, '/api/v1/me', { token });
			expectError(unknown, 401, 'UNAUTHENTICATED');
			expect(unknown.body.error.message).toBe('That bearer token is not one Easel issues: send a session token or an API key (easel_…).');
		}
		// Routes open to anyone still answer despite a refused token.
		expect((await fetch(`${server.url}/login`, { headers: { authorization: 'Bearer sk_live_abc' } })).status).toBe(200);
	});
});

describe('canvases API', () => {
	it('creates, lists, renames and deletes canvases', async () => {
		const created = await api(server.url, '/api/v1/canvases', { token: alice.token, body: { title: 'Architecture' } });
		expect(created.status).toBe(201);
		expect(created.body).toMatchObject({ title: 'Architecture', teamId: alice.personalTeamId });
		const id = created.body.id;
		const untitled = await api(server.url, '/api/v1/canvases', { token: alice.token, body: {} });
		expect(untitled.body.title).toBe('Untitled canvas');

		const list = await api(server.url, '/api/v1/canvases', { token: alice.token });
		expect(list.body.canvases.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining([id, untitled.body.id]));

		const renamed = await api(server.url, `/api/v1/canvases/${id}`, { method: 'PATCH', token: alice.token, body: { title: '  Architecture v2  ' } });
		expect(renamed.body.title).toBe('Architecture v2');
		expect((await api(server.url, `/api/v1/canvases/${id}`, { token: alice.token })).body).toMatchObject({ title: 'Architecture v2', role: 'owner', canEdit: true });

		const trashed = await api(server.url, `/api/v1/canvases/${id}`, { method: 'DELETE', token: alice.token });
		expect(trashed.status).toBe(200);
		expect(trashed.body.canvas).toMatchObject({ id });
		expectError(await api(server.url, `/api/v1/canvases/${id}`, { token: alice.token }), 404, 'NOT_FOUND');
		expect((await api(server.url, `/api/v1/canvases/${id}?permanent=true`, { method: 'DELETE', token: alice.token })).status).toBe(204);
		expectError(await api(server.url, `/api/v1/canvases/${id}/restore`, { method: 'POST', token: alice.token }), 404, 'NOT_FOUND');
	});

	it('refuses bad titles and oversized bodies without changing anything', async () => {
		const id = await createCanvas(server.url, alice, 'Keep me');
		for (const title of ['', '   ', 'x'.repeat(41), 42, 'bad\u0000title']) {
			expectError(await api(server.url, `/api/v1/canvases/${id}`, { method: 'PATCH', token: alice.token, body: { title } }), 400, 'INVALID_INPUT');
		}
		expectError(await api(server.url, `/api/v1/canvases/${id}`, { method: 'PATCH', token: alice.token, body: { title: 'ok', extra: 1 } }), 400, 'INVALID_INPUT');
		expectError(await api(server.url, `/api/v1/canvases/${id}`, { method: 'PATCH', token: alice.token, body: { title: 'y'.repeat(4000) } }), 413, 'PAYLOAD_TOO_LARGE');
		expectError(
			await api(server.url, `/api/v1/canvases/${id}`, { method: 'PATCH', token: alice.token, body: '<title>x</title>', headers: { 'content-type': 'application/xml' } }),
			400,
			'INVALID_INPUT'
		);
		expect((await api(server.url, `/api/v1/canvases/${id}`, { token: alice.token })).body.title).toBe('Keep me');
	});

	it("answers 404 for another team's canvas on every route, and 401 without a session", async () => {
		const id = await createCanvas(server.url, alice, 'Alice only');
		expectError(await api(server.url, `/api/v1/canvases/${id}`, { token: bob.token }), 404, 'NOT_FOUND');
		expectError(await api(server.url, `/api/v1/canvases/${id}/document`, { token: bob.token }), 404, 'NOT_FOUND');
		expectError(await api(server.url, `/api/v1/canvases/${id}`, { method: 'PATCH', token: bob.token, body: { title: 'Bob was here' } }), 404, 'NOT_FOUND');
		expectError(await api(server.url, `/api/v1/canvases/${id}`, { method: 'DELETE', token: bob.token }), 404, 'NOT_FOUND');
		expectError(await api(server.url, '/api/v1/canvases', { token: bob.token, body: { teamId: alice.personalTeamId } }), 404, 'NOT_FOUND');
		expectError(await api(server.url, `/api/v1/canvases?teamId=${alice.personalTeamId}`, { token: bob.token }), 404, 'NOT_FOUND');
		expectError(await api(server.url, `/api/v1/canvases/${id}`), 401, 'UNAUTHENTICATED');
		expectError(await api(server.url, `/api/v1/canvases/${id}/document`), 401, 'UNAUTHENTICATED');
		expect((await api(server.url, `/api/v1/canvases/${id}`, { token: alice.token })).body.title).toBe('Alice only');
	});

	it('answers unknown API routes in the error shape', async () => {
		expectError(await api(server.url, '/api/v1/nothing-here', { token: alice.token }), 404, 'NOT_FOUND');
	});
});

describe('pages', () => {
	it("sends signed-out visitors of a canvas page to sign in, and hides other teams' canvases", async () => {
		const id = await createCanvas(server.url, alice, 'Page');
		const signedOut = await fetch(`${server.url}/c/${id}`, { redirect: 'manual' });
		expect(signedOut.status).toBe(303);
		expect(signedOut.headers.get('location')).toBe(`/login?next=${encodeURIComponent(`/c/${id}`)}`);
		const otherTeam = await fetch(`${server.url}/c/${id}`, { headers: { cookie: `easel_session=${bob.token}` } });
		expect(otherTeam.status).toBe(404);
		const mine = await fetch(`${server.url}/c/${id}`, { headers: { cookie: `easel_session=${alice.token}` } });
		expect(mine.status).toBe(200);
	});

	it('sets an HttpOnly, SameSite=Lax session cookie on sign-in and sends security headers', async () => {
		const body = new URLSearchParams({ email: bob.email, password: 'definitely wrong' });
		const failed = await fetch(`${server.url}/login`, { method: 'POST', body, headers: { origin: server.url, accept: 'text/html' }, redirect: 'manual' });
		expect(failed.headers.get('set-cookie')).toBeNull();
		const fresh = await signUp(server.url, 'Cookie');
		const ok = await fetch(`${server.url}/login`, {
			method: 'POST',
			body: new URLSearchParams({ email: fresh.email, password: fresh.password }),
			headers: { origin: server.url, accept: 'text/html' },
			redirect: 'manual'
		});
		expect(ok.status).toBe(303);
		const cookie = ok.headers.get('set-cookie') ?? '';
		expect(cookie).toMatch(/^easel_session=[a-z2-7]{32};/);
		expect(cookie).toMatch(/HttpOnly/i);
		expect(cookie).toMatch(/SameSite=Lax/i);
		const page = await fetch(`${server.url}/login`);
		expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
		expect(page.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
	});

	it('refuses cross-site form posts (CSRF)', async () => {
		const response = await fetch(`${server.url}/login`, {
			method: 'POST',
			body: new URLSearchParams({ email: alice.email, password: alice.password }),
			headers: { origin: 'https://evil.example' },
			redirect: 'manual'
		});
		expect(response.status).toBe(403);
	});
});
