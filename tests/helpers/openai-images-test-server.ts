// A local server speaking OpenAI's images edit API (POST /v1/images/edits, multipart; GET /v1/models)
// with a Bearer key, answering real PNGs of one colour derived from the prompt. Scripted failures via
// setBehaviour or, standalone, POST /__control:
//   node tests/helpers/openai-images-test-server.ts --port 0 [--api-key KEY]   → prints `listening <url ending /v1>`
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { encodePng } from '../../src/lib/server/png-encoder.ts';

export type OpenAiImagesFailure = 'none' | 'http500' | 'http429' | 'http400' | 'http401';

export interface OpenAiImagesBehaviour {
	/** How long an edit takes before it is answered. */
	delayMs: number;
	fail: OpenAiImagesFailure;
}

export interface ImageEditRequest {
	model: string | null;
	prompt: string | null;
	n: number | null;
	size: string | null;
	/** Every `image` / `image[]` part's bytes. */
	images: Uint8Array[];
	/** Each image part's Content-Type (OpenAI refuses application/octet-stream). */
	imageTypes: string[];
	apiKey: string | undefined;
}

export interface OpenAiImagesTestServer {
	/** The base URL, ending in /v1. */
	url: string;
	requests: ImageEditRequest[];
	setBehaviour(behaviour: Partial<OpenAiImagesBehaviour>): void;
	close(): Promise<void>;
}

export interface OpenAiImagesTestServerOptions extends Partial<OpenAiImagesBehaviour> {
	port?: number;
	host?: string;
	/** The key it accepts (default `test-image-key`). */
	apiKey?: string;
	models?: string[];
}

export const TEST_IMAGE_API_KEY = 'test-image-key';
const FAILURES: readonly OpenAiImagesFailure[] = ['none', 'http500', 'http429', 'http400', 'http401'];

const ERRORS: Record<number, { message: string; type: string; code: string | null }> = {
	400: { message: 'Your request was rejected as a result of our safety system.', type: 'invalid_request_error', code: 'moderation_blocked' },
	401: {
		message: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
		type: 'invalid_request_error',
		code: 'invalid_api_key'
	},
	429: { message: 'Rate limit reached for images per minute. Please try again in 20s.', type: 'requests', code: 'rate_limit_exceeded' },
	500: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', code: null }
};

