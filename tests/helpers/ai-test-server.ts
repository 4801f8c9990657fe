// The scriptable core shared by the local OpenAI and Anthropic test servers: a queue of replies
// (one per model request, so one per step of a multi-step run), fallback rules matched against the
// last user message, a record of every request, and the failures a real provider produces.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** A parsed JSON body in a provider's wire format; tests and protocols pick the fields they need. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- reason: the shape is the provider's, checked by its client, not by us
export type WireJson = any;

/** Token counts a reply reports; unset numbers are estimated from the text (≈ 4 characters a token). */
export interface ScriptedUsage {
	inputTokens?: number;
	outputTokens?: number;
}

/** How a streamed reply is paced: pieces of `chunkSize` characters with `delayMs` between them. */
export interface StreamPacing {
	chunkSize?: number;
	delayMs?: number;
}

export interface ScriptedToolCall {
	name: string;
	/** An object is sent as JSON; a string is sent exactly as written (use it for malformed arguments). */
	arguments: Record<string, unknown> | string;
	id?: string;
}

export type ScriptedReply =
	| ({ kind: 'text'; text: string; usage?: ScriptedUsage } & StreamPacing)
	| ({ kind: 'tool-calls'; calls: ScriptedToolCall[]; text?: string; usage?: ScriptedUsage } & StreamPacing)
	/** An HTTP error in the provider's own error format; 401 reads as an invalid key, 429 carries `retry-after`. */
	| { kind: 'http-error'; status: number; message?: string; retryAfterSeconds?: number }
	/** Accepts the request and never answers; the request is recorded as aborted when the client gives up. */
	| { kind: 'hang' }
	/** Streams part of `text`, then cuts the connection (`destroy`, the default) or ends the body without finishing the message (`end`). */
	| ({ kind: 'cut'; text: string; afterChunks?: number; how?: 'destroy' | 'end' } & StreamPacing);

/**
 * A fallback used when the queue is empty: `match` is tested against the last user message's text.
 * An array of replies is indexed by the step: how many assistant turns follow that user message
 * (0 for the first request of a run, 1 after the first tool results, …); past its end the reply is "Done.".
 */
export interface ReplyRule {
	match: RegExp | string;
	/** RegExp flags when `match` is a string (as in a JSON rules file). */
	flags?: string;
	reply: ScriptedReply | ScriptedReply[];
}

export interface AiTestServerOptions {
	/** When set, any other key is refused with 401. */
	apiKey?: string;
	/** Model ids the server knows (listed by GET /v1/models); a request for another id gets 404. Unset: every id is accepted. */
	models?: string[];
	replies?: ScriptedReply[];
	rules?: ReplyRule[];
	/** Used when neither the queue nor a rule answers; without it such a request gets HTTP 500 "no scripted reply". */
	defaultReply?: ScriptedReply;
	port?: number;
	host?: string;
}

export interface RecordedRequest {
	method: string;
	path: string;
	headers: Record<string, string | string[] | undefined>;
	/** The API key the client sent (`Authorization: Bearer …` or `x-api-key`). */
	apiKey: string | undefined;
	/** The parsed JSON body (undefined for GET). */
	body: WireJson;
	model: string | undefined;
	stream: boolean;
	/** Whether a streamed answer ends with usage (OpenAI: `stream_options.include_usage`; Anthropic: always). */
	includeUsage: boolean;
	/** System prompt text, joined. */
	system: string;
	lastUserText: string;
	/** Names of the tools the request offered. */
	toolNames: string[];
	/** Assistant turns after the last user message: the step of a multi-step run. */
	step: number;
	/** Which reply answered it (undefined for non-generation routes). */
	reply: ScriptedReply | undefined;
	/** True when the client closed the connection before the server finished answering. */
	aborted: boolean;
}

