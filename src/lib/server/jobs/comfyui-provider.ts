// ComfyUI as an image provider, through its own HTTP + WebSocket API: upload the sketch, fill the
// workflow template, queue it while listening on /ws (polling /history when the socket drops), then
// fetch each picture from /view.
import { randomInt, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { ConfigError } from '../config.ts';
import { generatedImageOf, ImageProviderError, type GeneratedImage, type ImageGenerationRequest, type ImageProvider } from './image-provider.ts';

/** The workflow that ships (SD1.5 img2img); relative paths resolve from the working directory, like COMFYUI_WORKFLOW. */
export const DEFAULT_COMFYUI_WORKFLOW = 'server/workflows/comfyui-img2img.json';

/** A workflow in ComfyUI's API format: node id → its class and inputs. */
export type ComfyUiWorkflow = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

export interface WorkflowValues {
	prompt: string;
	/** The uploaded sketch's name as LoadImage wants it. */
	image: string;
	seed: number;
	denoise: number;
	batch_size: number;
}

type PlaceholderName = keyof WorkflowValues;
const PLACEHOLDERS = /\{\{(prompt|image|seed|denoise|batch_size)\}\}/g;
const WHOLE_PLACEHOLDER = /^\{\{(prompt|image|seed|denoise|batch_size)\}\}$/;

export interface ComfyUiProviderOptions {
	/** ComfyUI's address, e.g. http://gpu-box:8188 (a path prefix behind a proxy is kept). */
	url: string;
	/** The workflow template (default DEFAULT_COMFYUI_WORKFLOW). */
	workflowPath?: string;
	/** Longest one generation may take, upload to last picture. */
	timeoutSeconds: number;
	/** How often /history is polled once the socket is gone (default 1000). */
	pollIntervalMs?: number;
	/** How long ping waits for /system_stats (default 5000). */
	pingTimeoutMs?: number;
}

/** Reads and checks a workflow template; throws ConfigError saying what is wrong with it. */
export function loadComfyUiWorkflow(path: string): { workflow: ComfyUiWorkflow; placeholders: ReadonlySet<PlaceholderName> } {
	const problem = (text: string) => new ConfigError([`COMFYUI_WORKFLOW: ${path} ${text}`]);
	let text: string;
	try {
		text = readFileSync(path, 'utf8');
	} catch (error) {
		throw problem(`cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		throw problem(`is not JSON (${(error as Error).message})`);
	}
	const shapeProblem = apiFormatProblem(parsed);
	if (shapeProblem) throw problem(shapeProblem);
	const placeholders = placeholdersIn(parsed);
	const missing = (['image', 'prompt'] as const).filter((name) => !placeholders.has(name));
	if (missing.length) {
		throw problem(`has no ${missing.map((name) => `"{{${name}}}"`).join(' or ')} placeholder (where the uploaded sketch's name and the prompt go)`);
	}
	return { workflow: parsed as ComfyUiWorkflow, placeholders };
}

function apiFormatProblem(parsed: unknown): string | null {
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return 'is not a ComfyUI workflow in API format (an object of nodes)';
	if (Array.isArray((parsed as { nodes?: unknown }).nodes)) return 'is a ComfyUI UI workflow; export it in API format ("Export (API)") instead';
	const entries = Object.entries(parsed);
	if (entries.length === 0) return 'has no nodes';
	for (const [id, node] of entries) {
		const { class_type, inputs } = (node ?? {}) as { class_type?: unknown; inputs?: unknown };
		if (typeof class_type !== 'string' || !inputs || typeof inputs !== 'object') return `is not in API format: node "${id}" has no class_type and inputs`;
	}
	return null;
}

function placeholdersIn(value: unknown, found = new Set<PlaceholderName>()): Set<PlaceholderName> {
	if (typeof value === 'string') for (const match of value.matchAll(PLACEHOLDERS)) found.add(match[1] as PlaceholderName);
	else if (value && typeof value === 'object') for (const item of Object.values(value)) placeholdersIn(item, found);
	return found;
}

/**
 * The template with its placeholders filled, on the parsed tree so no value can change the JSON's
 * shape: a string that is exactly one placeholder becomes the value itself (a number for seed,
 * denoise and batch_size), one inside a longer string is replaced as text, in one pass so a prompt
 * that contains "{{image}}" stays as written.
 */
export function fillWorkflow(template: ComfyUiWorkflow, values: WorkflowValues): ComfyUiWorkflow {
	return fill(template, values) as ComfyUiWorkflow;
}

function fill(value: unknown, values: WorkflowValues): unknown {
	if (typeof value === 'string') {
		const whole = WHOLE_PLACEHOLDER.exec(value);
		if (whole) return values[whole[1] as PlaceholderName];
		return value.replace(PLACEHOLDERS, (_match, name: PlaceholderName) => String(values[name]));
	}
	if (Array.isArray(value)) return value.map((item) => fill(item, values));
	if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item, values)]));
	return value;
}

