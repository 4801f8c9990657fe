// After signing in or up, `?next=` only ever leads to a path on our own origin, and no spelling of
// it answers 500 (the review's open redirect: `/login?next=/%09/evil.example`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookieName } from '../../src/lib/server/auth/sessions.ts';
import { signUp, uniqueEmail, type TestUser } from '../helpers/clients.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

let server: RunningServer;
let user: TestUser;

beforeAll(async () => {
	server = await startServer();
	user = await signUp(server.url, 'Redirected');
});
afterAll(() => server?.dispose());

/** Posts a page's form as the browser would (same-origin, form-encoded), without following the redirect. */
function submitForm(path: string, fields: Record<string, string>): Promise<Response> {
	return fetch(`${server.url}${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin: server.url },
		body: new URLSearchParams(fields),
		redirect: 'manual'
	});
}

/** Where a Location header sends a browser that is on our origin. */
function destination(response: Response): URL {
	const location = response.headers.get('location');
	if (!location) throw new Error(`no redirect: ${response.status}`);
	return new URL(location, server.url);
}

const TRICKS = [
	'/%09/evil.example',
	'/%0a/evil.example',
	'/%0d/evil.example',
	'%0a',
	'%0d',
	'%E3%80%82',
	'/%E3%80%82evil.example',
	'/%5C/evil.example',
	'/.//evil.example',
	'https://evil.example'
];

describe('?next= after signing in', () => {
	it('signing in with next=/%09/evil.example lands on our origin', async () => {
		const response = await submitForm('/login?next=/%09/evil.example', { email: user.email, password: user.password });
		expect(response.status).toBe(303);
		expect(destination(response).origin).toBe(server.url);
	});

	it.each(TRICKS)('a signed-in visit to /login?next=%s stays on our origin, never 500', async (next) => {
		const response = await fetch(`${server.url}/login?next=${next}`, {
			headers: { cookie: `${sessionCookieName(false)}=${user.token}` },
			redirect: 'manual'
		});
		expect(response.status).toBe(303);
		expect(destination(response).origin).toBe(server.url);
	});

	it('signing up with a tricky next lands on our origin', async () => {
		const response = await submitForm('/signup?next=/%0d/evil.example', { email: uniqueEmail('redirect'), password: 'a long enough password', name: 'New' });
		expect(response.status).toBe(303);
		expect(destination(response).origin).toBe(server.url);
	});

	it('an ordinary next path is still followed', async () => {
		const response = await submitForm('/login?next=/teams', { email: user.email, password: user.password });
		expect(destination(response).href).toBe(`${server.url}/teams`);
	});
});