export interface AiTestServer {
	/** http://127.0.0.1:port */
	url: string;
	/** `url + '/v1'`: what the AI SDK providers take as `baseURL`. */
	baseURL: string;
	port: number;
	requests: RecordedRequest[];
	/** Generation requests only (not GET /v1/models). */
	generations(): RecordedRequest[];
	enqueue(...replies: ScriptedReply[]): void;
	/** Replies still queued. */
	queued(): number;
	setRules(rules: ReplyRule[]): void;
	/** Resolves once `count` generation requests have arrived. */
	waitForGenerations(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
	/** Resolves once `predicate` holds, polling every 20 ms. */
	waitUntil(predicate: () => boolean, timeoutMs?: number): Promise<void>;
	close(): Promise<void>;
}

/** What a request means, read by the protocol from its own wire format. */
export interface ParsedGeneration {
	model: string | undefined;
	stream: boolean;
	includeUsage: boolean;
	system: string;
	lastUserText: string;
	toolNames: string[];
	step: number;
}

/** The answer the core hands to a protocol once the script has chosen it. */
export interface Answer {
	text: string;
	toolCalls: { id: string; name: string; arguments: string }[];
	inputTokens: number;
	outputTokens: number;
	pacing: Required<StreamPacing>;
}

/** One wire protocol (OpenAI chat completions or Anthropic Messages). */
export interface Protocol {
	generationPath: string;
	toolCallIdPrefix: string;
	apiKey(request: IncomingMessage): string | undefined;
	parse(body: WireJson): ParsedGeneration;
	sendError(response: ServerResponse, status: number, message: string, headers?: Record<string, string>): void;
	sendModels(response: ServerResponse, models: string[]): void;
	sendJson(response: ServerResponse, answer: Answer, parsed: ParsedGeneration): void;
	/** Streams the answer; `cut` stops after that many text pieces and returns without finishing the message. */
	stream(writer: SseWriter, answer: Answer, parsed: ParsedGeneration, cut?: number): Promise<void>;
	/** Default message for a scripted HTTP error status. */
	errorMessage(status: number, apiKey: string | undefined, model: string | undefined): string;
}

/** Writes server-sent events, paced, and stops quietly once the client is gone. */
export class SseWriter {
	readonly response: ServerResponse;
	readonly delayMs: number;
	constructor(response: ServerResponse, delayMs: number) {
		this.response = response;
		this.delayMs = delayMs;
	}
	get closed(): boolean {
		return this.response.destroyed || this.response.writableEnded;
	}
	async event(data: unknown, eventName?: string): Promise<void> {
		if (this.closed) return;
		const payload = typeof data === 'string' ? data : JSON.stringify(data);
		// Waiting for the write to reach the socket keeps pacing honest and lets a cut happen after what was sent.
		await new Promise<void>((resolve) => this.response.write(`${eventName ? `event: ${eventName}\n` : ''}data: ${payload}\n\n`, () => resolve()));
		if (this.delayMs > 0) await sleep(this.delayMs);
	}
}

export const DEFAULT_CHUNK_SIZE = 4;
/** Tool arguments always arrive in several pieces, like a real model's. */
export const TOOL_ARGUMENT_CHUNK_SIZE = 7;

export function splitIntoPieces(text: string, size: number): string[] {
	const pieces: string[] = [];
	for (let start = 0; start < text.length; start += Math.max(1, size)) pieces.push(text.slice(start, start + Math.max(1, size)));
	return pieces;
}

export function estimateTokens(text: string): number {
	return Math.max(1, Math.ceil(text.length / 4));
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

function ruleMatches(rule: ReplyRule, text: string): boolean {
	const pattern = typeof rule.match === 'string' ? new RegExp(rule.match, rule.flags) : rule.match;
	pattern.lastIndex = 0;
	return pattern.test(text);
}

function replyForStep(reply: ScriptedReply | ScriptedReply[], step: number): ScriptedReply {
	if (!Array.isArray(reply)) return reply;
	return reply[step] ?? { kind: 'text', text: 'Done.' };
}

function readBody(request: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		let body = '';
		request.setEncoding('utf8');
		request.on('data', (chunk: string) => (body += chunk));
		request.on('end', () => resolve(body));
		request.on('error', reject);
	});
}

let idCounter = 0;
export function nextId(prefix: string): string {
	idCounter += 1;
	return `${prefix}${Date.now().toString(36)}${idCounter.toString(36).padStart(4, '0')}`;
}