export async function startOpenAiImagesTestServer(options: OpenAiImagesTestServerOptions = {}): Promise<OpenAiImagesTestServer> {
	let behaviour: OpenAiImagesBehaviour = { delayMs: 0, fail: 'none' };
	const setBehaviour = (next: Partial<OpenAiImagesBehaviour>) => {
		if (next.fail !== undefined && !FAILURES.includes(next.fail)) throw new Error(`fail must be one of ${FAILURES.join(', ')}`);
		behaviour = { ...behaviour, ...Object.fromEntries(Object.entries(next).filter(([, value]) => value !== undefined)) };
	};
	setBehaviour({ delayMs: options.delayMs, fail: options.fail });
	const apiKey = options.apiKey ?? TEST_IMAGE_API_KEY;
	const models = options.models ?? ['gpt-image-1'];
	const requests: ImageEditRequest[] = [];

	const server = createServer((request, response) => {
		void handle(request, response).catch((error: Error) => {
			if (!response.headersSent) sendError(response, 500, { ...ERRORS[500], message: error.message });
			else response.destroy();
		});
	});

	async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const url = new URL(request.url ?? '/', 'http://images');
		const route = `${request.method} ${url.pathname}`;
		if (route === 'POST /__control') {
			setBehaviour(JSON.parse((await readBody(request)).toString('utf8') || '{}'));
			return sendJson(response, 200, behaviour);
		}
		if (route === 'GET /__control') return sendJson(response, 200, { behaviour, requests: requests.length });
		const header = request.headers.authorization;
		const key = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
		if (route === 'GET /v1/models') {
			if (key !== apiKey) return sendError(response, 401, ERRORS[401]);
			const created = Math.floor(Date.now() / 1000);
			return sendJson(response, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created, owned_by: 'easel-test' })) });
		}
		if (route !== 'POST /v1/images/edits') return sendError(response, 404, { message: `Invalid URL (${route})`, type: 'invalid_request_error', code: null });

		const body = await readBody(request);
		const form = await new Request('http://images/', { method: 'POST', headers: { 'content-type': request.headers['content-type'] ?? '' }, body: new Uint8Array(body) })
			.formData()
			.catch(() => null);
		if (!form) return sendError(response, 400, { message: 'Expected a multipart/form-data body.', type: 'invalid_request_error', code: null });
		const files = [...form.getAll('image'), ...form.getAll('image[]')].filter((part): part is File => part instanceof File);
		const field = (name: string) => (typeof form.get(name) === 'string' ? (form.get(name) as string) : null);
		const edit: ImageEditRequest = {
			model: field('model'),
			prompt: field('prompt'),
			n: field('n') === null ? null : Number(field('n')),
			size: field('size'),
			images: await Promise.all(files.map(async (file) => new Uint8Array(await file.arrayBuffer()))),
			imageTypes: files.map((file) => file.type),
			apiKey: key
		};
		requests.push(edit);
		if (key !== apiKey || behaviour.fail === 'http401') return sendError(response, 401, ERRORS[401]);
		if (behaviour.delayMs > 0 && !(await waitUnlessClosed(request, behaviour.delayMs))) return;
		if (behaviour.fail !== 'none') {
			const status = Number(behaviour.fail.slice('http'.length));
			return sendError(response, status, ERRORS[status], status === 429 ? { 'retry-after': '20' } : {});
		}
		const invalid = (message: string, param: string) => sendError(response, 400, { message, type: 'invalid_request_error', code: null }, {}, param);
		if (!edit.prompt) return invalid("Missing required parameter: 'prompt'.", 'prompt');
		if (edit.images.length === 0) return invalid("Missing required parameter: 'image'.", 'image');
		if (edit.model && !models.includes(edit.model))
			return sendError(response, 404, { message: `The model '${edit.model}' does not exist.`, type: 'invalid_request_error', code: 'model_not_found' });
		const n = edit.n ?? 1;
		if (!Number.isInteger(n) || n < 1 || n > 10) return invalid(`Invalid 'n': integer between 1 and 10 expected, got ${field('n')}.`, 'n');
		const size = sizeOf(edit.size) ?? pngSize(edit.images[0]) ?? { width: 512, height: 512 };
		sendJson(response, 200, {
			created: Math.floor(Date.now() / 1000),
			data: Array.from({ length: n }, (_, index) => ({ b64_json: Buffer.from(pictureFor(edit.prompt ?? '', index, size.width, size.height)).toString('base64') })),
			usage: { input_tokens: 50, output_tokens: 100 * n, total_tokens: 50 + 100 * n, input_tokens_details: { image_tokens: 40, text_tokens: 10 } }
		});
	}

	await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://${options.host ?? '127.0.0.1'}:${port}/v1`,
		requests,
		setBehaviour,
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	};
}

/** Resolves true after `ms`, or false as soon as the client goes away. */
function waitUnlessClosed(request: IncomingMessage, ms: number): Promise<boolean> {
	return new Promise((resolve) => {
		const timer = setTimeout(() => {
			request.socket.off('close', gone);
			resolve(true);
		}, ms);
		const gone = () => {
			clearTimeout(timer);
			resolve(false);
		};
		request.socket.once('close', gone);
	});
}

function sizeOf(size: string | null): { width: number; height: number } | null {
	const match = /^(\d{2,4})x(\d{2,4})$/.exec(size ?? '');
	return match ? { width: Number(match[1]), height: Number(match[2]) } : null;
}

function pngSize(bytes: Uint8Array | undefined): { width: number; height: number } | null {
	if (!bytes || bytes.byteLength < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** A PNG of one colour whose hue comes from the prompt and the variation's index. */
function pictureFor(prompt: string, index: number, width: number, height: number): Uint8Array {
	const hue = (createHash('sha256').update(prompt).digest().readUInt16BE(0) + index * 97) % 360;
	const [r, g, b] = [0, 120, 240].map((offset) => Math.round(127.5 + 100 * Math.cos(((hue + offset) * Math.PI) / 180)));
	return encodePng(width, height, 3, () => [r, g, b], { level: 1 });
}

function sendJson(response: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
	response.writeHead(status, { 'content-type': 'application/json', ...headers });
	response.end(JSON.stringify(payload));
}

function sendError(
	response: ServerResponse,
	status: number,
	error: { message: string; type: string; code: string | null },
	headers: Record<string, string> = {},
	param: string | null = null
): void {
	sendJson(response, status, { error: { ...error, param } }, headers);
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of request) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

if (import.meta.main) {
	const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' }, 'api-key': { type: 'string' } } });
	const server = await startOpenAiImagesTestServer({ port: Number(values.port), host: values.host, apiKey: values['api-key'] });
	console.log(`listening ${server.url}`);
	for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.close().then(() => process.exit(0)));
}
