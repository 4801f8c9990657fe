// A local server speaking ComfyUI's HTTP + WebSocket API (upload, queue, progress over /ws, history,
// view, interrupt, system stats) that runs prompts one at a time like ComfyUI and "renders" each as a
// real PNG of one colour derived from the prompt. Scripted failures via setBehaviour or, standalone,
// POST /__control:
//   node tests/helpers/comfyui-test-server.ts --port 0   → prints `listening <url>`
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodePng } from '../../src/lib/server/png-encoder.ts';

export type ComfyUiFailure = 'none' | 'http500' | 'node_errors' | 'execution_error' | 'hang';

export interface ComfyUiBehaviour {
	/** How long a prompt takes to run (spread over its progress steps). */
	delayMs: number;
	progressSteps: number;
	/** http500: every endpoint but /__control answers 500; node_errors: /prompt refuses the workflow; execution_error: the sampler fails half way; hang: runs until interrupted. */
	fail: ComfyUiFailure;
	/** Closes the prompt's client socket as soon as the prompt starts (the client must poll /history). */
	dropSocket: boolean;
}

export interface UploadedImage {
	name: string;
	bytes: Uint8Array;
	overwrite: boolean;
}

export interface QueuedPrompt {
	promptId: string;
	clientId: string | undefined;
	/** The workflow exactly as posted. */
	workflow: Record<string, { class_type: string; inputs: Record<string, unknown> }>;
}

export interface ComfyUiTestServer {
	url: string;
	requests: {
		uploads: UploadedImage[];
		prompts: QueuedPrompt[];
		/** Bodies of POST /interrupt. */
		interrupts: unknown[];
		/** Prompt ids removed from the queue with POST /queue { delete }. */
		deleted: string[];
		/** Paths of every request, in order ("GET /history/…"). */
		log: string[];
	};
	setBehaviour(behaviour: Partial<ComfyUiBehaviour>): void;
	/** Sockets connected now. */
	socketCount(): number;
	close(): Promise<void>;
}

export interface ComfyUiTestServerOptions extends Partial<ComfyUiBehaviour> {
	port?: number;
	host?: string;
}

const DEFAULT_BEHAVIOUR: ComfyUiBehaviour = { delayMs: 40, progressSteps: 4, fail: 'none', dropSocket: false };
const FAILURES: readonly ComfyUiFailure[] = ['none', 'http500', 'node_errors', 'execution_error', 'hang'];

interface HistoryEntry {
	prompt: unknown[];
	outputs: Record<string, { images: { filename: string; subfolder: string; type: string }[] }>;
	status: { status_str: 'success' | 'error'; completed: boolean; messages: [string, Record<string, unknown>][] };
	meta: Record<string, unknown>;
}

interface Execution {
	prompt: QueuedPrompt;
	number: number;
	interrupted: boolean;
	wake: (() => void) | null;
}

