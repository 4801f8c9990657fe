// A team's own AI settings (bring your own key) and its model tiers, on both databases: admins only,
// the key sealed at rest and never answered, a real connection test against the local provider
// servers, and which tiers a plan and a configuration make available.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateText } from 'ai';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as accounts from '../../src/lib/server/accounts.ts';
import * as audit from '../../src/lib/server/audit.ts';
import * as billing from '../../src/lib/server/billing.ts';
import * as teams from '../../src/lib/server/teams.ts';
import { teamModelTiers } from '../../src/lib/server/ai/model-tiers.ts';
import { teamModels } from '../../src/lib/server/ai/providers.ts';
import * as aiSettings from '../../src/lib/server/ai/team-ai-settings.ts';
import type { UserActor } from '../../src/lib/server/access.ts';
import { loadConfig, type Config } from '../../src/lib/server/config.ts';
import { memberships, teamAiSettings } from '../../src/lib/server/db/schema.ts';
import type { OpenDatabase } from '../../src/lib/server/db/index.ts';
import type { AiTestServer } from '../helpers/ai-test-server.ts';
import { startAnthropicTestServer } from '../helpers/anthropic-test-server.ts';
import { describeEachDatabase, uniqueEmail } from '../helpers/databases.ts';
import { startOpenAiTestServer } from '../helpers/openai-test-server.ts';

const TEAM_KEY = 'sk-team-own-key-WXYZ';

let openai: AiTestServer;
let anthropic: AiTestServer;
beforeAll(async () => {
	[openai, anthropic] = await Promise.all([
		startOpenAiTestServer({ apiKey: TEAM_KEY, models: ['team-fast', 'team-best'], defaultReply: { kind: 'text', text: 'OK' } }),
		startAnthropicTestServer({ apiKey: TEAM_KEY, defaultReply: { kind: 'text', text: 'OK' } })
	]);
});
afterAll(async () => {
	await Promise.all([openai?.close(), anthropic?.close()]);
});

/** The provider test servers listen on 127.0.0.1, so team settings may use private addresses here unless a test says otherwise. */
function configWith(env: Record<string, string> = {}): Config {
	return loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'easel-ai-')), SECRETS_KEY: randomBytes(32).toString('base64'), AI_ALLOW_PRIVATE_TEAM_URLS: 'true', ...env });
}

async function person(db: OpenDatabase['db'], name: string): Promise<UserActor> {
	const created = await accounts.signUp(db, { email: uniqueEmail(name), password: 'password123', name });
	return { kind: 'user', userId: created.id };
}

