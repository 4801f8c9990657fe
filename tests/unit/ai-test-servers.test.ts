// The local OpenAI and Anthropic test servers, driven by the real AI SDK providers: what a run would
// see from a real provider (streamed text, tool arguments split across chunks, usage, each failure).
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APICallError, generateText, isStepCount, streamText, tool, type LanguageModel } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AiTestServer } from '../helpers/ai-test-server.ts';
import { startAnthropicTestServer } from '../helpers/anthropic-test-server.ts';
import { startOpenAiTestServer } from '../helpers/openai-test-server.ts';

const KEY = 'sk-test-easel-1234';

interface Flavour {
	name: string;
	start: () => Promise<AiTestServer>;
	model: (server: AiTestServer, apiKey?: string) => LanguageModel;
}

const flavours: Flavour[] = [
	{
		name: 'openai-compatible',
		start: () => startOpenAiTestServer({ apiKey: KEY }),
		model: (server, apiKey = KEY) => createOpenAICompatible({ name: 'test', baseURL: server.baseURL, apiKey, includeUsage: true })('test-fast')
	},
	{
		name: 'openai .chat()',
		start: () => startOpenAiTestServer({ apiKey: KEY }),
		model: (server, apiKey = KEY) => createOpenAI({ baseURL: server.baseURL, apiKey }).chat('gpt-test')
	},
	{
		name: 'anthropic',
		start: () => startAnthropicTestServer({ apiKey: KEY }),
		model: (server, apiKey = KEY) => createAnthropic({ baseURL: server.baseURL, apiKey })('claude-test')
	}
];

const drawTool = tool({
	description: 'Draws boxes',
	inputSchema: z.object({ nodes: z.array(z.object({ id: z.string(), label: z.string() })), direction: z.enum(['right', 'down']) }),
	execute: async ({ nodes }) => ({ drawn: nodes.length })
});

async function thrownBy(promise: Promise<unknown>): Promise<unknown> {
	try {
		await promise;
	} catch (error) {
		return error;
	}
	throw new Error('expected a rejection');
}

