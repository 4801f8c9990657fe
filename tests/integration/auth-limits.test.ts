// Per-address limits on sign-in (password spraying) and sign-up (mass accounts), through the JSON
// API and the form pages alike, which share one budget per address.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, uniqueEmail } from '../helpers/clients.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

let server: RunningServer;

beforeAll(async () => {
	server = await startServer({
		env: {
			// Lets each test speak from its own address, as clients behind a proxy would.
			ADDRESS_HEADER: 'x-forwarded-for',
			LOGIN_ATTEMPTS: '5',
			LOGIN_ATTEMPTS_PER_ADDRESS: '12',
			SIGNUPS_PER_ADDRESS: '3'
		}
	});
});
afterAll(() => server?.dispose());

const from = (address: string) => ({ 'x-forwarded-for': address });

function postForm(path: string, address: string, fields: Record<string, string>) {
	return fetch(`${server.url}${path}`, {
		method: 'POST',
		body: new URLSearchParams(fields),
		headers: { origin: server.url, accept: 'text/html', ...from(address) },
		redirect: 'manual'
	});
}

function expectRateLimited(response: { status: number; body: unknown; headers: Headers }, message: RegExp) {
	expect(response.status).toBe(429);
	expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
	expect(response.body).toMatchObject({ error: { code: 'RATE_LIMITED', message: expect.stringMatching(message) } });
}

it('password spraying: one address trying many emails is stopped after the per-address budget, API and form together', async () => {
	const address = '203.0.113.10';
	const statuses: number[] = [];
	for (let i = 0; i < 8; i++) {
		const response = await api(server.url, '/api/v1/auth/login', { body: { email: uniqueEmail('spray'), password: 'Summer2025!' }, headers: from(address) });
		statuses.push(response.status);
	}
	for (let i = 0; i < 4; i++) statuses.push((await postForm('/login', address, { email: uniqueEmail('spray'), password: 'Summer2025!' })).status);
	expect(statuses).toEqual(Array(12).fill(401));

	const form = await postForm('/login', address, { email: uniqueEmail('spray'), password: 'Summer2025!' });
	expect(form.status).toBe(429);
	expect(Number(form.headers.get('retry-after'))).toBeGreaterThan(0);
	expect(await form.text()).toMatch(/Too many sign-in attempts from this network address\. Try again in \d+ (seconds|minutes)\./);
	for (let i = 0; i < 17; i++) {
		expectRateLimited(
			await api(server.url, '/api/v1/auth/login', { body: { email: uniqueEmail('spray'), password: 'Summer2025!' }, headers: from(address) }),
			/^Too many sign-in attempts from this network address/
		);
	}
	// Another address is not affected.
	expect((await api(server.url, '/api/v1/auth/login', { body: { email: uniqueEmail('spray'), password: 'x' }, headers: from('203.0.113.11') })).status).toBe(401);
});

it('mass sign-up: one address may create SIGNUPS_PER_ADDRESS accounts, through the API and the form page together', async () => {
	const address = '203.0.113.20';
	const password = 'a long enough password';
	const first = await api(server.url, '/api/v1/auth/signup', { body: { email: uniqueEmail('bulk'), password }, headers: from(address) });
	expect(first.status).toBe(201);
	// Input errors are not counted.
	expect((await api(server.url, '/api/v1/auth/signup', { body: { email: 'not an email', password }, headers: from(address) })).status).toBe(400);
	expect((await postForm('/signup', address, { email: uniqueEmail('bulk'), password })).status).toBe(303);
	expect((await api(server.url, '/api/v1/auth/signup', { body: { email: uniqueEmail('bulk'), password }, headers: from(address) })).status).toBe(201);

	const refusedEmail = uniqueEmail('bulk');
	expectRateLimited(
		await api(server.url, '/api/v1/auth/signup', { body: { email: refusedEmail, password }, headers: from(address) }),
		/^Too many sign-ups from this network address\. Try again in \d+ minutes\.$/
	);
	const form = await postForm('/signup', address, { email: uniqueEmail('bulk'), password });
	expect(form.status).toBe(429);
	expect(Number(form.headers.get('retry-after'))).toBeGreaterThan(0);
	expect(await form.text()).toContain('Too many sign-ups from this network address.');
	// The refused account was not created: it can be made from another address.
	expect((await api(server.url, '/api/v1/auth/signup', { body: { email: refusedEmail, password }, headers: from('203.0.113.21') })).status).toBe(201);
});

it('rejects control and direction-override characters in the name at sign-up', async () => {
	const refused = await api(server.url, '/api/v1/auth/signup', {
		body: { email: uniqueEmail('rlo'), password: 'a long enough password', name: 'Ada\u202Eevil' },
		headers: from('203.0.113.30')
	});
	expect(refused.status).toBe(400);
	expect(refused.body).toMatchObject({ error: { code: 'INVALID_INPUT', details: { field: 'name' } } });
});

it('with REDIS_URL the per-address budgets are shared by every instance', async () => {
	const env = {
		REDIS_URL: 'redis://127.0.0.1:6379',
		REDIS_PREFIX: `easel-test-${crypto.randomUUID().slice(0, 8)}`,
		ADDRESS_HEADER: 'x-forwarded-for',
		SIGNUPS_PER_ADDRESS: '2'
	};
	const instances = await Promise.all([startServer({ env }), startServer({ env })]);
	try {
		const signUpOn = (instance: RunningServer) =>
			api(instance.url, '/api/v1/auth/signup', { body: { email: uniqueEmail('shared'), password: 'a long enough password' }, headers: from('198.51.100.7') });
		expect((await signUpOn(instances[0])).status).toBe(201);
		expect((await signUpOn(instances[1])).status).toBe(201);
		expect((await signUpOn(instances[0])).status).toBe(429);
		expect((await signUpOn(instances[1])).status).toBe(429);
	} finally {
		await Promise.all(instances.map((instance) => instance.dispose()));
	}
});