describeEachDatabase('team AI settings', (database) => {
	const config = configWith();
	let owner: UserActor;
	let admin: UserActor;
	let editor: UserActor;
	let outsider: UserActor;
	let teamId: string;

	beforeAll(async () => {
		const { db } = database();
		owner = await person(db, 'Owner');
		teamId = (await teams.create(db, owner, 'AI team')).id;
		admin = await person(db, 'Admin');
		editor = await person(db, 'Editor');
		outsider = await person(db, 'Outsider');
		await db.insert(memberships).values([
			{ teamId, userId: admin.userId, role: 'admin' },
			{ teamId, userId: editor.userId, role: 'editor' }
		]);
	});

	it('only admins and owners read or change them; others are refused, outsiders see no team', async () => {
		const { db } = database();
		await expect(aiSettings.getAiSettings(db, owner, teamId)).resolves.toMatchObject({
			provider: null,
			hasKey: false,
			keyHint: null,
			allowGuestAi: false,
			inEffect: false
		});
		await expect(aiSettings.getAiSettings(db, admin, teamId)).resolves.toBeDefined();
		await expect(aiSettings.getAiSettings(db, editor, teamId)).rejects.toMatchObject({ code: 'FORBIDDEN' });
		await expect(aiSettings.saveAiSettings(db, config, editor, teamId, { provider: 'ollama', models: { fast: 'llama3.2' } })).rejects.toMatchObject({
			code: 'FORBIDDEN'
		});
		await expect(aiSettings.setAllowGuestAi(db, editor, teamId, true)).rejects.toMatchObject({ code: 'FORBIDDEN' });
		await expect(aiSettings.testConnection(db, config, editor, teamId)).rejects.toMatchObject({ code: 'FORBIDDEN' });
		await expect(aiSettings.getAiSettings(db, outsider, teamId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
	});

	it('seals the key: the row holds no key text, answers give only its last four characters', async () => {
		const { db } = database();
		const saved = await aiSettings.saveAiSettings(db, config, admin, teamId, {
			provider: 'openai-compatible',
			baseUrl: openai.baseURL,
			models: { fast: 'team-fast', best: 'team-best' },
			apiKey: TEAM_KEY
		});
		expect(saved).toEqual({
			provider: 'openai-compatible',
			baseUrl: openai.baseURL,
			models: { fast: 'team-fast', best: 'team-best' },
			keyHint: '••••WXYZ',
			hasKey: true,
			allowGuestAi: false,
			inEffect: true
		});
		expect(JSON.stringify(saved)).not.toContain(TEAM_KEY);
		// The raw row, every column as the database holds it (both drivers answer rows differently, JSON covers both).
		const rows: unknown = await db.execute(sql`select * from team_ai_settings where team_id = ${teamId}`);
		expect(JSON.stringify(rows)).toContain(teamId);
		expect(JSON.stringify(rows)).not.toContain('sk-team-own');
		expect(JSON.stringify(rows)).toMatch(/v1:[\w-]+:[\w-]+:[\w-]+/);
		const entries = await audit.listForTeam(db, owner, teamId);
		const entry = entries.find((candidate) => candidate.action === 'ai_settings.update')!;
		expect(entry.details).toMatchObject({ provider: 'openai-compatible', key: 'set' });
		expect(JSON.stringify(entries)).not.toContain('sk-team-own');
	});

	it("the team's complete settings win: its models, its key, no Easel credits", async () => {
		const { db } = database();
		const withServer = configWith({ AI_PROVIDER: 'ollama', AI_MODEL_FAST: 'server-model', SECRETS_KEY: config.SECRETS_KEY!, DATA_DIR: config.DATA_DIR });
		const models = await teamModels(db, withServer, teamId);
		expect(models).toMatchObject({ configured: true, ownKey: true });
		expect(models.modelFor('fast')).toMatchObject({ provider: 'openai-compatible', modelId: 'team-fast', ownKey: true });
		expect(models.modelFor('balanced')).toBeNull();
		const tiers = (await teamModelTiers(db, withServer, teamId)).tiers;
		expect(tiers.map((tier) => [tier.tier, tier.credits])).toEqual([
			['fast', 0],
			['balanced', 0],
			['best', 0]
		]);
	});

	it('a blank key keeps the saved one; clearKey removes it; an anthropic team needs one', async () => {
		const { db } = database();
		const kept = await aiSettings.saveAiSettings(db, config, admin, teamId, {
			provider: 'openai-compatible',
			baseUrl: openai.baseURL,
			models: { fast: 'team-fast' },
			apiKey: ''
		});
		expect(kept).toMatchObject({ hasKey: true, keyHint: '••••WXYZ', models: { fast: 'team-fast' } });
		await expect(aiSettings.saveAiSettings(db, config, admin, teamId, { provider: 'anthropic', models: { fast: 'claude' }, clearKey: true })).rejects.toMatchObject({
			code: 'INVALID_INPUT',
			details: { field: 'apiKey' }
		});
		const cleared = await aiSettings.saveAiSettings(db, config, admin, teamId, {
			provider: 'ollama',
			baseUrl: openai.baseURL,
			models: { fast: 'team-fast' },
			clearKey: true
		});
		expect(cleared).toMatchObject({ hasKey: false, keyHint: null, inEffect: true });
		const [row] = await db.select().from(teamAiSettings).where(eq(teamAiSettings.teamId, teamId));
		expect(row.apiKeySealed).toBeNull();
	});

	it('validates input: provider, http(s) base URL, model ids, at least one model', async () => {
		const { db } = database();
		const refuse = (input: unknown, field: string) =>
			expect(aiSettings.saveAiSettings(db, config, admin, teamId, input)).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field } });
		await refuse({ provider: 'skynet', models: { fast: 'x' } }, 'provider');
		await refuse({ provider: 'openai-compatible', baseUrl: 'ftp://example.com', models: { fast: 'x' } }, 'baseUrl');
		await refuse({ provider: 'openai-compatible', baseUrl: 'javascript:alert(1)', models: { fast: 'x' } }, 'baseUrl');
		await refuse({ provider: 'openai-compatible', models: { fast: 'x' } }, 'baseUrl');
		await refuse({ provider: 'ollama', models: { fast: 'has spaces' } }, 'models.fast');
		await refuse({ provider: 'ollama', models: {} }, 'models');
		await refuse({ provider: 'ollama', models: { fast: 'x' }, apiKey: 'two words' }, 'apiKey');
		await expect(aiSettings.saveAiSettings(db, config, admin, teamId, { provider: 'ollama', models: { fast: 'x' }, unknown: 1 })).rejects.toMatchObject({
			code: 'INVALID_INPUT'
		});
	});

	it('tests the connection for real: ok with the model and latency; 401, 404, unreachable and timeouts in plain words', async () => {
		const { db } = database();
		await aiSettings.saveAiSettings(db, config, admin, teamId, { provider: 'openai', baseUrl: openai.baseURL, models: { fast: 'team-fast' }, apiKey: TEAM_KEY });
		const ok = await aiSettings.testConnection(db, config, admin, teamId);
		expect(ok).toMatchObject({ ok: true, model: 'team-fast', latencyMs: expect.any(Number) });
		const request = openai.generations().at(-1)!;
		expect(request).toMatchObject({ apiKey: TEAM_KEY, model: 'team-fast' });
		expect(request.body.max_tokens ?? request.body.max_completion_tokens).toBe(1);

		expect(await aiSettings.testConnection(db, config, admin, teamId, { apiKey: 'sk-wrong-0000' })).toEqual({
			ok: false,
			reason: 'The provider refused the key (HTTP 401). Check the API key.'
		});
		const missing = await aiSettings.testConnection(db, config, admin, teamId, { models: { fast: 'no-such-model' } });
		expect(missing).toMatchObject({ ok: false, reason: expect.stringContaining('does not know the model “no-such-model”') });
		const closed = await startOpenAiTestServer();
		const closedUrl = closed.baseURL;
		await closed.close();
		const unreachable = await aiSettings.testConnection(db, config, admin, teamId, { baseUrl: closedUrl });
		expect(unreachable).toEqual({ ok: false, reason: `Could not reach ${new URL(closedUrl).host} (connection refused).` });
		openai.enqueue({ kind: 'http-error', status: 429, retryAfterSeconds: 30 });
		expect(await aiSettings.testConnection(db, config, admin, teamId)).toMatchObject({ ok: false, reason: expect.stringContaining('HTTP 429') });
		// Unsaved settings for another provider are tested as given (and nothing is saved).
		const claude = await aiSettings.testConnection(db, config, admin, teamId, {
			provider: 'anthropic',
			baseUrl: anthropic.baseURL,
			models: { fast: 'claude-test' },
			apiKey: TEAM_KEY
		});
		expect(claude).toMatchObject({ ok: true, model: 'claude-test' });
		expect((await aiSettings.getAiSettings(db, admin, teamId)).provider).toBe('openai');
	});

	it('a hanging provider fails the test after the timeout, and the request is aborted', async () => {
		const { db } = database();
		openai.enqueue({ kind: 'hang' });
		const original = aiSettings.TEST_CONNECTION_TIMEOUT_MS;
		expect(original).toBe(10_000);
		const started = Date.now();
		const result = await aiSettings.testConnection(db, config, admin, teamId);
		expect(result).toEqual({ ok: false, reason: `No answer from ${new URL(openai.baseURL).host} within 10 s.` });
		expect(Date.now() - started).toBeGreaterThanOrEqual(9_500);
		await openai.waitUntil(() => openai.generations().at(-1)!.aborted);
	}, 20_000);

	it("by default team settings may not point at the server's own network", async () => {
		const { db } = database();
		const strict = configWith({ AI_ALLOW_PRIVATE_TEAM_URLS: 'false', SECRETS_KEY: config.SECRETS_KEY!, DATA_DIR: config.DATA_DIR });
		for (const baseUrl of [openai.baseURL, 'http://localhost:11434/v1', 'http://[::1]:8080/v1', 'http://169.254.169.254/v1', 'http://10.1.2.3/v1']) {
			await expect(aiSettings.saveAiSettings(db, strict, admin, teamId, { provider: 'openai-compatible', baseUrl, models: { fast: 'x' } })).rejects.toMatchObject({
				code: 'INVALID_INPUT',
				details: { field: 'baseUrl' },
				message: expect.stringContaining('private or local address')
			});
		}
		// Ollama's default address is the server's own machine: a team must name its own.
		await expect(aiSettings.saveAiSettings(db, strict, admin, teamId, { provider: 'ollama', models: { fast: 'llama3.2' } })).rejects.toMatchObject({
			details: { field: 'baseUrl' }
		});
		const before = openai.generations().length;
		const tested = await aiSettings.testConnection(db, strict, admin, teamId, {
			provider: 'openai-compatible',
			baseUrl: openai.baseURL,
			models: { fast: 'team-fast' },
			apiKey: TEAM_KEY
		});
		expect(tested).toMatchObject({ ok: false, reason: expect.stringContaining('AI_ALLOW_PRIVATE_TEAM_URLS=true') });
		// Settings saved while allowed do not reach the private address once it is disallowed.
		await aiSettings.saveAiSettings(db, config, admin, teamId, {
			provider: 'openai-compatible',
			baseUrl: openai.baseURL,
			models: { fast: 'team-fast' },
			apiKey: TEAM_KEY
		});
		const fast = (await teamModels(db, strict, teamId)).modelFor('fast')!;
		await expect(generateText({ model: fast.model, prompt: 'hi', maxRetries: 0 })).rejects.toThrow(/private or local address/);
		expect(openai.generations().length).toBe(before);
	});

	it('edit-link guests may use AI only when an admin allows it', async () => {
		const { db } = database();
		expect(await aiSettings.guestAiAllowed(db, teamId)).toBe(false);
		await aiSettings.setAllowGuestAi(db, owner, teamId, true);
		expect(await aiSettings.guestAiAllowed(db, teamId)).toBe(true);
		expect((await aiSettings.getAiSettings(db, admin, teamId)).allowGuestAi).toBe(true);
		// Saving the provider form without the toggle leaves it as it was.
		await aiSettings.saveAiSettings(db, config, admin, teamId, { provider: 'ollama', models: { fast: 'llama3.2' } });
		expect(await aiSettings.guestAiAllowed(db, teamId)).toBe(true);
		await aiSettings.setAllowGuestAi(db, admin, teamId, false);
		expect(await aiSettings.guestAiAllowed(db, teamId)).toBe(false);
	});

	it('removing the provider goes back to the server one (and forgets the key)', async () => {
		const { db } = database();
		await aiSettings.saveAiSettings(db, config, admin, teamId, { provider: 'openai', models: { fast: 'gpt' }, apiKey: TEAM_KEY });
		const removed = await aiSettings.saveAiSettings(db, config, admin, teamId, { provider: null });
		expect(removed).toMatchObject({ provider: null, hasKey: false, models: {}, inEffect: false });
		expect(await teamModels(db, config, teamId)).toMatchObject({ configured: false, ownKey: false });
		const withServer = configWith({ AI_PROVIDER: 'ollama', AI_MODEL_FAST: 'server-model' });
		expect((await teamModels(db, withServer, teamId)).modelFor('fast')).toMatchObject({ provider: 'ollama', modelId: 'server-model', ownKey: false });
	});
});

