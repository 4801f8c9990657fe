// API keys through the real server, on both databases: the key routes (who may use them, what they
// answer), a key on HTTP and on the collaboration socket (publication routes accept keys already),
// the key as its team's actor in the audit log, new-address entries, canvas limits, revocation and
// expiry taking effect at once on HTTP and within 5 s on open sockets, and the request budgets.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, connectCanvas, uniqueEmail, type CanvasClient } from '../helpers/clients.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const KEY_FORM = /^easel_[a-z2-7]{52}$/;

interface Person {
	id: string;
	token: string;
	name: string;
}

describeEachServerDatabase('API keys through the server', (database) => {
	let server: RunningServer;
	let owner: Person;
	let editor: Person;
	let stranger: Person;
	let teamId: string;
	let canvasX: string;
	let canvasY: string;
	const clients: CanvasClient[] = [];

	/** Every request speaks from an address (the server reads x-forwarded-for): 203.0.113.1 unless told. */
	const call = (path: string, options: { method?: string; token?: string; body?: unknown; from?: string } = {}) =>
		api(server.url, path, { ...options, headers: { 'x-forwarded-for': options.from ?? '203.0.113.1' } });

	async function signUp(name: string): Promise<Person> {
		const { status, body } = await call('/api/v1/auth/signup', { body: { email: uniqueEmail(name.toLowerCase()), password: 'a long enough password', name } });
		expect(status).toBe(201);
		return { id: body.user.id, token: body.token, name };
	}

	async function createKey(body: Record<string, unknown>, by: Person = owner) {
		const created = await call(`/api/v1/teams/${teamId}/api-keys`, { token: by.token, body: { scopes: ['canvases:read', 'canvases:write'], ...body } });
		expect(created.status, JSON.stringify(created.body)).toBe(201);
		return created.body as { apiKey: Record<string, unknown> & { id: string; prefix: string }; token: string };
	}

	function connect(canvasId: string, token: string): CanvasClient {
		const client = connectCanvas(server.wsUrl, `canvas:${canvasId}`, token);
		clients.push(client);
		return client;
	}

	function closedWith(client: CanvasClient): Promise<string> {
		return new Promise((resolve) => client.provider.on('close', ({ event }: { event: CloseEvent }) => resolve(event.reason)));
	}

	beforeAll(async () => {
		// The team budget comes from the plan catalog here (the test servers' default replaces it).
		server = await startServer({ env: { ...database().env, ADDRESS_HEADER: 'x-forwarded-for', API_TEAM_REQUESTS_PER_MINUTE: '' } });
		[owner, editor, stranger] = await Promise.all([signUp('Olga'), signUp('Edgar'), signUp('Stan')]);
		teamId = (await call('/api/v1/teams', { token: owner.token, body: { name: 'Robots welcome' } })).body.id;
		const invite = await call(`/api/v1/teams/${teamId}/invitations`, { token: owner.token, body: { role: 'editor' } });
		expect((await call(`/api/v1/invitations/${invite.body.token}/accept`, { method: 'POST', token: editor.token })).status).toBe(200);
		canvasX = (await call('/api/v1/canvases', { token: owner.token, body: { teamId, title: 'X marks the spot' } })).body.id;
		canvasY = (await call('/api/v1/canvases', { token: owner.token, body: { teamId, title: 'Why' } })).body.id;
	});
	afterAll(async () => {
		for (const client of clients) client.destroy();
		await server?.dispose();
	});

	it('an admin creates a key, lists show its prefix and never its secret, the key works and its use is recorded; revoked, it is refused at once', async () => {
		const { apiKey, token } = await createKey({ name: 'Gallery bot', scopes: ['canvases:read', 'canvases:write'] });
		expect(token).toMatch(KEY_FORM);
		expect(apiKey).toEqual({
			id: expect.any(String),
			name: 'Gallery bot',
			prefix: token.slice(0, 12),
			scopes: ['canvases:read', 'canvases:write'],
			canvasIds: null,
			createdBy: { id: owner.id, name: 'Olga' },
			createdAt: expect.any(String),
			expiresAt: null,
			lastUsedAt: null,
			lastUsedIp: null,
			revokedAt: null,
			status: 'active'
		});
		const listed = await call(`/api/v1/teams/${teamId}/api-keys`, { token: owner.token });
		expect(listed.status).toBe(200);
		expect(listed.body.apiKeys.find((key: { id: string }) => key.id === apiKey.id)).toEqual(apiKey);
		expect(JSON.stringify(listed.body)).not.toContain(token.slice(6));

		// The key publishes and reads the publication (routes that accept keys), as its team.
		expect((await call(`/api/v1/canvases/${canvasX}/publication`, { token, body: { title: 'From a program' }, from: '198.51.100.20' })).status).toBe(201);
		const read = await call(`/api/v1/canvases/${canvasX}/publication`, { token, from: '198.51.100.20' });
		expect(read.status).toBe(200);
		expect(read.body.publication).toMatchObject({ title: 'From a program' });
		const used = (await call(`/api/v1/teams/${teamId}/api-keys`, { token: owner.token })).body.apiKeys.find((key: { id: string }) => key.id === apiKey.id);
		expect(used).toMatchObject({ lastUsedIp: '198.51.100.20', status: 'active' });
		expect(Date.now() - Date.parse(used.lastUsedAt)).toBeLessThan(60_000);

		expect((await call(`/api/v1/api-keys/${apiKey.id}`, { method: 'DELETE', token: owner.token })).status).toBe(204);
		const refused = await call(`/api/v1/canvases/${canvasX}/publication`, { token });
		expect(refused.status).toBe(401);
		expect(refused.body.error).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/^This API key was revoked at /) });
		// Revoking again is harmless; the list says what happened.
		expect((await call(`/api/v1/api-keys/${apiKey.id}`, { method: 'DELETE', token: owner.token })).status).toBe(204);
		const after = (await call(`/api/v1/teams/${teamId}/api-keys`, { token: owner.token })).body.apiKeys.find((key: { id: string }) => key.id === apiKey.id);
		expect(after).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });
	});

	it('only admins and owners manage keys: an editor is refused, a stranger finds nothing, and a key cannot make keys', async () => {
		const { apiKey, token } = await createKey({ name: 'Managed' });
		const expectError = (response: { status: number; body: { error?: { code: string } } }, status: number, code: string) => {
			expect(response.status).toBe(status);
			expect(response.body.error?.code).toBe(code);
		};
		expectError(await call(`/api/v1/teams/${teamId}/api-keys`, { token: editor.token, body: { name: 'Mine', scopes: ['canvases:read'] } }), 403, 'FORBIDDEN');
		expectError(await call(`/api/v1/teams/${teamId}/api-keys`, { token: editor.token }), 403, 'FORBIDDEN');
		expectError(await call(`/api/v1/api-keys/${apiKey.id}`, { method: 'DELETE', token: editor.token }), 403, 'FORBIDDEN');
		expectError(await call(`/api/v1/teams/${teamId}/api-keys`, { token: stranger.token }), 404, 'NOT_FOUND');
		expectError(await call(`/api/v1/api-keys/${apiKey.id}`, { method: 'DELETE', token: stranger.token }), 404, 'NOT_FOUND');
		expectError(await call(`/api/v1/teams/${teamId}/api-keys`), 401, 'UNAUTHENTICATED');
		const byKey = await call(`/api/v1/teams/${teamId}/api-keys`, { token, body: { name: 'Child', scopes: ['canvases:read'] } });
		expectError(byKey, 403, 'FORBIDDEN');
		expect(byKey.body.error.message).toBe('This needs a signed-in person; an API key cannot do it.');
		expectError(await call(`/api/v1/api-keys/${apiKey.id}`, { method: 'DELETE', token }), 403, 'FORBIDDEN');
		// The settings page is the admins' too: an editor is refused it and has no tab for it.
		const page = (person: Person, path: string) =>
			fetch(`${server.url}${path}`, { headers: { cookie: `easel_session=${person.token}`, 'x-forwarded-for': '203.0.113.1' }, redirect: 'manual' });
		expect((await page(editor, `/teams/${teamId}/api-keys`)).status).toBe(403);
		expect(await (await page(editor, `/teams/${teamId}`)).text()).not.toContain(`/teams/${teamId}/api-keys`);
		const ownersPage = await page(owner, `/teams/${teamId}/api-keys`);
		expect(ownersPage.status).toBe(200);
		expect(await ownersPage.text()).toContain('Managed');
		// Invalid input names the field.
		const invalid = await call(`/api/v1/teams/${teamId}/api-keys`, { token: owner.token, body: { name: 'No scopes', scopes: [] } });
		expectError(invalid, 400, 'INVALID_INPUT');
		expect(invalid.body.error).toMatchObject({ message: 'Choose at least one scope.', details: { field: 'scopes' } });
		const foreign = await call(`/api/v1/teams/${teamId}/api-keys`, {
			token: owner.token,
			body: { name: 'Elsewhere', scopes: ['canvases:read'], canvasIds: [crypto.randomUUID()] }
		});
		expectError(foreign, 400, 'INVALID_INPUT');
		expect(foreign.body.error.details).toEqual({ field: 'canvasIds.0' });
	});

	it('a key acts as its team: the audit log names it (actor kind apiKey, never its creator), and a first use from an address is an entry', async () => {
		const { apiKey, token } = await createKey({ name: 'Release robot' });
		expect((await call(`/api/v1/canvases/${canvasY}/publication`, { token, body: { title: 'Released' }, from: '198.51.100.7' })).status).toBe(201);
		await call(`/api/v1/canvases/${canvasY}/publication`, { token, from: '198.51.100.7' });
		await call(`/api/v1/canvases/${canvasY}/publication`, { token, from: '198.51.100.8' });
		const log = await call(`/api/v1/teams/${teamId}/audit-log?limit=20`, { token: owner.token });
		const byKey = log.body.entries.filter((entry: { actorRef: string | null }) => entry.actorRef === apiKey.id);
		expect(byKey.map(({ action, actorKind, actorId, actorName, ip }: Record<string, unknown>) => ({ action, actorKind, actorId, actorName, ip }))).toEqual([
			{ action: 'api_key.use_new_address', actorKind: 'apiKey', actorId: null, actorName: 'Release robot', ip: '198.51.100.8' },
			{ action: 'publication.publish', actorKind: 'apiKey', actorId: null, actorName: 'Release robot', ip: '198.51.100.7' },
			{ action: 'api_key.use_new_address', actorKind: 'apiKey', actorId: null, actorName: 'Release robot', ip: '198.51.100.7' }
		]);
		expect(log.body.entries.find((entry: { action: string; targetId: string }) => entry.action === 'api_key.create' && entry.targetId === apiKey.id)).toMatchObject({
			actorKind: 'user',
			actorId: owner.id,
			actorName: 'Olga'
		});
	});

	it('a key limited to one canvas reaches it on HTTP and the socket, and nothing else of the team', async () => {
		const { apiKey, token } = await createKey({ name: 'Only X', canvasIds: [canvasX] });
		expect(apiKey.canvasIds).toEqual([canvasX]);
		expect((await call(`/api/v1/canvases/${canvasX}/publication`, { token })).status).toBe(200);
		const elsewhere = await call(`/api/v1/canvases/${canvasY}/publication`, { token });
		expect(elsewhere.status).toBe(404);
		expect(elsewhere.body.error).toMatchObject({ code: 'NOT_FOUND', message: 'Canvas was not found.' });
		expect((await call(`/api/v1/canvases/${canvasY}/publication`, { method: 'DELETE', token })).status).toBe(404);
		const onX = connect(canvasX, token);
		await onX.synced;
		expect(onX.readOnly()).toBe(false);
		await expect(connect(canvasY, token).synced).rejects.toThrow('NOT_FOUND');
		// Read-only scope: the socket opens read-only.
		const reader = await createKey({ name: 'Reader', scopes: ['canvases:read'] });
		const readOnly = connect(canvasX, reader.token);
		await readOnly.synced;
		expect(readOnly.readOnly()).toBe(true);
	});

	it('revoking a key closes the socket it opened at once, a reconnect is refused, and HTTP answers 401', async () => {
		const { apiKey, token } = await createKey({ name: 'Live viewer' });
		const client = connect(canvasX, token);
		await client.synced;
		const closed = closedWith(client);
		const started = Date.now();
		expect((await call(`/api/v1/api-keys/${apiKey.id}`, { method: 'DELETE', token: owner.token })).status).toBe(204);
		expect(await closed).toBe('ACCESS_REVOKED');
		expect(Date.now() - started).toBeLessThan(2000);
		await expect(connect(canvasX, token).synced).rejects.toThrow('UNAUTHENTICATED');
		expect((await call(`/api/v1/canvases/${canvasX}/publication`, { token })).status).toBe(401);
	});

	it('an expired key is refused on HTTP, and the socket it opened is closed within 5 s of the expiry', async () => {
		const expiresAt = new Date(Date.now() + 4_000);
		const { token } = await createKey({ name: 'Short-lived', expiresAt: expiresAt.toISOString() });
		const client = connect(canvasX, token);
		await client.synced;
		const closed = closedWith(client);
		expect((await call(`/api/v1/canvases/${canvasX}/publication`, { token })).status).toBe(200);
		expect(await closed).toBe('ACCESS_CHANGED');
		expect(Date.now()).toBeGreaterThanOrEqual(expiresAt.getTime());
		expect(Date.now() - expiresAt.getTime()).toBeLessThan(5_000);
		const refused = await call(`/api/v1/canvases/${canvasX}/publication`, { token });
		expect(refused.status).toBe(401);
		expect(refused.body.error.message).toMatch(/^This API key expired at /);
		await expect(connect(canvasX, token).synced).rejects.toThrow('UNAUTHENTICATED');
	});

	it('every API answer to a key or a person says where its budget stands; anonymous requests are not counted', async () => {
		const { token } = await createKey({ name: 'Counted' });
		const first = await call(`/api/v1/canvases/${canvasX}/publication`, { token });
		const second = await call(`/api/v1/canvases/${canvasY}/publication`, { token });
		for (const response of [first, second]) {
			// The team's budget is the Free plan's (this server has no override), the nearest to being spent.
			expect(response.headers.get('ratelimit-limit')).toBe('1200');
			expect(response.headers.get('ratelimit-policy')).toBe('100000000;w=60;name="key", 1200;w=60;name="team"');
			expect(Number(response.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
			expect(Number(response.headers.get('ratelimit-reset'))).toBeLessThanOrEqual(60);
		}
		expect(Number(second.headers.get('ratelimit-remaining'))).toBeLessThan(Number(first.headers.get('ratelimit-remaining')));
		// Errors carry them too.
		const missing = await call(`/api/v1/canvases/${crypto.randomUUID()}/publication`, { token });
		expect(missing.status).toBe(404);
		expect(missing.headers.get('ratelimit-remaining')).not.toBeNull();
		const person = await call('/api/v1/me', { token: editor.token });
		expect(person.headers.get('ratelimit-policy')).toBe('100000000;w=60;name="person"');
		const anonymous = await call('/api/v1/gallery');
		expect(anonymous.status).toBe(200);
		expect(anonymous.headers.get('ratelimit-limit')).toBeNull();
	});

	it('stores only the SHA-256 of a key (PostgreSQL, read directly)', async (context) => {
		if (database().driver !== 'postgres') return context.skip();
		const { apiKey, token } = await createKey({ name: 'Hashed' });
		const db = await database().direct();
		const { sql } = await import('drizzle-orm');
		const rows = (await db.execute(sql`select row_to_json(k)::text as json, token_hash from api_keys k where id = ${apiKey.id}`)) as unknown as {
			json: string;
			token_hash: string;
		}[];
		expect(rows[0].token_hash).toBe(createHash('sha256').update(token).digest('hex'));
		expect(rows[0].json).not.toContain(token.slice(6));
	});
});

