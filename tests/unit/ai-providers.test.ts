// Providers from configuration: each AI_PROVIDER builds a model that speaks its protocol to the
// configured address with the configured key, per tier; the enable hint is a valid configuration.
import { generateText, streamText } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AI_ENABLE_HINT, modelsFrom, operatorSettings, OLLAMA_DEFAULT_BASE_URL } from '../../src/lib/server/ai/providers.ts';
import { isPrivateAddress } from '../../src/lib/server/ai/public-addresses.ts';
import { loadConfig } from '../../src/lib/server/config.ts';
import type { AiTestServer } from '../helpers/ai-test-server.ts';
import { startAnthropicTestServer } from '../helpers/anthropic-test-server.ts';
import { startOpenAiTestServer } from '../helpers/openai-test-server.ts';

function envOf(line: string): Record<string, string> {
	return Object.fromEntries(line.split(' ').map((pair) => pair.split('=') as [string, string]));
}

let openai: AiTestServer;
let anthropic: AiTestServer;
beforeAll(async () => {
	[openai, anthropic] = await Promise.all([
		startOpenAiTestServer({ defaultReply: { kind: 'text', text: 'from openai' } }),
		startAnthropicTestServer({ defaultReply: { kind: 'text', text: 'from anthropic' } })
	]);
});
afterAll(async () => {
	await Promise.all([openai.close(), anthropic.close()]);
});

describe('AI providers from configuration', () => {
	it('the enable hint is a complete configuration: ollama on its default address, fast tier only', () => {
		const config = loadConfig(envOf(AI_ENABLE_HINT));
		const settings = operatorSettings(config)!;
		expect(settings).toMatchObject({ provider: 'ollama', baseUrl: null, models: { fast: 'llama3.2' } });
		const models = modelsFrom(settings, false);
		expect(models.configured).toBe(true);
		expect(models.modelFor('fast')).toMatchObject({ provider: 'ollama', modelId: 'llama3.2', ownKey: false });
		expect(models.modelFor('best')).toBeNull();
		expect(OLLAMA_DEFAULT_BASE_URL).toBe('http://127.0.0.1:11434/v1');
	});

	it('nothing is configured without AI_PROVIDER', () => {
		expect(operatorSettings(loadConfig({}))).toBeNull();
		expect(modelsFrom(null, false)).toMatchObject({ configured: false, ownKey: false });
	});

	it.each(['openai', 'openai-compatible', 'ollama'] as const)('%s sends chat completions with the key and the tier model, and meters usage', async (provider) => {
		const config = loadConfig({
			AI_PROVIDER: provider,
			AI_BASE_URL: openai.baseURL,
			AI_API_KEY: 'sk-operator-1234',
			AI_MODEL_FAST: 'small-model',
			AI_MODEL_BEST: 'big-model'
		});
		const models = modelsFrom(operatorSettings(config), false);
		const best = models.modelFor('best')!;
		expect(best).toMatchObject({ provider, modelId: 'big-model', ownKey: false });
		const result = streamText({ model: best.model, prompt: 'hello', maxRetries: 0 });
		expect(await result.text).toBe('from openai');
		expect((await result.totalUsage).outputTokens).toBeGreaterThan(0);
		const request = openai.generations().at(-1)!;
		expect(request).toMatchObject({ path: '/v1/chat/completions', model: 'big-model', apiKey: 'sk-operator-1234', includeUsage: true });
		expect(models.modelFor('balanced')).toBeNull();
	});

	it('anthropic speaks the Messages API with x-api-key', async () => {
		const config = loadConfig({ AI_PROVIDER: 'anthropic', AI_BASE_URL: anthropic.baseURL, AI_API_KEY: 'sk-ant-operator', AI_MODEL_FAST: 'claude-small' });
		const fast = modelsFrom(operatorSettings(config), false).modelFor('fast')!;
		expect((await generateText({ model: fast.model, prompt: 'hi', maxRetries: 0 })).text).toBe('from anthropic');
		expect(anthropic.generations().at(-1)).toMatchObject({ path: '/v1/messages', model: 'claude-small', apiKey: 'sk-ant-operator' });
		expect(anthropic.generations().at(-1)!.headers['anthropic-version']).toBe('2023-06-01');
	});

	it('incomplete settings are not configured (a provider that needs a key has none; no model at all)', () => {
		expect(modelsFrom({ provider: 'anthropic', models: { fast: 'x' } }, true).configured).toBe(false);
		expect(modelsFrom({ provider: 'openai-compatible', apiKey: 'k', models: { fast: 'x' } }, true).configured).toBe(false);
		expect(modelsFrom({ provider: 'ollama', models: {} }, true).configured).toBe(false);
		expect(modelsFrom({ provider: 'ollama', models: { balanced: 'qwen' } }, true)).toMatchObject({ configured: true, ownKey: true });
	});
});

describe('private addresses (team settings)', () => {
	it.each([
		['127.0.0.1', true],
		['10.0.0.8', true],
		['172.20.1.1', true],
		['192.168.1.10', true],
		['169.254.169.254', true],
		['100.100.1.1', true],
		['0.0.0.0', true],
		['::1', true],
		['fe80::1', true],
		['fd12:3456::1', true],
		['::ffff:127.0.0.1', true],
		['8.8.8.8', false],
		['104.18.6.192', false],
		['2606:4700::6810:6c0', false],
		['::ffff:8.8.8.8', false]
	])('%s private: %s', (address, expected) => expect(isPrivateAddress(address)).toBe(expected));
});