export async function startAiTestServer(protocol: Protocol, options: AiTestServerOptions = {}): Promise<AiTestServer> {
	const queue: ScriptedReply[] = [...(options.replies ?? [])];
	let rules: ReplyRule[] = [...(options.rules ?? [])];
	const requests: RecordedRequest[] = [];
	const knownModels = options.models;

	function chooseReply(parsed: ParsedGeneration): ScriptedReply | undefined {
		const queued = queue.shift();
		if (queued) return queued;
		const rule = rules.find((candidate) => ruleMatches(candidate, parsed.lastUserText));
		if (rule) return replyForStep(rule.reply, parsed.step);
		return options.defaultReply;
	}

	function answerFor(reply: Extract<ScriptedReply, { kind: 'text' | 'tool-calls' | 'cut' }>, parsed: ParsedGeneration, rawBody: string): Answer {
		const text = reply.text ?? '';
		const toolCalls = (reply.kind === 'tool-calls' ? reply.calls : []).map((call) => ({
			id: call.id ?? nextId(protocol.toolCallIdPrefix),
			name: call.name,
			arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments)
		}));
		const usage = reply.kind === 'cut' ? undefined : reply.usage;
		const outputText = text + toolCalls.map((call) => call.name + call.arguments).join('');
		return {
			text,
			toolCalls,
			inputTokens: usage?.inputTokens ?? estimateTokens(rawBody),
			outputTokens: usage?.outputTokens ?? estimateTokens(outputText),
			pacing: { chunkSize: reply.chunkSize ?? DEFAULT_CHUNK_SIZE, delayMs: reply.delayMs ?? 0 }
		};
	}

	async function handleGeneration(response: ServerResponse, record: RecordedRequest, rawBody: string): Promise<void> {
		let body: WireJson;
		try {
			body = JSON.parse(rawBody);
		} catch {
			return protocol.sendError(response, 400, 'The request body is not valid JSON.');
		}
		const parsed = protocol.parse(body);
		Object.assign(record, { body, ...parsed });
		if (options.apiKey !== undefined && record.apiKey !== options.apiKey) {
			return protocol.sendError(response, 401, protocol.errorMessage(401, record.apiKey, parsed.model));
		}
		if (knownModels && (!parsed.model || !knownModels.includes(parsed.model))) {
			return protocol.sendError(response, 404, protocol.errorMessage(404, record.apiKey, parsed.model));
		}
		const reply = chooseReply(parsed);
		record.reply = reply;
		if (!reply) return protocol.sendError(response, 500, `No scripted reply for: ${parsed.lastUserText.slice(0, 200)}`);
		if (reply.kind === 'http-error') {
			const headers: Record<string, string> = reply.retryAfterSeconds !== undefined ? { 'retry-after': String(reply.retryAfterSeconds) } : {};
			return protocol.sendError(response, reply.status, reply.message ?? protocol.errorMessage(reply.status, record.apiKey, parsed.model), headers);
		}
		if (reply.kind === 'hang') return; // the response stays open until the client aborts or the server closes
		const answer = answerFor(reply, parsed, rawBody);
		if (!parsed.stream) {
			if (reply.kind !== 'cut') return protocol.sendJson(response, answer, parsed);
			response.writeHead(200, { 'content-type': 'application/json' });
			response.write('{"id":"cut-short","choices":[');
			if ((reply.how ?? 'destroy') === 'destroy') response.socket?.destroy();
			else response.end();
			return;
		}
		response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
		response.flushHeaders();
		const writer = new SseWriter(response, answer.pacing.delayMs);
		if (reply.kind === 'cut') {
			const pieces = splitIntoPieces(answer.text, answer.pacing.chunkSize).length;
			await protocol.stream(writer, answer, parsed, reply.afterChunks ?? Math.max(1, Math.floor(pieces / 2)));
			await sleep(20); // let the client read what was sent before the connection goes
			if ((reply.how ?? 'destroy') === 'destroy') response.socket?.destroy();
			else response.end();
			return;
		}
		await protocol.stream(writer, answer, parsed);
		if (!writer.closed) response.end();
	}

	const server: Server = createServer((request, response) => {
		const path = new URL(request.url ?? '/', 'http://localhost').pathname;
		const record: RecordedRequest = {
			method: request.method ?? 'GET',
			path,
			headers: { ...request.headers },
			apiKey: protocol.apiKey(request),
			body: undefined,
			model: undefined,
			stream: false,
			includeUsage: false,
			system: '',
			lastUserText: '',
			toolNames: [],
			step: 0,
			reply: undefined,
			aborted: false
		};
		requests.push(record);
		response.on('close', () => {
			if (!response.writableFinished) record.aborted = true;
		});
		readBody(request)
			.then(async (rawBody) => {
				if (request.method === 'POST' && path === protocol.generationPath) return handleGeneration(response, record, rawBody);
				if (request.method === 'GET' && path === '/v1/models') {
					if (options.apiKey !== undefined && record.apiKey !== options.apiKey)
						return protocol.sendError(response, 401, protocol.errorMessage(401, record.apiKey, undefined));
					return protocol.sendModels(response, knownModels ?? []);
				}
				protocol.sendError(response, 404, `Unknown route ${request.method} ${path}`);
			})
			.catch((error: unknown) => {
				if (!response.headersSent) protocol.sendError(response, 500, String(error));
				else response.destroy();
			});
	});
	await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
	const port = (server.address() as { port: number }).port;
	const url = `http://${options.host ?? '127.0.0.1'}:${port}`;

	const generations = () => requests.filter((record) => record.method === 'POST' && record.path === protocol.generationPath);
	async function waitUntil(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (!predicate()) {
			if (Date.now() > deadline) throw new Error(`AI test server: condition not met within ${timeoutMs} ms`);
			await sleep(20);
		}
	}

	return {
		url,
		baseURL: `${url}/v1`,
		port,
		requests,
		generations,
		enqueue: (...replies) => void queue.push(...replies),
		queued: () => queue.length,
		setRules: (next) => void (rules = [...next]),
		waitUntil,
		async waitForGenerations(count, timeoutMs = 5000) {
			await waitUntil(() => generations().length >= count, timeoutMs);
			return generations();
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections(); // ends hanging replies too
				server.close(() => resolve());
			})
	};
}

/** Text of a message's content in either format: a string, or parts with `type: 'text'`. */
export function contentText(content: unknown): string {
	if (typeof content === 'string') return content;
	if (!Array.isArray(content)) return '';
	return content
		.filter((part): part is { type: 'text'; text: string } => part?.type === 'text' && typeof part.text === 'string')
		.map((part) => part.text)
		.join('');
}