export async function startComfyUiTestServer(options: ComfyUiTestServerOptions = {}): Promise<ComfyUiTestServer> {
	let behaviour: ComfyUiBehaviour = { ...DEFAULT_BEHAVIOUR, ...withoutUndefined(options) };
	const requests: ComfyUiTestServer['requests'] = { uploads: [], prompts: [], interrupts: [], deleted: [], log: [] };
	const inputs = new Map<string, Uint8Array>();
	const outputs = new Map<string, Uint8Array>();
	const history = new Map<string, HistoryEntry>();
	const pending: Execution[] = [];
	let running: Execution | null = null;
	let promptNumber = 0;
	let outputCounter = 0;
	const sockets = new Map<string, Set<WebSocket>>();

	const send = (clientId: string | undefined, type: string, data: Record<string, unknown>) => {
		if (!clientId) return;
		for (const socket of sockets.get(clientId) ?? []) if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type, data }));
	};
	const queueStatus = () => ({ status: { exec_info: { queue_remaining: pending.length + (running ? 1 : 0) } } });

	const setBehaviour = (next: Partial<ComfyUiBehaviour>) => {
		if (next.fail !== undefined && !FAILURES.includes(next.fail)) throw new Error(`fail must be one of ${FAILURES.join(', ')}`);
		behaviour = { ...behaviour, ...withoutUndefined(next) };
	};

	async function execute(execution: Execution): Promise<void> {
		const { promptId, clientId, workflow } = execution.prompt;
		const started = behaviour;
		const messages: HistoryEntry['status']['messages'] = [];
		const emit = (type: string, data: Record<string, unknown>) => {
			const stamped = { ...data, prompt_id: promptId, timestamp: Date.now() };
			if (type.startsWith('execution_')) messages.push([type, stamped]);
			send(clientId, type, stamped);
		};
		const finish = (status: 'success' | 'error', nodeOutputs: HistoryEntry['outputs'] = {}) => {
			history.set(promptId, {
				prompt: [execution.number, promptId, workflow, { client_id: clientId }, Object.keys(nodeOutputs)],
				outputs: nodeOutputs,
				status: { status_str: status, completed: status === 'success', messages },
				meta: {}
			});
			send(clientId, 'executing', { node: null, prompt_id: promptId });
		};
		emit('execution_start', {});
		if (started.dropSocket) for (const socket of sockets.get(clientId ?? '') ?? []) socket.terminate();
		const sampler = nodeOf(workflow, 'KSampler') ?? Object.keys(workflow)[0];
		send(clientId, 'executing', { node: sampler, display_node: sampler, prompt_id: promptId });
		const steps = Math.max(1, started.progressSteps);
		for (let step = 1; started.fail === 'hang' || step <= steps; step++) {
			await pause(execution, started.fail === 'hang' ? 60_000 : started.delayMs / steps);
			if (execution.interrupted) {
				emit('execution_interrupted', { node_id: sampler, node_type: workflow[sampler]?.class_type, executed: [] });
				return finish('error');
			}
			if (started.fail === 'hang') continue;
			if (started.fail === 'execution_error' && step > steps / 2) {
				emit('execution_error', {
					node_id: sampler,
					node_type: workflow[sampler]?.class_type ?? 'KSampler',
					executed: [],
					exception_message: 'Allocation on device would exceed allowed memory. (out of memory)\n',
					exception_type: 'torch.OutOfMemoryError',
					traceback: ['  File "execution.py", line 1, in execute\n'],
					current_inputs: {},
					current_outputs: {}
				});
				return finish('error');
			}
			send(clientId, 'progress', { value: step, max: steps, prompt_id: promptId, node: sampler });
		}
		const save = nodeOf(workflow, 'SaveImage') ?? Object.keys(workflow).at(-1)!;
		const size = sketchSize(workflow, inputs);
		const count = batchSizeOf(workflow);
		const images = Array.from({ length: count }, (_, index) => {
			const filename = `${String(workflow[save]?.inputs.filename_prefix ?? 'ComfyUI')}_${String(++outputCounter).padStart(5, '0')}_.png`;
			outputs.set(filename, pictureFor(promptTextOf(workflow), index, size.width, size.height));
			return { filename, subfolder: '', type: 'output' };
		});
		send(clientId, 'executed', { node: save, display_node: save, output: { images }, prompt_id: promptId });
		emit('execution_success', {});
		finish('success', { [save]: { images } });
	}

	async function drain(): Promise<void> {
		if (running) return;
		while ((running = pending.shift() ?? null)) {
			send(running.prompt.clientId, 'status', queueStatus());
			await execute(running);
		}
	}

	const server = createServer((request, response) => {
		void handle(request, response).catch((error: Error) => {
			if (!response.headersSent) sendJson(response, 500, { error: error.message });
			else response.destroy();
		});
	});

	async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const url = new URL(request.url ?? '/', 'http://comfyui');
		const route = `${request.method} ${url.pathname}`;
		requests.log.push(`${request.method} ${url.pathname}${url.search}`);
		if (route === 'POST /__control') {
			setBehaviour(JSON.parse((await readBody(request)).toString('utf8') || '{}'));
			return sendJson(response, 200, behaviour);
		}
		if (route === 'GET /__control') return sendJson(response, 200, { behaviour, prompts: requests.prompts.length, uploads: requests.uploads.length });
		if (behaviour.fail === 'http500') return sendJson(response, 500, { error: 'Internal Server Error' });

		if (route === 'GET /system_stats') {
			return sendJson(response, 200, {
				system: { os: 'posix', python_version: '3.12.3', embedded_python: false, comfyui_version: '0.3.40-easel-test', ram_total: 0, ram_free: 0 },
				devices: [{ name: 'cpu', type: 'cpu', index: null, vram_total: 0, vram_free: 0 }]
			});
		}
		if (route === 'POST /upload/image') {
			const form = await formDataOf(request);
			const image = form.get('image');
			if (!(image instanceof File)) return sendJson(response, 400, 'No image uploaded');
			const overwrite = form.get('overwrite') === 'true';
			let name = image.name || 'image.png';
			if (!overwrite) for (let n = 1; inputs.has(name); n++) name = image.name.replace(/(\.\w+)?$/, ` (${n})$1`);
			const bytes = new Uint8Array(await image.arrayBuffer());
			inputs.set(name, bytes);
			requests.uploads.push({ name, bytes, overwrite });
			return sendJson(response, 200, { name, subfolder: '', type: 'input' });
		}
		if (route === 'POST /prompt') {
			const body = JSON.parse((await readBody(request)).toString('utf8')) as { prompt?: QueuedPrompt['workflow']; client_id?: string };
			if (!body.prompt || typeof body.prompt !== 'object') {
				return sendJson(response, 400, {
					error: { type: 'invalid_prompt', message: 'Cannot execute because a node is missing the class_type property.', details: '', extra_info: {} },
					node_errors: {}
				});
			}
			const nodeErrors = validate(body.prompt, inputs, behaviour.fail === 'node_errors');
			if (Object.keys(nodeErrors).length) {
				return sendJson(response, 400, {
					error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '', extra_info: {} },
					node_errors: nodeErrors
				});
			}
			const prompt: QueuedPrompt = { promptId: randomUUID(), clientId: body.client_id, workflow: body.prompt };
			requests.prompts.push(prompt);
			const number = promptNumber++;
			pending.push({ prompt, number, interrupted: false, wake: null });
			sendJson(response, 200, { prompt_id: prompt.promptId, number, node_errors: {} });
			void drain();
			return;
		}
		if (request.method === 'GET' && url.pathname.startsWith('/history/')) {
			const id = decodeURIComponent(url.pathname.slice('/history/'.length));
			const entry = history.get(id);
			return sendJson(response, 200, entry ? { [id]: entry } : {});
		}
		if (route === 'GET /view') {
			const filename = url.searchParams.get('filename') ?? '';
			const type = url.searchParams.get('type') ?? 'output';
			const bytes = type === 'input' ? inputs.get(filename) : outputs.get(filename);
			if (!bytes) return sendJson(response, 404, { error: 'not found' });
			response.writeHead(200, { 'content-type': 'image/png', 'content-length': bytes.byteLength });
			return void response.end(bytes);
		}
		if (route === 'GET /queue') {
			const item = (execution: Execution) => [execution.number, execution.prompt.promptId, execution.prompt.workflow, { client_id: execution.prompt.clientId }, []];
			return sendJson(response, 200, { queue_running: running ? [item(running)] : [], queue_pending: pending.map(item) });
		}
		if (route === 'POST /queue') {
			const body = JSON.parse((await readBody(request)).toString('utf8') || '{}') as { delete?: string[]; clear?: boolean };
			for (const id of body.clear ? pending.map((execution) => execution.prompt.promptId) : (body.delete ?? [])) {
				const index = pending.findIndex((execution) => execution.prompt.promptId === id);
				if (index >= 0) {
					pending.splice(index, 1);
					requests.deleted.push(id);
				}
			}
			return sendJson(response, 200, {});
		}
		if (route === 'POST /interrupt') {
			const raw = (await readBody(request)).toString('utf8');
			const body = raw ? (JSON.parse(raw) as { prompt_id?: string }) : {};
			requests.interrupts.push(body);
			// Like ComfyUI: with a prompt_id, only that prompt is interrupted (and only while it runs).
			if (running && (!body.prompt_id || body.prompt_id === running.prompt.promptId)) {
				running.interrupted = true;
				running.wake?.();
			}
			return sendJson(response, 200, {});
		}
		sendJson(response, 404, { error: `no route ${route}` });
	}

	const socketServer = new WebSocketServer({ noServer: true });
	server.on('upgrade', (request, socket, head) => {
		const url = new URL(request.url ?? '/', 'http://comfyui');
		if (url.pathname !== '/ws' || behaviour.fail === 'http500') {
			socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
			return;
		}
		socketServer.handleUpgrade(request, socket, head, (webSocket) => {
			const clientId = url.searchParams.get('clientId') ?? randomUUID().replaceAll('-', '');
			const group = sockets.get(clientId) ?? new Set();
			group.add(webSocket);
			sockets.set(clientId, group);
			webSocket.on('close', () => {
				group.delete(webSocket);
				if (group.size === 0) sockets.delete(clientId);
			});
			webSocket.send(JSON.stringify({ type: 'status', data: { ...queueStatus(), sid: clientId } }));
		});
	});

	await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://${options.host ?? '127.0.0.1'}:${port}`,
		requests,
		setBehaviour,
		socketCount: () => [...sockets.values()].reduce((sum, group) => sum + group.size, 0),
		close: async () => {
			for (const execution of [running, ...pending]) {
				if (!execution) continue;
				execution.interrupted = true;
				execution.wake?.();
			}
			pending.length = 0;
			for (const socket of socketServer.clients) socket.terminate();
			await new Promise<void>((resolve) => socketServer.close(() => resolve()));
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	};
}

