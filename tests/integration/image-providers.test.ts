// Both image providers against local servers speaking the real protocols: ComfyUI (HTTP + WebSocket)
// and OpenAI's images edit API through the AI SDK. What reaches the server, progress, the pictures,
// which failures are worth retrying, cancellation, ping and bad workflow files.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/lib/server/config.ts';
import {
	createComfyUiProvider,
	DEFAULT_COMFYUI_WORKFLOW,
	fillWorkflow,
	loadComfyUiWorkflow,
	type ComfyUiProviderOptions
} from '../../src/lib/server/jobs/comfyui-provider.ts';
import { imageProviderFor } from '../../src/lib/server/jobs/image-provider-for.ts';
import { ImageProviderError, type GeneratedImage, type ImageGenerationRequest, type ImageProvider } from '../../src/lib/server/jobs/image-provider.ts';
import { createOpenAiImagesProvider, type OpenAiImagesProviderOptions } from '../../src/lib/server/jobs/openai-images-provider.ts';
import { PNG_SIGNATURE } from '../../src/lib/server/png-encoder.ts';
import { startComfyUiTestServer, type ComfyUiTestServer } from '../helpers/comfyui-test-server.ts';
import { solidPng } from '../helpers/png.ts';
import { startOpenAiImagesTestServer, TEST_IMAGE_API_KEY, type OpenAiImagesTestServer } from '../helpers/openai-images-test-server.ts';

/** A prompt that would break a workflow filled by string replacement on the JSON text. */
const HOSTILE_PROMPT = 'a "red" fox }}, "6": {"class_type": "Evil"}, {{image}} \\" "}} {{seed}} $& $1 \u2028 end';
const sketch = solidPng(64, 48, [255, 255, 255, 255]);

function requestFor(overrides: Partial<ImageGenerationRequest> = {}): ImageGenerationRequest {
	return { prompt: 'a watercolour fox', sketch, variations: 1, strength: 0.65, signal: new AbortController().signal, ...overrides };
}

function expectPng(image: GeneratedImage, width: number, height: number): void {
	expect(image.mimeType).toBe('image/png');
	const bytes = Buffer.from(image.bytes);
	expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
	expect(bytes.toString('ascii', 12, 16)).toBe('IHDR');
	expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([width, height]);
}

