// The AI settings and model tier routes through the real server, on both databases:
// GET/PUT /api/v1/teams/:id/ai-settings, POST …/ai-settings/test and GET /api/v1/assistant/models.
import { spawnSync } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as billing from '../../src/lib/server/billing.ts';
import type { AiTestServer } from '../helpers/ai-test-server.ts';
import { api, signUp, type TestUser } from '../helpers/clients.ts';
import { startOpenAiTestServer } from '../helpers/openai-test-server.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const SERVER_KEY = 'sk-operator-key-0000';
const TEAM_KEY = 'sk-team-secret-9Q7Z';

let provider: AiTestServer;
beforeAll(async () => {
	// The operator's provider and a team's own one are the same local server, told apart by the key.
	provider = await startOpenAiTestServer({ defaultReply: { kind: 'text', text: 'OK' } });
});
afterAll(() => provider?.close());

function expectError(response: { status: number; body: unknown }, status: number, code: string) {
	expect(response.status).toBe(status);
	expect(response.body).toMatchObject({ error: { code, message: expect.any(String) } });
}

describeEachServerDatabase('AI settings and model tiers over HTTP', (database) => {
	let server: RunningServer;
	let owner: TestUser;
	let editor: TestUser;
	let outsider: TestUser;
	let teamId: string;

	const env = () => ({
		...database().env,
		AI_PROVIDER: 'openai-compatible',
		AI_BASE_URL: provider.baseURL,
		AI_API_KEY: SERVER_KEY,
		AI_MODEL_FAST: 'server-fast',
		AI_MODEL_BALANCED: 'server-balanced',
		AI_MODEL_BEST: 'server-best',
		// The team's "own" provider is the local test server too.
		AI_ALLOW_PRIVATE_TEAM_URLS: 'true'
	});

	/** Plans change through `npm run admin` on PGlite (one process: the server stops meanwhile) and directly on PostgreSQL. */
	async function setPlan(plan: 'free' | 'pro') {
		if (database().driver === 'postgres') return billing.setPlan(await database().direct(), teamId, plan, null);
		await server.stop();
		const result = spawnSync(process.execPath, ['server/admin.ts', 'set-plan', teamId, plan], { env: { ...process.env, DATA_DIR: server.dataDir }, encoding: 'utf8' });
		expect(result.status, result.stderr).toBe(0);
		server = await server.restart();
	}

	beforeAll(async () => {
		server = await startServer({ env: env() });
		[owner, editor, outsider] = await Promise.all([signUp(server.url, 'Owen'), signUp(server.url, 'Edie'), signUp(server.url, 'Otto')]);
		teamId = (await api(server.url, '/api/v1/teams', { token: owner.token, body: { name: 'Bring your own key' } })).body.id;
		const invite = await api(server.url, `/api/v1/teams/${teamId}/invitations`, { token: owner.token, body: { role: 'editor' } });
		await api(server.url, `/api/v1/invitations/${invite.body.token}/accept`, { method: 'POST', token: editor.token });
	});
	afterAll(() => server?.dispose());

	it('Free team on a configured server: only fast is available, balanced and best point to Pro', async () => {
		const models = await api(server.url, `/api/v1/assistant/models?teamId=${teamId}`, { token: editor.token });
		expect(models.status).toBe(200);
		expect(models.body).toMatchObject({ configured: true, ownKey: false });
		expect(models.body.tiers.map((tier: { tier: string; available: boolean; credits: number }) => [tier.tier, tier.available, tier.credits])).toEqual([
			['fast', true, 1],
			['balanced', false, 3],
			['best', false, 10]
		]);
		expect(models.body.tiers[2]).toMatchObject({ unavailableReason: 'plan', upgradeTo: { id: 'pro', name: 'Pro' } });
		expectError(await api(server.url, `/api/v1/assistant/models?teamId=${teamId}`, { token: outsider.token }), 404, 'NOT_FOUND');
		expectError(await api(server.url, `/api/v1/assistant/models?teamId=not-a-team`, { token: owner.token }), 404, 'NOT_FOUND');
		expectError(await api(server.url, `/api/v1/assistant/models`, { token: owner.token }), 400, 'INVALID_INPUT');
		expectError(await api(server.url, `/api/v1/assistant/models?teamId=${teamId}`), 401, 'UNAUTHENTICATED');
	});

	it('admins save their own key; it never comes back, is sealed in the database, and then pays for every tier', async () => {
		expectError(await api(server.url, `/api/v1/teams/${teamId}/ai-settings`, { token: editor.token }), 403, 'FORBIDDEN');
		expectError(
			await api(server.url, `/api/v1/teams/${teamId}/ai-settings`, {
				method: 'PUT',
				token: editor.token,
				body: { provider: 'openai', models: { fast: 'x' }, apiKey: TEAM_KEY }
			}),
			403,
			'FORBIDDEN'
		);
		expectError(await api(server.url, `/api/v1/teams/${teamId}/ai-settings`, { token: outsider.token }), 404, 'NOT_FOUND');
		expectError(
			await api(server.url, `/api/v1/teams/${teamId}/ai-settings`, {
				method: 'PUT',
				token: owner.token,
				body: { provider: 'openai-compatible', models: { fast: 'team-fast' } }
			}),
			400,
			'INVALID_INPUT'
		);

		const saved = await api(server.url, `/api/v1/teams/${teamId}/ai-settings`, {
			method: 'PUT',
			token: owner.token,
			body: { provider: 'openai', baseUrl: provider.baseURL, models: { fast: 'team-fast', balanced: 'team-balanced' }, apiKey: TEAM_KEY }
		});
		expect(saved.status).toBe(200);
		expect(saved.body).toMatchObject({ provider: 'openai', hasKey: true, keyHint: '••••9Q7Z', inEffect: true });
		const read = await api(server.url, `/api/v1/teams/${teamId}/ai-settings`, { token: owner.token });
		expect(read.body).toEqual(saved.body);
		expect(JSON.stringify([saved.body, read.body])).not.toContain('team-secret');
		const log = await api(server.url, `/api/v1/teams/${teamId}/audit-log`, { token: owner.token });
		expect(JSON.stringify(log.body)).toContain('ai_settings.update');
		expect(JSON.stringify(log.body)).not.toContain('team-secret');

		const models = await api(server.url, `/api/v1/assistant/models?teamId=${teamId}`, { token: editor.token });
		expect(models.body).toMatchObject({ configured: true, ownKey: true });
		expect(models.body.tiers.map((tier: { credits: number }) => tier.credits)).toEqual([0, 0, 0]);

		if (database().driver === 'postgres') {
			const rows = await (await database().direct()).execute(sql`select * from team_ai_settings where team_id = ${teamId}`);
			expect(JSON.stringify(rows)).not.toContain('team-secret');
			expect(JSON.stringify(rows)).toContain('v1:');
		}
	});

	it('tests the connection for real with the saved key, or with unsaved settings', async () => {
		const ok = await api(server.url, `/api/v1/teams/${teamId}/ai-settings/test`, { method: 'POST', token: owner.token });
		expect(ok.body).toMatchObject({ ok: true, model: 'team-fast', latencyMs: expect.any(Number) });
		expect(provider.generations().at(-1)).toMatchObject({ apiKey: TEAM_KEY, model: 'team-fast' });

		provider.enqueue({ kind: 'http-error', status: 401 });
		const refused = await api(server.url, `/api/v1/teams/${teamId}/ai-settings/test`, { method: 'POST', token: owner.token, body: { apiKey: 'sk-typo-1111' } });
		expect(refused.body).toEqual({ ok: false, reason: 'The provider refused the key (HTTP 401). Check the API key.' });
		expect(provider.generations().at(-1)!.apiKey).toBe('sk-typo-1111');

		const closed = await startOpenAiTestServer();
		await closed.close();
		const unreachable = await api(server.url, `/api/v1/teams/${teamId}/ai-settings/test`, { method: 'POST', token: owner.token, body: { baseUrl: closed.baseURL } });
		expect(unreachable.body).toEqual({ ok: false, reason: `Could not reach 127.0.0.1:${closed.port} (connection refused).` });
		expectError(await api(server.url, `/api/v1/teams/${teamId}/ai-settings/test`, { method: 'POST', token: editor.token }), 403, 'FORBIDDEN');
	});

	it('Pro team: every configured tier; a removed own provider falls back to the server (credits again)', async () => {
		await setPlan('pro');
		const own = await api(server.url, `/api/v1/assistant/models?teamId=${teamId}`, { token: owner.token });
		// The team's own settings name no best model: that tier is not configured for it.
		expect(own.body.tiers.map((tier: { available: boolean; unavailableReason?: string }) => [tier.available, tier.unavailableReason])).toEqual([
			[true, undefined],
			[true, undefined],
			[false, 'not_configured']
		]);
		const removed = await api(server.url, `/api/v1/teams/${teamId}/ai-settings`, { method: 'PUT', token: owner.token, body: { provider: null } });
		expect(removed.body).toMatchObject({ provider: null, hasKey: false, inEffect: false });
		const server_ = await api(server.url, `/api/v1/assistant/models?teamId=${teamId}`, { token: owner.token });
		expect(server_.body).toMatchObject({ configured: true, ownKey: false });
		expect(server_.body.tiers.map((tier: { available: boolean; credits: number }) => [tier.available, tier.credits])).toEqual([
			[true, 1],
			[true, 3],
			[true, 10]
		]);
	});
});

describeEachServerDatabase(
	'model tiers on a server without AI',
	(database) => {
		let server: RunningServer;
		afterAll(() => server?.dispose());
		it('answers configured: false and no available tier', async () => {
			server = await startServer({ env: database().env });
			const person = await signUp(server.url, 'Nia');
			const models = await api(server.url, `/api/v1/assistant/models?teamId=${person.personalTeamId}`, { token: person.token });
			expect(models.body).toMatchObject({ configured: false, ownKey: false });
			expect(models.body.tiers.map((tier: { available: boolean }) => tier.available)).toEqual([false, false, false]);
		});
	},
	{ drivers: ['pglite'] }
);