/** ComfyUI's validation, the parts a test can trip: LoadImage must name an uploaded file, and `forced` refuses the checkpoint. */
function validate(workflow: QueuedPrompt['workflow'], inputs: Map<string, Uint8Array>, forced: boolean): Record<string, unknown> {
	const errors: Record<string, unknown> = {};
	for (const [id, node] of Object.entries(workflow)) {
		const nodeError = (type: string, message: string, details: string) => {
			errors[id] = { errors: [{ type, message, details, extra_info: {} }], dependent_outputs: [], class_type: node?.class_type };
		};
		if (typeof node?.class_type !== 'string') nodeError('invalid_prompt', 'Node has no class_type', '');
		else if (node.class_type === 'LoadImage' && !inputs.has(String(node.inputs?.image)))
			nodeError('custom_validation_failed', 'Failed to validate prompt for output', `Invalid image file: ${String(node.inputs?.image)}`);
		else if (forced && node.class_type === 'CheckpointLoaderSimple') {
			nodeError('value_not_in_list', 'Value not in list', `ckpt_name: '${String(node.inputs?.ckpt_name)}' not in ['sd_xl_base_1.0.safetensors']`);
		}
	}
	return errors;
}

function nodeOf(workflow: QueuedPrompt['workflow'], classType: string): string | undefined {
	return Object.entries(workflow).find(([, node]) => node?.class_type === classType)?.[0];
}