interface ImageReference {
	filename: string;
	subfolder: string;
	type: string;
}

interface HistoryEntry {
	outputs?: Record<string, { images?: ImageReference[] }>;
	status?: { status_str?: string; completed?: boolean; messages?: [string, Record<string, unknown>][] };
}

/** What ComfyUI sends over /ws (binary preview frames are skipped). */
interface ComfyUiMessage {
	type: string;
	data?: Record<string, unknown> & { prompt_id?: unknown };
}

const SOCKET_OPEN_TIMEOUT_MS = 10_000;
const CANCEL_TIMEOUT_MS = 5_000;
/** After the socket says done, /history is normally written already; this only covers the gap. */
const HISTORY_SETTLE_POLL_MS = 100;

export function createComfyUiProvider(options: ComfyUiProviderOptions): ImageProvider {
	return new ComfyUiProvider(options);
}

class ComfyUiProvider implements ImageProvider {
	readonly name = 'comfyui';
	readonly description: string;
	readonly #base: URL;
	readonly #host: string;
	readonly #workflow: ComfyUiWorkflow;
	readonly #batched: boolean;
	readonly #timeoutSeconds: number;
	readonly #pollIntervalMs: number;
	readonly #pingTimeoutMs: number;

	constructor(options: ComfyUiProviderOptions) {
		const base = new URL(options.url);
		base.username = '';
		base.password = '';
		base.search = '';
		base.hash = '';
		if (!base.pathname.endsWith('/')) base.pathname += '/';
		this.#base = base;
		this.#host = base.host;
		const workflowPath = resolve(options.workflowPath ?? DEFAULT_COMFYUI_WORKFLOW);
		const { workflow, placeholders } = loadComfyUiWorkflow(workflowPath);
		this.#workflow = workflow;
		// Without {{batch_size}} the workflow makes one picture a run, so each variation is a run of its own.
		this.#batched = placeholders.has('batch_size');
		this.#timeoutSeconds = options.timeoutSeconds;
		this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
		this.#pingTimeoutMs = options.pingTimeoutMs ?? 5000;
		this.description = `ComfyUI at ${base.href.replace(/\/$/, '')} (workflow ${basename(workflowPath)})`;
	}