describeEachServerDatabase('API request budgets through the server', (database) => {
	let server: RunningServer;

	beforeAll(async () => {
		server = await startServer({ env: { ...database().env, API_KEY_REQUESTS_PER_MINUTE: '3', API_TEAM_REQUESTS_PER_MINUTE: '5', API_USER_REQUESTS_PER_MINUTE: '6' } });
	});
	afterAll(() => server?.dispose());

	it('a key past its own budget, then its team past the shared one, get 429 with Retry-After; a person has their own', async () => {
		const signup = await api(server.url, '/api/v1/auth/signup', { body: { email: uniqueEmail('limits'), password: 'a long enough password', name: 'Lim' } });
		const owner = signup.body.token as string;
		const teamId = signup.body.personalTeamId as string;
		const canvasId = (await api(server.url, '/api/v1/canvases', { token: owner, body: { teamId, title: 'Busy' } })).body.id;
		const keys: string[] = [];
		for (const name of ['First', 'Second'])
			keys.push((await api(server.url, `/api/v1/teams/${teamId}/api-keys`, { token: owner, body: { name, scopes: ['canvases:read'] } })).body.token);
		const read = (token: string) => api(server.url, `/api/v1/canvases/${canvasId}/publication`, { token });

		const remaining: string[] = [];
		for (let request = 0; request < 3; request++) {
			const response = await read(keys[0]);
			expect(response.status).toBe(404); // not published: an answer like any other
			expect(response.headers.get('ratelimit-limit')).toBe('3');
			remaining.push(response.headers.get('ratelimit-remaining')!);
		}
		expect(remaining).toEqual(['2', '1', '0']);
		const overKey = await read(keys[0]);
		expect(overKey.status).toBe(429);
		expect(overKey.body.error).toMatchObject({
			code: 'RATE_LIMITED',
			message: expect.stringMatching(/^This API key may make 3 requests a minute\./),
			details: { limit: 'requests_per_key_per_minute' }
		});
		expect(Number(overKey.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(overKey.headers.get('retry-after')).toBe(overKey.headers.get('ratelimit-reset'));
		expect(overKey.headers.get('ratelimit-remaining')).toBe('0');

		// The team has 5 a minute for all its keys: the first key used 3 (its refused one did not count).
		expect((await read(keys[1])).status).toBe(404);
		const lastOfTeam = await read(keys[1]);
		expect(lastOfTeam.status).toBe(404);
		expect(lastOfTeam.headers.get('ratelimit-remaining')).toBe('0');
		const overTeam = await read(keys[1]);
		expect(overTeam.status).toBe(429);
		expect(overTeam.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 'requests_per_team_per_minute' } });
		expect(overTeam.body.error.message).toMatch(/^This team's API keys may make 5 requests a minute together\./);

		// The person who made them has their own budget (6): signing up was not counted, creating a canvas and two keys was.
		for (let request = 0; request < 3; request++) expect((await api(server.url, '/api/v1/me', { token: owner })).status).toBe(200);
		const refused = await api(server.url, '/api/v1/me', { token: owner });
		expect(refused.status).toBe(429);
		expect(refused.body.error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/^You may make 6 API requests a minute\./) });
		// Pages are not counted.
		expect((await fetch(`${server.url}/login`, { headers: { authorization: `Bearer ${owner}` } })).status).toBe(200);
	});
});