/** Pictures one run makes: RepeatLatentBatch's amount or EmptyLatentImage's batch_size, else one. */
function batchSizeOf(workflow: QueuedPrompt['workflow']): number {
	for (const node of Object.values(workflow)) {
		const amount = node?.class_type === 'RepeatLatentBatch' ? node.inputs.amount : node?.class_type === 'EmptyLatentImage' ? node.inputs.batch_size : undefined;
		if (typeof amount === 'number' && Number.isInteger(amount) && amount >= 1 && amount <= 64) return amount;
	}
	return 1;
}

/** img2img keeps the sketch's size (read from its PNG header); 512 × 512 otherwise. */
function sketchSize(workflow: QueuedPrompt['workflow'], inputs: Map<string, Uint8Array>): { width: number; height: number } {
	const load = nodeOf(workflow, 'LoadImage');
	const scale = Object.values(workflow).find((node) => node?.class_type === 'ImageScale')?.inputs;
	if (scale && typeof scale.width === 'number' && typeof scale.height === 'number') return { width: scale.width, height: scale.height };
	const bytes = load ? inputs.get(String(workflow[load].inputs.image)) : undefined;
	return (bytes && pngSize(bytes)) ?? { width: 512, height: 512 };
}

function promptTextOf(workflow: QueuedPrompt['workflow']): string {
	const text = Object.values(workflow).find((node) => node?.class_type === 'CLIPTextEncode')?.inputs.text;
	return typeof text === 'string' ? text : '';
}

export function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
	if (bytes.byteLength < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** A PNG of one colour whose hue comes from the prompt and the variation's index. */
function pictureFor(prompt: string, index: number, width: number, height: number): Uint8Array {
	const hue = (createHash('sha256').update(prompt).digest().readUInt16BE(0) + index * 97) % 360;
	const colour = hslToRgb(hue, 0.6, 0.5);
	return encodePng(width, height, 3, () => colour, { level: 1 });
}

function hslToRgb(hue: number, saturation: number, lightness: number): [number, number, number] {
	const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
	const x = chroma * (1 - Math.abs(((hue / 60) % 2) - 1));
	const m = lightness - chroma / 2;
	const [r, g, b] =
		hue < 60 ? [chroma, x, 0] : hue < 120 ? [x, chroma, 0] : hue < 180 ? [0, chroma, x] : hue < 240 ? [0, x, chroma] : hue < 300 ? [x, 0, chroma] : [chroma, 0, x];
	return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}

function pause(execution: Execution, ms: number): Promise<void> {
	return new Promise((resolve) => {
		const timer = setTimeout(done, ms);
		function done() {
			clearTimeout(timer);
			execution.wake = null;
			resolve();
		}
		execution.wake = done;
	});
}

function sendJson(response: ServerResponse, status: number, payload: unknown): void {
	response.writeHead(status, { 'content-type': 'application/json' });
	response.end(JSON.stringify(payload));
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of request) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

async function formDataOf(request: IncomingMessage): Promise<FormData> {
	const body = await readBody(request);
	return new Request('http://comfyui/', { method: 'POST', headers: { 'content-type': request.headers['content-type'] ?? '' }, body: new Uint8Array(body) }).formData();
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
	return Object.fromEntries(Object.entries(value).filter(([key, item]) => item !== undefined && key !== 'port' && key !== 'host')) as Partial<T>;
}

if (import.meta.main) {
	const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' } } });
	const server = await startComfyUiTestServer({ port: Number(values.port), host: values.host });
	console.log(`listening ${server.url}`);
	for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.close().then(() => process.exit(0)));
}