	async generate(request: ImageGenerationRequest): Promise<GeneratedImage[]> {
		const deadline = AbortSignal.timeout(this.#timeoutSeconds * 1000);
		const signal = AbortSignal.any([request.signal, deadline]);
		let reported = 0;
		const report = (fraction: number) => {
			if (fraction <= reported) return;
			reported = fraction;
			try {
				request.onProgress?.(fraction);
			} catch {
				// the caller's progress sink failing must not fail the picture
			}
		};
		try {
			const image = await this.#upload(request.sketch, signal);
			const batches = this.#batched ? [request.variations] : Array.from({ length: request.variations }, () => 1);
			const images: GeneratedImage[] = [];
			for (const [index, batchSize] of batches.entries()) {
				const workflow = fillWorkflow(this.#workflow, { prompt: request.prompt, image, seed: randomInt(0, 2 ** 47), denoise: request.strength, batch_size: batchSize });
				images.push(...(await this.#run(workflow, batchSize, signal, (fraction) => report((index + fraction) / batches.length))));
			}
			report(1);
			return images;
		} catch (error) {
			if (request.signal.aborted) throw new ImageProviderError('The image request was cancelled.', { transient: false, cause: request.signal.reason });
			if (deadline.aborted) throw new ImageProviderError(`ComfyUI did not finish within ${this.#timeoutSeconds} seconds.`, { transient: true, cause: error });
			throw error;
		}
	}

	async ping(signal?: AbortSignal): Promise<void> {
		const deadline = AbortSignal.timeout(this.#pingTimeoutMs);
		try {
			await this.#json(await this.#call('system_stats', { signal: signal ? AbortSignal.any([signal, deadline]) : deadline }), 'GET /system_stats');
		} catch (error) {
			if (deadline.aborted) throw new ImageProviderError(`ComfyUI at ${this.#host} did not answer within ${this.#pingTimeoutMs} ms.`, { transient: true, cause: error });
			throw error;
		}
	}

	/** Uploads the sketch under a name of its own; answers the name LoadImage takes. */
	async #upload(sketch: Uint8Array, signal: AbortSignal): Promise<string> {
		const form = new FormData();
		form.append('image', new Blob([sketch as Uint8Array<ArrayBuffer>], { type: 'image/png' }), `easel-sketch-${randomUUID()}.png`);
		form.append('overwrite', 'true');
		const uploaded = (await this.#json(await this.#call('upload/image', { method: 'POST', body: form, signal }), 'the sketch upload')) as {
			name?: unknown;
			subfolder?: unknown;
		};
		if (typeof uploaded?.name !== 'string') throw new ImageProviderError('ComfyUI answered the sketch upload without a file name.', { transient: false });
		return typeof uploaded.subfolder === 'string' && uploaded.subfolder ? `${uploaded.subfolder}/${uploaded.name}` : uploaded.name;
	}

	/** Queues one filled workflow and answers its `expected` pictures. */
	async #run(workflow: ComfyUiWorkflow, expected: number, signal: AbortSignal, onFraction: (fraction: number) => void): Promise<GeneratedImage[]> {
		const clientId = randomUUID();
		// Opened before queueing, or the first progress (even the end of a quick run) would be missed.
		const socket = await this.#openSocket(clientId, signal);
		try {
			const promptId = await this.#queue(workflow, clientId, signal);
			const cancel = () => void this.#cancel(promptId);
			signal.addEventListener('abort', cancel, { once: true });
			if (signal.aborted) cancel();
			try {
				const outcome = socket ? await socket.follow(promptId, signal, onFraction) : 'dropped';
				const entry = await this.#finishedHistory(promptId, outcome === 'finished' ? HISTORY_SETTLE_POLL_MS : this.#pollIntervalMs, signal);
				return await this.#pictures(entry, expected, signal);
			} finally {
				signal.removeEventListener('abort', cancel);
			}
		} finally {
			socket?.close();
		}
	}

	async #queue(workflow: ComfyUiWorkflow, clientId: string, signal: AbortSignal): Promise<string> {
		const response = await this.#call('prompt', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ prompt: workflow, client_id: clientId }),
			signal,
			refusal: (status, body) => (status === 400 ? `ComfyUI refused the workflow: ${validationErrors(body)}` : undefined)
		});
		const queued = (await this.#json(response, 'POST /prompt')) as { prompt_id?: unknown };
		if (typeof queued?.prompt_id !== 'string') throw new ImageProviderError('ComfyUI queued the workflow without a prompt id.', { transient: false });
		return queued.prompt_id;
	}

	/** Polls /history until the prompt is there (ComfyUI writes it when the prompt is finished). */
	async #finishedHistory(promptId: string, intervalMs: number, signal: AbortSignal): Promise<HistoryEntry> {
		for (;;) {
			const history = (await this.#json(await this.#call(`history/${encodeURIComponent(promptId)}`, { signal }), 'GET /history')) as Record<string, HistoryEntry>;
			const entry = history?.[promptId];
			if (entry?.status?.status_str === 'error') throw historyError(entry);
			if (entry && (entry.status?.completed || entry.outputs)) return entry;
			await sleep(intervalMs, signal);
		}
	}

	async #pictures(entry: HistoryEntry, expected: number, signal: AbortSignal): Promise<GeneratedImage[]> {
		const all = Object.values(entry.outputs ?? {}).flatMap((output) => output.images ?? []);
		// SaveImage writes type "output"; PreviewImage's "temp" pictures count only when nothing was saved.
		const saved = all.filter((image) => image.type === 'output');
		const references = (saved.length ? saved : all).slice(0, expected);
		if (references.length < expected) {
			throw new ImageProviderError(
				`ComfyUI made ${references.length} picture${references.length === 1 ? '' : 's'} where ${expected} were asked (the workflow must save them with SaveImage${this.#batched ? ' and batch them with {{batch_size}}' : ''}).`,
				{ transient: false }
			);
		}
		return Promise.all(
			references.map(async (reference) => {
				const query = new URLSearchParams({ filename: reference.filename, subfolder: reference.subfolder ?? '', type: reference.type ?? 'output' });
				const bytes = new Uint8Array(await (await this.#call(`view?${query}`, { signal })).arrayBuffer());
				const image = await generatedImageOf(bytes);
				if (!image) throw new ImageProviderError(`ComfyUI's output ${reference.filename} is not a PNG, JPEG or WebP picture.`, { transient: false });
				return image;
			})
		);
	}

	/** Best effort, after an abort: drop the prompt from the queue, and interrupt it only if it is the one running (the GPU may be busy with someone else's). */
	async #cancel(promptId: string): Promise<void> {
		const post = (path: string, body: unknown) =>
			this.#call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(CANCEL_TIMEOUT_MS) });
		try {
			await post('queue', { delete: [promptId] });
			const queue = (await this.#json(await this.#call('queue', { signal: AbortSignal.timeout(CANCEL_TIMEOUT_MS) }), 'GET /queue')) as { queue_running?: unknown[][] };
			if (queue.queue_running?.some((item) => item[1] === promptId)) await post('interrupt', { prompt_id: promptId });
		} catch {
			// ComfyUI gone or busy: the deadline on its side is all that is left
		}
	}

	#openSocket(clientId: string, signal: AbortSignal): Promise<ComfyUiSocket | null> {
		const url = new URL(`ws?clientId=${clientId}`, this.#base);
		url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
		return openComfyUiSocket(url, signal);
	}

	/** fetch with ComfyUI's failures as ImageProviderErrors; `refusal` words a status's message itself. */
	async #call(path: string, init: RequestInit & { signal: AbortSignal; refusal?: (status: number, body: string) => string | undefined }): Promise<Response> {
		const { refusal, ...fetchInit } = init;
		let response: Response;
		try {
			response = await fetch(new URL(path, this.#base), fetchInit);
		} catch (error) {
			if (init.signal.aborted) throw error;
			throw new ImageProviderError(`Could not reach ComfyUI at ${this.#host} (${causeCode(error) ?? (error as Error).message}).`, { transient: true, cause: error });
		}
		if (response.ok) return response;
		const body = await response.text().catch(() => '');
		const what = `${fetchInit.method ?? 'GET'} /${path.split('?')[0]}`;
		const transient = response.status >= 500 || response.status === 429 || response.status === 408;
		throw new ImageProviderError(refusal?.(response.status, body) ?? `ComfyUI answered ${response.status} to ${what}${quoted(body)}`, { transient });
	}

	async #json(response: Response, what: string): Promise<unknown> {
		const text = await response.text();
		try {
			return JSON.parse(text);
		} catch {
			throw new ImageProviderError(`ComfyUI's answer to ${what} is not JSON (is COMFYUI_URL ComfyUI's address?).`, { transient: false });
		}
	}
}

interface ComfyUiSocket {
	/** Resolves 'finished' when the prompt is done, 'dropped' when the socket closes first; rejects on execution_error. */
	follow(promptId: string, signal: AbortSignal, onFraction: (fraction: number) => void): Promise<'finished' | 'dropped'>;
	close(): void;
}

/** Opens /ws; null when it does not open (the run then polls /history). Messages wait in a backlog until followed. */
function openComfyUiSocket(url: URL, signal: AbortSignal): Promise<ComfyUiSocket | null> {
	return new Promise((resolveOpen, rejectOpen) => {
		let socket: WebSocket;
		try {
			socket = new WebSocket(url);
		} catch {
			resolveOpen(null);
			return;
		}
		const backlog: ComfyUiMessage[] = [];
		let deliver: ((message: ComfyUiMessage) => void) | null = null;
		let closed = false;
		let onClosed: (() => void) | null = null;
		const openTimer = setTimeout(() => {
			socket.close();
			resolveOpen(null);
		}, SOCKET_OPEN_TIMEOUT_MS);
		const abortOpen = () => {
			clearTimeout(openTimer);
			socket.close();
			rejectOpen(signal.reason);
		};
		signal.addEventListener('abort', abortOpen, { once: true });
		socket.addEventListener('message', (event) => {
			if (typeof event.data !== 'string') return;
			let message: ComfyUiMessage;
			try {
				message = JSON.parse(event.data);
			} catch {
				return;
			}
			if (deliver) deliver(message);
			else backlog.push(message);
		});
		socket.addEventListener('close', () => {
			closed = true;
			clearTimeout(openTimer);
			signal.removeEventListener('abort', abortOpen);
			resolveOpen(null);
			onClosed?.();
		});
		socket.addEventListener('open', () => {
			clearTimeout(openTimer);
			signal.removeEventListener('abort', abortOpen);
			resolveOpen({
				follow: (promptId, followSignal, onFraction) =>
					new Promise((resolve, reject) => {
						const settle = (finish: () => void) => {
							deliver = null;
							onClosed = null;
							followSignal.removeEventListener('abort', abort);
							finish();
						};
						const abort = () => settle(() => reject(followSignal.reason));
						deliver = (message) => {
							const data = message.data;
							if (!data || data.prompt_id !== promptId) return;
							if (message.type === 'progress' && typeof data.value === 'number' && typeof data.max === 'number' && data.max > 0) {
								onFraction(Math.min(1, Math.max(0, data.value / data.max)));
							} else if ((message.type === 'executing' && data.node === null) || message.type === 'execution_success') {
								settle(() => resolve('finished'));
							} else if (message.type === 'execution_error') {
								settle(() => reject(executionError(data)));
							} else if (message.type === 'execution_interrupted') {
								settle(() => reject(new ImageProviderError('ComfyUI interrupted the job (someone stopped it on the ComfyUI side).', { transient: true })));
							}
						};
						onClosed = () => settle(() => resolve('dropped'));
						followSignal.addEventListener('abort', abort, { once: true });
						if (followSignal.aborted) return abort();
						for (const message of backlog.splice(0)) deliver?.(message);
						if (closed) onClosed?.();
					}),
				close: () => socket.close()
			});
		});
	});
}

function executionError(data: Record<string, unknown>): ImageProviderError {
	const where = typeof data.node_type === 'string' ? ` in ${data.node_type}${typeof data.node_id === 'string' ? ` (node ${data.node_id})` : ''}` : '';
	const why = typeof data.exception_message === 'string' && data.exception_message.trim() ? data.exception_message.trim() : 'no reason given';
	return new ImageProviderError(`ComfyUI failed${where}: ${why.slice(0, 500)}`, { transient: false });
}

function historyError(entry: HistoryEntry): ImageProviderError {
	const messages = entry.status?.messages ?? [];
	const failure = messages.find(([type]) => type === 'execution_error')?.[1];
	if (failure) return executionError(failure);
	if (messages.some(([type]) => type === 'execution_interrupted')) return new ImageProviderError('ComfyUI interrupted the job.', { transient: true });
	return new ImageProviderError('ComfyUI reports the job failed without saying why.', { transient: false });
}

/** A 400 from POST /prompt in words: ComfyUI's error and each node's complaints. */
function validationErrors(body: string): string {
	try {
		const parsed = JSON.parse(body) as {
			error?: { message?: string; details?: string } | string;
			node_errors?: Record<string, { class_type?: string; errors?: { message?: string; details?: string }[] }>;
		};
		const error = typeof parsed.error === 'string' ? parsed.error : [parsed.error?.message, parsed.error?.details].filter(Boolean).join(': ');
		const nodes = Object.entries(parsed.node_errors ?? {}).map(
			([id, node]) => `${node.class_type ?? 'node'} (node ${id}): ${(node.errors ?? []).map((e) => [e.message, e.details].filter(Boolean).join(': ')).join('; ')}`
		);
		return [error, ...nodes].filter(Boolean).join('; ').slice(0, 800) || 'no reason given';
	} catch {
		return body.slice(0, 300) || 'no reason given';
	}
}

function quoted(body: string): string {
	const text = body.trim().slice(0, 300);
	return text ? `: ${text}` : '.';
}

function causeCode(error: unknown): string | undefined {
	for (let current = error, depth = 0; current && depth < 5; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string') return code;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal.aborted) return reject(signal.reason);
		const timer = setTimeout(() => {
			signal.removeEventListener('abort', abort);
			resolve();
		}, ms);
		const abort = () => {
			clearTimeout(timer);
			reject(signal.reason);
		};
		signal.addEventListener('abort', abort, { once: true });
	});
}