describe.each(flavours)('$name against its test server', ({ name, start, model }) => {
	let server: AiTestServer;
	beforeAll(async () => {
		server = await start();
	});
	afterAll(() => server.close());

	it('streams text in small pieces, paced, with usage', async () => {
		server.enqueue({ kind: 'text', text: 'Hello from the test server.', chunkSize: 5, delayMs: 15, usage: { inputTokens: 42, outputTokens: 7 } });
		const result = streamText({ model: model(server), system: 'You are terse.', prompt: 'Say hello', maxRetries: 0 });
		const deltas: { text: string; at: number }[] = [];
		for await (const part of result.fullStream) if (part.type === 'text-delta') deltas.push({ text: part.text, at: Date.now() });
		expect(deltas.map((delta) => delta.text).join('')).toBe('Hello from the test server.');
		expect(deltas.length).toBeGreaterThanOrEqual(5);
		expect(deltas.at(-1)!.at - deltas[0].at).toBeGreaterThanOrEqual(40); // it arrived over time, not at once
		const usage = await result.totalUsage;
		expect(usage.inputTokens).toBe(42);
		expect(usage.outputTokens).toBe(7);
		const [request] = server.generations().slice(-1);
		expect(request.apiKey).toBe(KEY);
		expect(request.system).toBe('You are terse.');
		expect(request.lastUserText).toBe('Say hello');
		expect(request.stream).toBe(true);
		expect(request.includeUsage).toBe(true);
	});

	it('delivers tool arguments split across chunks as one parsed call, then runs the next step', async () => {
		const nodes = [
			{ id: 'api', label: 'API' },
			{ id: 'cache', label: 'Redis cache' }
		];
		server.enqueue(
			{ kind: 'tool-calls', text: 'Drawing it.', calls: [{ name: 'draw_diagram', arguments: { nodes, direction: 'right' } }] },
			{ kind: 'text', text: 'Added a cache.' }
		);
		const before = server.generations().length;
		const result = streamText({ model: model(server), prompt: 'add a Redis cache', tools: { draw_diagram: drawTool }, stopWhen: isStepCount(3), maxRetries: 0 });
		let inputDeltas = 0;
		const calls: unknown[] = [];
		const results: unknown[] = [];
		for await (const part of result.fullStream) {
			if (part.type === 'tool-input-delta') inputDeltas += 1;
			if (part.type === 'tool-call') calls.push(part.input);
			if (part.type === 'tool-result') results.push(part.output);
		}
		expect(inputDeltas).toBeGreaterThan(3);
		expect(calls).toEqual([{ nodes, direction: 'right' }]);
		expect(results).toEqual([{ drawn: 2 }]);
		expect(await result.text).toBe('Added a cache.');
		const requests = server.generations().slice(before);
		expect(requests.map((request) => request.step)).toEqual([0, 1]);
		expect(requests[0].toolNames).toEqual(['draw_diagram']);
		expect(requests[1].lastUserText).toBe('add a Redis cache');
	});

	it('reports malformed tool arguments as an invalid call', async () => {
		server.enqueue({ kind: 'tool-calls', calls: [{ name: 'draw_diagram', arguments: '{"nodes": [ {"id": "a",' }] });
		const result = streamText({ model: model(server), prompt: 'draw', tools: { draw_diagram: drawTool }, maxRetries: 0 });
		const parts: { type: string; invalid?: boolean }[] = [];
		for await (const part of result.fullStream) parts.push(part as { type: string; invalid?: boolean });
		expect(parts.some((part) => part.type === 'tool-call' && part.invalid === true)).toBe(true);
		expect(parts.some((part) => part.type === 'tool-error')).toBe(true);
	});

	it('answers generateText without streaming', async () => {
		server.enqueue({ kind: 'text', text: 'OK', usage: { inputTokens: 3, outputTokens: 1 } });
		const result = await generateText({ model: model(server), prompt: 'ping', maxOutputTokens: 1, maxRetries: 0 });
		expect(result.text).toBe('OK');
		expect(result.usage.outputTokens).toBe(1);
		expect(server.generations().at(-1)!.stream).toBe(false);
	});

	it.each([
		{ status: 500, retryAfterSeconds: undefined },
		{ status: 429, retryAfterSeconds: 7 }
	])('surfaces HTTP $status as an APICallError', async ({ status, retryAfterSeconds }) => {
		server.enqueue({ kind: 'http-error', status, retryAfterSeconds });
		const error = await thrownBy(generateText({ model: model(server), prompt: 'fail please', maxRetries: 0 }));
		expect(APICallError.isInstance(error)).toBe(true);
		const apiError = error as APICallError;
		expect(apiError.statusCode).toBe(status);
		expect(apiError.isRetryable).toBe(true);
		if (retryAfterSeconds) expect(apiError.responseHeaders?.['retry-after']).toBe(String(retryAfterSeconds));
	});

	it('refuses a wrong key with 401 through the stream', async () => {
		const errors: unknown[] = [];
		const result = streamText({ model: model(server, 'sk-wrong-key-9999'), prompt: 'hello', maxRetries: 0, onError: ({ error }) => void errors.push(error) });
		await result.consumeStream();
		expect(errors).toHaveLength(1);
		expect(APICallError.isInstance(errors[0])).toBe(true);
		expect((errors[0] as APICallError).statusCode).toBe(401);
		expect((errors[0] as APICallError).isRetryable).toBe(false);
		expect(server.generations().at(-1)!.apiKey).toBe('sk-wrong-key-9999');
	});

	it('a scripted 401 is refused even with the right key', async () => {
		server.enqueue({ kind: 'http-error', status: 401 });
		const error = await thrownBy(generateText({ model: model(server), prompt: 'hi', maxRetries: 0 }));
		expect((error as APICallError).statusCode).toBe(401);
	});

	it('stops a hanging request when the client aborts, and records the abort', async () => {
		server.enqueue({ kind: 'hang' });
		const controller = new AbortController();
		const result = streamText({ model: model(server), prompt: 'take forever', abortSignal: controller.signal, maxRetries: 0, onError: () => {} });
		const request = (await server.waitForGenerations(server.generations().length + 1)).at(-1)!;
		expect(request.aborted).toBe(false);
		controller.abort();
		const parts: string[] = [];
		for await (const part of result.fullStream) parts.push(part.type);
		expect(parts).toContain('abort');
		await server.waitUntil(() => request.aborted);
	});

	it('a cut stream surfaces an error after the first pieces', async () => {
		server.enqueue({ kind: 'cut', text: 'This answer will be cut off halfway through.', chunkSize: 4, afterChunks: 3 });
		const errors: unknown[] = [];
		let text = '';
		const result = streamText({ model: model(server), prompt: 'cut', maxRetries: 0, onError: ({ error }) => void errors.push(error) });
		// A connection cut while reading the body rejects the stream itself (undici's "terminated").
		try {
			for await (const part of result.fullStream) if (part.type === 'text-delta') text += part.text;
		} catch (error) {
			errors.push(error);
		}
		expect(text).toBe('This answer ');
		expect(errors.length).toBeGreaterThan(0);
		expect(APICallError.isInstance(errors[0])).toBe(true);
	});

	it('a stream that ends before the message finishes is not a clean finish', async () => {
		server.enqueue({ kind: 'cut', text: 'Half an answer and then nothing', chunkSize: 4, afterChunks: 2, how: 'end' });
		let text = '';
		const result = streamText({ model: model(server), prompt: 'end early', maxRetries: 0, onError: () => {} });
		for await (const part of result.fullStream) if (part.type === 'text-delta') text += part.text;
		expect(text).toBe('Half an ');
		// openai-compatible reports a missing finish reason as an error; OpenAI and Anthropic call the step interrupted.
		expect(await result.finishReason).toBe(name === 'openai-compatible' ? 'error' : 'interrupted');
	});

	it('falls back to rules matched on the last user message, step by step', async () => {
		server.setRules([
			{
				match: 'redis',
				flags: 'i',
				reply: [{ kind: 'tool-calls', calls: [{ name: 'draw_diagram', arguments: { nodes: [{ id: 'r', label: 'Redis' }], direction: 'down' } }] }]
			},
			{ match: /.*/, reply: { kind: 'text', text: 'I only know Redis.' } }
		]);
		const result = streamText({ model: model(server), prompt: 'Add REDIS', tools: { draw_diagram: drawTool }, stopWhen: isStepCount(3), maxRetries: 0 });
		expect(await result.text).toBe('Done.');
		expect((await result.steps).length).toBe(2);
		const other = await generateText({ model: model(server), prompt: 'something else', maxRetries: 0 });
		expect(other.text).toBe('I only know Redis.');
		server.setRules([]);
	});

	it('with nothing scripted, answers 500 naming the prompt', async () => {
		const error = await thrownBy(generateText({ model: model(server), prompt: 'unscripted', maxRetries: 0 }));
		expect((error as APICallError).statusCode).toBe(500);
		expect((error as APICallError).message).toContain('unscripted');
	});
});