async function failureOf(promise: Promise<unknown>): Promise<ImageProviderError> {
	const error = await promise.then(
		() => null,
		(thrown: unknown) => thrown
	);
	expect(error).toBeInstanceOf(ImageProviderError);
	return error as ImageProviderError;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
	const started = Date.now();
	while (!condition()) {
		if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

/** Starts a test server's file as its own process; answers the URL it prints and a way to stop it. */
async function startStandalone(file: string): Promise<{ url: string; stop: () => void }> {
	const child = spawn(process.execPath, [file, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
	const line = await new Promise<string>((resolve, reject) => {
		createInterface({ input: child.stdout }).once('line', resolve);
		child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
	});
	const url = /^listening (http:\/\/127\.0\.0\.1:\d+(\/v1)?)$/.exec(line)?.[1];
	if (!url) {
		child.kill();
		throw new Error(`${file} printed ${line}`);
	}
	return { url, stop: () => child.kill() };
}

const control = (origin: string, behaviour: Record<string, unknown>) => fetch(`${origin}/__control`, { method: 'POST', body: JSON.stringify(behaviour) });

describe('ComfyUI provider', () => {
	let comfy: ComfyUiTestServer;
	const provider = (options: Partial<ComfyUiProviderOptions> = {}) => createComfyUiProvider({ url: comfy.url, timeoutSeconds: 30, pollIntervalMs: 50, ...options });

	beforeAll(async () => {
		comfy = await startComfyUiTestServer();
	});
	beforeEach(() => {
		comfy.setBehaviour({ delayMs: 40, progressSteps: 4, fail: 'none', dropSocket: false });
		for (const list of Object.values(comfy.requests)) list.length = 0;
	});
	afterAll(() => comfy?.close());

	it('uploads the sketch, fills the workflow, reports progress in order and returns each variation as a PNG', async () => {
		const progress: number[] = [];
		const images = await provider().generate(requestFor({ prompt: HOSTILE_PROMPT, variations: 3, strength: 0.4, onProgress: (fraction) => progress.push(fraction) }));

		expect(comfy.requests.uploads).toHaveLength(1);
		const [upload] = comfy.requests.uploads;
		expect(Buffer.from(upload.bytes).equals(Buffer.from(sketch))).toBe(true);
		expect(upload.overwrite).toBe(true);
		const [{ workflow, clientId }] = comfy.requests.prompts;
		expect(clientId).toMatch(/^[0-9a-f-]{36}$/);
		const template = JSON.parse(readFileSync(DEFAULT_COMFYUI_WORKFLOW, 'utf8'));
		expect(Object.keys(workflow)).toEqual(Object.keys(template));
		expect(workflow['6'].inputs.text).toBe(HOSTILE_PROMPT);
		expect(workflow['7'].inputs.text).toBe(template['7'].inputs.text);
		expect(workflow['2'].inputs.image).toBe(upload.name);
		expect(workflow['8'].inputs.denoise).toBe(0.4);
		expect(workflow['5'].inputs.amount).toBe(3);
		expect(Number.isSafeInteger(workflow['8'].inputs.seed)).toBe(true);
		expect(workflow['1'].inputs.ckpt_name).toBe('v1-5-pruned-emaonly.safetensors');

		expect(progress.length).toBeGreaterThanOrEqual(2);
		for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThan(progress[i - 1]);
		expect(progress.at(-1)).toBe(1);

		expect(images).toHaveLength(3);
		for (const image of images) expectPng(image, 512, 512);
		expect(new Set(images.map((image) => Buffer.from(image.bytes).toString('base64'))).size).toBe(3);
		await until(() => comfy.socketCount() === 0);
	});

	it('fills placeholders on the parsed tree: whole values take their type, text inside a string is replaced once', () => {
		const template = {
			'1': { class_type: 'CLIPTextEncode', inputs: { text: 'masterpiece, {{prompt}}, {{batch_size}} of them', image: '{{image}}' } },
			'2': { class_type: 'KSampler', inputs: { seed: '{{seed}}', denoise: '{{denoise}}', list: ['{{batch_size}}', 3] } }
		};
		const filled = fillWorkflow(template, { prompt: '{{image}} "}}', image: 'sketch.png', seed: 42, denoise: 0.5, batch_size: 2 });
		expect(filled['1'].inputs).toEqual({ text: 'masterpiece, {{image}} "}}, 2 of them', image: 'sketch.png' });
		expect(filled['2'].inputs).toEqual({ seed: 42, denoise: 0.5, list: [2, 3] });
		expect(template['1'].inputs.image).toBe('{{image}}');
	});

	it('runs a workflow without {{batch_size}} once per variation', async () => {
		const directory = mkdtempSync(join(tmpdir(), 'easel-workflow-'));
		const path = join(directory, 'single.json');
		const template = JSON.parse(readFileSync(DEFAULT_COMFYUI_WORKFLOW, 'utf8'));
		template['5'].inputs.amount = 1;
		writeFileSync(path, JSON.stringify(template));
		const progress: number[] = [];
		const images = await provider({ workflowPath: path }).generate(requestFor({ variations: 2, onProgress: (fraction) => progress.push(fraction) }));
		expect(images).toHaveLength(2);
		expect(comfy.requests.prompts).toHaveLength(2);
		expect(comfy.requests.uploads).toHaveLength(1);
		const [first, second] = comfy.requests.prompts.map((prompt) => prompt.workflow['8'].inputs.seed);
		expect(first).not.toBe(second);
		expect(progress.at(-1)).toBe(1);
		expect(progress.some((fraction) => fraction <= 0.5)).toBe(true);
	});

	it('falls back to polling /history when the socket drops', async () => {
		comfy.setBehaviour({ dropSocket: true, delayMs: 300 });
		const images = await provider().generate(requestFor({ variations: 2 }));
		expect(images).toHaveLength(2);
		expect(comfy.requests.log.filter((line) => line.startsWith('GET /history/')).length).toBeGreaterThan(1);
	});

	it('classifies failures: 5xx and unreachable are transient; refused workflows and execution errors are not', async () => {
		comfy.setBehaviour({ fail: 'http500' });
		const serverError = await failureOf(provider().generate(requestFor()));
		expect(serverError.transient).toBe(true);
		expect(serverError.message).toContain('500');

		comfy.setBehaviour({ fail: 'node_errors' });
		const refused = await failureOf(provider().generate(requestFor()));
		expect(refused.transient).toBe(false);
		expect(refused.message).toMatch(/^ComfyUI refused the workflow: Prompt outputs failed validation/);
		expect(refused.message).toContain("CheckpointLoaderSimple (node 1): Value not in list: ckpt_name: 'v1-5-pruned-emaonly.safetensors'");

		comfy.setBehaviour({ fail: 'execution_error' });
		const progress: number[] = [];
		const failed = await failureOf(provider().generate(requestFor({ onProgress: (fraction) => progress.push(fraction) })));
		expect(failed.transient).toBe(false);
		expect(failed.message).toBe('ComfyUI failed in KSampler (node 8): Allocation on device would exceed allowed memory. (out of memory)');
		expect(progress.length).toBeGreaterThan(0);
		expect(progress.at(-1)).toBeLessThan(1);

		const unreachable = await failureOf(provider({ url: `http://127.0.0.1:${await closedPort()}` }).generate(requestFor()));
		expect(unreachable.transient).toBe(true);
		expect(unreachable.message).toMatch(/^Could not reach ComfyUI at 127\.0\.0\.1:\d+ \(ECONNREFUSED\)\.$/);
	});

	it('times out as a transient failure and interrupts the prompt on ComfyUI', async () => {
		comfy.setBehaviour({ fail: 'hang' });
		const started = Date.now();
		const timedOut = await failureOf(provider({ timeoutSeconds: 0.4 }).generate(requestFor()));
		expect(Date.now() - started).toBeLessThan(2000);
		expect(timedOut.transient).toBe(true);
		expect(timedOut.message).toBe('ComfyUI did not finish within 0.4 seconds.');
		const [{ promptId }] = comfy.requests.prompts;
		await until(() => comfy.requests.interrupts.length === 1);
		expect(comfy.requests.interrupts).toEqual([{ prompt_id: promptId }]);
	});

	it('stops promptly when aborted: a waiting prompt leaves the queue, only a running one is interrupted', async () => {
		comfy.setBehaviour({ fail: 'hang' });
		const runningJob = new AbortController();
		const waitingJob = new AbortController();
		const running = provider().generate(requestFor({ signal: runningJob.signal }));
		await until(() => comfy.requests.prompts.length === 1);
		const waiting = provider().generate(requestFor({ signal: waitingJob.signal }));
		await until(() => comfy.requests.prompts.length === 2);
		const [first, second] = comfy.requests.prompts.map((prompt) => prompt.promptId);

		let started = Date.now();
		waitingJob.abort();
		const cancelled = await failureOf(waiting);
		expect(Date.now() - started).toBeLessThan(500);
		expect(cancelled.transient).toBe(false);
		expect(cancelled.message).toBe('The image request was cancelled.');
		await until(() => comfy.requests.deleted.includes(second));
		expect(comfy.requests.interrupts).toEqual([]);

		started = Date.now();
		runningJob.abort();
		expect((await failureOf(running)).message).toBe('The image request was cancelled.');
		expect(Date.now() - started).toBeLessThan(500);
		await until(() => comfy.requests.interrupts.length === 1);
		expect(comfy.requests.interrupts).toEqual([{ prompt_id: first }]);
	});

	it('pings /system_stats: ok when it answers, rejects when it fails or nothing listens', async () => {
		await expect(provider().ping()).resolves.toBeUndefined();
		comfy.setBehaviour({ fail: 'http500' });
		await expect(provider().ping()).rejects.toThrow(/ComfyUI answered 500 to GET \/system_stats/);
		await expect(provider({ url: `http://127.0.0.1:${await closedPort()}` }).ping()).rejects.toThrow(/Could not reach ComfyUI/);
	});

	it('refuses a workflow file it cannot use, saying why, when the provider is made', () => {
		const directory = mkdtempSync(join(tmpdir(), 'easel-workflow-'));
		const write = (name: string, text: string) => {
			writeFileSync(join(directory, name), text);
			return join(directory, name);
		};
		const problemOf = (workflowPath: string) => {
			try {
				provider({ workflowPath });
			} catch (error) {
				expect(error).toBeInstanceOf(ConfigError);
				return (error as ConfigError).problems.join('\n');
			}
			throw new Error('no error');
		};
		expect(problemOf(join(directory, 'missing.json'))).toMatch(/^COMFYUI_WORKFLOW: .*missing\.json cannot be read \(ENOENT\)$/);
		expect(problemOf(write('broken.json', '{"1": {'))).toMatch(/broken\.json is not JSON/);
		expect(problemOf(write('ui.json', JSON.stringify({ nodes: [], links: [] })))).toMatch(/is a ComfyUI UI workflow; export it in API format/);
		expect(problemOf(write('list.json', '[1, 2]'))).toMatch(/is not a ComfyUI workflow in API format/);
		expect(problemOf(write('bare.json', JSON.stringify({ '1': { inputs: {} } })))).toMatch(/node "1" has no class_type and inputs/);
		const noImage = JSON.parse(readFileSync(DEFAULT_COMFYUI_WORKFLOW, 'utf8'));
		noImage['2'].inputs.image = 'fixed.png';
		expect(problemOf(write('no-image.json', JSON.stringify(noImage)))).toMatch(/has no "\{\{image\}\}" placeholder/);
		expect(loadComfyUiWorkflow(DEFAULT_COMFYUI_WORKFLOW).placeholders).toEqual(new Set(['image', 'batch_size', 'prompt', 'seed', 'denoise']));
	});

	it('runs standalone, printing its address, with behaviour switched over POST /__control', async () => {
		const standalone = await startStandalone('tests/helpers/comfyui-test-server.ts');
		try {
			const remote = createComfyUiProvider({ url: standalone.url, timeoutSeconds: 30 });
			expect(await remote.generate(requestFor({ variations: 2 }))).toHaveLength(2);
			expect((await control(standalone.url, { fail: 'execution_error' })).ok).toBe(true);
			expect((await failureOf(remote.generate(requestFor()))).transient).toBe(false);
		} finally {
			standalone.stop();
		}
	});
});

describe('OpenAI-compatible images provider', () => {
	let images: OpenAiImagesTestServer;
	const provider = (options: Partial<OpenAiImagesProviderOptions> = {}) =>
		createOpenAiImagesProvider({ baseURL: images.url, apiKey: TEST_IMAGE_API_KEY, model: 'gpt-image-1', timeoutSeconds: 30, ...options });

	beforeAll(async () => {
		images = await startOpenAiImagesTestServer();
	});
	beforeEach(() => {
		images.setBehaviour({ delayMs: 0, fail: 'none' });
		images.requests.length = 0;
	});
	afterAll(() => images?.close());

	it('posts the sketch, prompt, model and n to /images/edits in one request and returns n PNGs', async () => {
		const generated = await provider().generate(requestFor({ prompt: HOSTILE_PROMPT, variations: 3 }));
		expect(images.requests).toHaveLength(1);
		const [edit] = images.requests;
		expect(edit).toMatchObject({ model: 'gpt-image-1', prompt: HOSTILE_PROMPT, n: 3, apiKey: TEST_IMAGE_API_KEY });
		expect(edit.images).toHaveLength(1);
		expect(edit.imageTypes).toEqual(['image/png']);
		expect(Buffer.from(edit.images[0]).equals(Buffer.from(sketch))).toBe(true);
		expect(generated).toHaveLength(3);
		for (const image of generated) expectPng(image, 64, 48);
	});

	it('classifies failures: 429, 5xx and unreachable are transient; 400, 401 and 404 are not', async () => {
		const cases = [
			{ fail: 'http500', transient: true, message: /^The image API failed \(500\): The server had an error/ },
			{ fail: 'http429', transient: true, message: /^The image API is rate limiting requests \(429\): Rate limit reached/ },
			{ fail: 'http400', transient: false, message: /^The image API refused the request \(400\): Your request was rejected as a result of our safety system\.$/ },
			{ fail: 'http401', transient: false, message: /^The image API key was refused \(401\)\.$/ }
		] as const;
		for (const { fail, transient, message } of cases) {
			images.setBehaviour({ fail });
			const error = await failureOf(provider().generate(requestFor()));
			expect({ fail, transient: error.transient }).toEqual({ fail, transient });
			expect(error.message).toMatch(message);
		}
		images.setBehaviour({ fail: 'none' });
		expect((await failureOf(provider({ apiKey: 'wrong' }).generate(requestFor()))).message).toBe('The image API key was refused (401).');
		const unknownModel = await failureOf(provider({ model: 'no-such-model' }).generate(requestFor()));
		expect(unknownModel.transient).toBe(false);
		expect(unknownModel.message).toMatch(/\(404\): The model 'no-such-model' does not exist\./);
		const unreachable = await failureOf(provider({ baseURL: `http://127.0.0.1:${await closedPort()}/v1` }).generate(requestFor()));
		expect(unreachable.transient).toBe(true);
		expect(unreachable.message).toMatch(/^Could not reach the image API at 127\.0\.0\.1:\d+/);
	});

	it('stops promptly when aborted, and times out as a transient failure', async () => {
		images.setBehaviour({ delayMs: 10_000 });
		const job = new AbortController();
		const pending = provider().generate(requestFor({ signal: job.signal }));
		await until(() => images.requests.length === 1);
		const started = Date.now();
		job.abort();
		const cancelled = await failureOf(pending);
		expect(Date.now() - started).toBeLessThan(500);
		expect(cancelled).toMatchObject({ transient: false, message: 'The image request was cancelled.' });

		const timedOut = await failureOf(provider({ timeoutSeconds: 0.3 }).generate(requestFor()));
		expect(timedOut).toMatchObject({ transient: true, message: 'The image API did not answer within 0.3 seconds.' });
	});

	it('runs standalone, printing its base URL, with behaviour switched over POST /__control', async () => {
		const standalone = await startStandalone('tests/helpers/openai-images-test-server.ts');
		try {
			const remote = provider({ baseURL: standalone.url });
			expect(await remote.generate(requestFor({ variations: 2 }))).toHaveLength(2);
			expect((await control(new URL(standalone.url).origin, { fail: 'http429' })).ok).toBe(true);
			expect((await failureOf(remote.generate(requestFor()))).transient).toBe(true);
		} finally {
			standalone.stop();
		}
	});

	it('pings /models with the key: ok, key refused, or unreachable', async () => {
		await expect(provider().ping()).resolves.toBeUndefined();
		await expect(provider({ apiKey: 'wrong' }).ping()).rejects.toThrow(/reachable but the image API key was refused \(401\)/);
		await expect(provider({ baseURL: `http://127.0.0.1:${await closedPort()}/v1` }).ping()).rejects.toThrow(/Could not reach the image API/);
	});
});

describe('imageProviderFor', () => {
	const providerFor = (env: Record<string, string>) => imageProviderFor(loadConfig({ CHROMIUM_PATH: '', ...env }));

	it('is null without IMAGE_PROVIDER and the configured provider otherwise, naming where it is but never a key', () => {
		expect(providerFor({})).toBeNull();
		const comfy: ImageProvider | null = providerFor({ IMAGE_PROVIDER: 'comfyui', COMFYUI_URL: 'http://user:secret@gpu-box:8188' });
		expect(comfy?.name).toBe('comfyui');
		expect(comfy?.description).toBe('ComfyUI at http://gpu-box:8188 (workflow comfyui-img2img.json)');
		const openai = providerFor({ IMAGE_PROVIDER: 'openai', IMAGE_BASE_URL: 'https://api.example.com/v1', IMAGE_API_KEY: 'sk-secret' });
		expect(openai?.name).toBe('openai');
		expect(openai?.description).toBe('OpenAI-compatible images API at api.example.com (model gpt-image-1)');
	});

	it('passes a bad COMFYUI_WORKFLOW on as a ConfigError', () => {
		expect(() => providerFor({ IMAGE_PROVIDER: 'comfyui', COMFYUI_URL: 'http://gpu-box:8188', COMFYUI_WORKFLOW: '/nonexistent/workflow.json' })).toThrow(ConfigError);
	});
});