describeEachDatabase('model tiers for a team', (database) => {
	let owner: UserActor;
	let teamId: string;
	beforeAll(async () => {
		const { db } = database();
		owner = await person(db, 'Tiers');
		teamId = (await teams.create(db, owner, 'Tier team')).id;
	});

	it('Free: only fast is available; balanced and best are locked with an upgrade to Pro', async () => {
		const { db } = database();
		const config = configWith({ AI_PROVIDER: 'ollama', AI_MODEL_FAST: 'a', AI_MODEL_BALANCED: 'b', AI_MODEL_BEST: 'c' });
		const view = await teamModelTiers(db, config, teamId);
		expect(view).toMatchObject({ configured: true, ownKey: false });
		expect(view.tiers).toEqual([
			{ tier: 'fast', label: 'Fast', description: expect.any(String), multiplier: 1, credits: 1, available: true },
			{
				tier: 'balanced',
				label: 'Balanced',
				description: expect.any(String),
				multiplier: 3,
				credits: 3,
				available: false,
				unavailableReason: 'plan',
				upgradeTo: { id: 'pro', name: 'Pro' }
			},
			{
				tier: 'best',
				label: 'Best',
				description: expect.any(String),
				multiplier: 10,
				credits: 10,
				available: false,
				unavailableReason: 'plan',
				upgradeTo: { id: 'pro', name: 'Pro' }
			}
		]);
	});

	it('Pro: every tier with a model; a tier without one is not configured', async () => {
		const { db } = database();
		await billing.setPlan(db, teamId, 'pro', null);
		const all = (await teamModelTiers(db, configWith({ AI_PROVIDER: 'ollama', AI_MODEL_FAST: 'a', AI_MODEL_BALANCED: 'b', AI_MODEL_BEST: 'c' }), teamId)).tiers;
		expect(all.map((tier) => tier.available)).toEqual([true, true, true]);
		const partial = (await teamModelTiers(db, configWith({ AI_PROVIDER: 'ollama', AI_MODEL_FAST: 'a' }), teamId)).tiers;
		expect(partial.map((tier) => [tier.tier, tier.available, tier.unavailableReason])).toEqual([
			['fast', true, undefined],
			['balanced', false, 'not_configured'],
			['best', false, 'not_configured']
		]);
	});

	it('nothing configured: configured false, every tier not configured', async () => {
		const { db } = database();
		const view = await teamModelTiers(db, configWith(), teamId);
		expect(view.configured).toBe(false);
		expect(view.tiers.every((tier) => !tier.available && tier.unavailableReason === 'not_configured')).toBe(true);
	});
});