describe('model list and unknown models', () => {
	it('lists the configured models and refuses others with 404 (OpenAI)', async () => {
		const server = await startOpenAiTestServer({ apiKey: KEY, models: ['m-fast'], defaultReply: { kind: 'text', text: 'hi' } });
		try {
			const list = await fetch(`${server.baseURL}/models`, { headers: { authorization: `Bearer ${KEY}` } });
			expect((await list.json()).data.map((model: { id: string }) => model.id)).toEqual(['m-fast']);
			const refused = await fetch(`${server.baseURL}/models`, { headers: { authorization: 'Bearer nope' } });
			expect(refused.status).toBe(401);
			const openai = createOpenAICompatible({ name: 'test', baseURL: server.baseURL, apiKey: KEY });
			expect((await generateText({ model: openai('m-fast'), prompt: 'x', maxRetries: 0 })).text).toBe('hi');
			const error = await thrownBy(generateText({ model: openai('m-missing'), prompt: 'x', maxRetries: 0 }));
			expect((error as APICallError).statusCode).toBe(404);
			expect((error as APICallError).message).toContain('m-missing');
		} finally {
			await server.close();
		}
	});

	it('lists models and refuses unknown ones with 404 (Anthropic)', async () => {
		const server = await startAnthropicTestServer({ models: ['claude-fast'], defaultReply: { kind: 'text', text: 'hi' } });
		try {
			const list = await fetch(`${server.baseURL}/models`, { headers: { 'x-api-key': KEY } });
			expect((await list.json()).data.map((model: { id: string }) => model.id)).toEqual(['claude-fast']);
			const anthropic = createAnthropic({ baseURL: server.baseURL, apiKey: KEY });
			const error = await thrownBy(generateText({ model: anthropic('claude-missing'), prompt: 'x', maxRetries: 0 }));
			expect((error as APICallError).statusCode).toBe(404);
		} finally {
			await server.close();
		}
	});
});

describe('the standalone CLI', () => {
	it('serves a rules file for a whole session', async () => {
		const rulesPath = join(mkdtempSync(join(tmpdir(), 'ai-rules-')), 'rules.json');
		writeFileSync(
			rulesPath,
			JSON.stringify({ rules: [{ match: 'cache', flags: 'i', reply: { kind: 'text', text: 'Cache added.' } }], defaultReply: { kind: 'text', text: 'Hm?' } })
		);
		const child = spawn(process.execPath, [join(import.meta.dirname, '../helpers/ai-test-server-cli.ts'), '--rules', rulesPath, '--api-key', KEY], {
			stdio: ['ignore', 'pipe', 'inherit']
		});
		try {
			const baseURL = await new Promise<string>((resolve, reject) => {
				let output = '';
				child.stdout!.on('data', (chunk) => {
					output += chunk;
					const listening = /listening (\S+)/.exec(output);
					if (listening) resolve(listening[1]);
				});
				child.once('exit', (code) => reject(new Error(`CLI exited with ${code}`)));
			});
			const model = createOpenAICompatible({ name: 'cli', baseURL, apiKey: KEY, includeUsage: true })('any-model');
			expect(await streamText({ model, prompt: 'Add a CACHE', maxRetries: 0 }).text).toBe('Cache added.');
			expect((await generateText({ model, prompt: 'what', maxRetries: 0 })).text).toBe('Hm?');
		} finally {
			child.kill('SIGTERM');
		}
	});
});
