// The typed client: every call is an operation of Easel's OpenAPI document (src/openapi.ts is
// generated from it by `npm run generate -w @easel/sdk`), so a renamed field is a type error here.
import createFetchClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './openapi.ts';
import { EaselError } from './errors.ts';
import { openLiveCanvas, type LiveCanvas, type LiveCanvasOptions } from './live.ts';

export type Schemas = components['schemas'];

export interface EaselOptions {
	/** The server's origin, e.g. `https://easel.example.com` (a path before /api/v1 is kept). */
	baseUrl: string;
	/** An API key (`easel_…`, from team settings) or a session token. */
	token: string;
	/** A fetch of your own (proxies, tests); the global one by default. */
	fetch?: typeof fetch;
}

type ApiClient = Client<paths>;
type Answer<T> = Promise<{ data?: T; error?: unknown; response: Response }>;

/** The answer's body, or the EaselError it carries. */
async function unwrap<T>(call: Answer<T>): Promise<T> {
	const { data, error, response } = await call;
	if (!response.ok || error !== undefined) throw EaselError.from(response, error);
	return data as T;
}

export type ConversationMessageInput = paths['/conversations/{cid}/messages']['post']['requestBody']['content']['application/json'];
export type ConversationInput = paths['/canvases/{id}/conversations']['post']['requestBody']['content']['application/json'];
export type CompleteInput = NonNullable<paths['/conversations/{cid}/messages/{mid}/complete']['post']['requestBody']>['content']['application/json'];
export type StartRunInput = paths['/canvases/{id}/assistant/runs']['post']['requestBody']['content']['application/json'];

/** Easel's API for one caller. Create it with `createEasel({ baseUrl, token })`. */
export class Easel {
	readonly http: ApiClient;
	private readonly origin: string;
	private readonly token: string;

	constructor(options: EaselOptions) {
		this.origin = options.baseUrl.replace(/\/+$/, '');
		this.token = options.token;
		this.http = createFetchClient<paths>({
			baseUrl: `${this.origin}/api/v1`,
			headers: { authorization: `Bearer ${options.token}` },
			...(options.fetch ? { fetch: options.fetch } : {})
		});
	}

	readonly canvases = {
		/** The canvases of a team (an API key's own team by default). */
		list: async (options: { teamId?: string } = {}) => (await unwrap(this.http.GET('/canvases', { params: { query: options } }))).canvases,
		get: (canvasId: string) => unwrap(this.http.GET('/canvases/{id}', { params: { path: { id: canvasId } } })),
		create: (input: { title?: string; teamId?: string } = {}) => unwrap(this.http.POST('/canvases', { body: input })),
		rename: (canvasId: string, title: string) => unwrap(this.http.PATCH('/canvases/{id}', { params: { path: { id: canvasId } }, body: { title } })),
		delete: async (canvasId: string) => {
			await unwrap(this.http.DELETE('/canvases/{id}', { params: { path: { id: canvasId } } }));
		}
	};

	readonly versions = {
		list: (canvasId: string) => unwrap(this.http.GET('/canvases/{id}/versions', { params: { path: { id: canvasId } } })),
		/** Saves the canvas as it is now as a named version. */
		save: (canvasId: string, label: string) => unwrap(this.http.POST('/canvases/{id}/versions', { params: { path: { id: canvasId } }, body: { label } })),
		/** Restores a version as a forward change (history is kept); answers the restore marker. */
		restore: (canvasId: string, versionId: string) =>
			unwrap(this.http.POST('/canvases/{id}/versions/{versionId}/restore', { params: { path: { id: canvasId, versionId } } }))
	};

	readonly shareLinks = {
		list: async (canvasId: string) => (await unwrap(this.http.GET('/canvases/{id}/share-links', { params: { path: { id: canvasId } } }))).shareLinks,
		create: (canvasId: string, input: paths['/canvases/{id}/share-links']['post']['requestBody']['content']['application/json']) =>
			unwrap(this.http.POST('/canvases/{id}/share-links', { params: { path: { id: canvasId } }, body: input })),
		revoke: async (shareLinkId: string) => {
			await unwrap(this.http.DELETE('/share-links/{id}', { params: { path: { id: shareLinkId } } }));
		}
	};

	readonly conversations = {
		/**
		 * Pushes a conversation (OpenAI chat or Anthropic messages format, as they are). With
		 * `externalId` it is idempotent: the same conversation comes back, nothing is duplicated.
		 */
		create: async (canvasId: string, input: ConversationInput) =>
			(await unwrap(this.http.POST('/canvases/{id}/conversations', { params: { path: { id: canvasId } }, body: input }))).conversation,
		list: async (canvasId: string) => (await unwrap(this.http.GET('/canvases/{id}/conversations', { params: { path: { id: canvasId } } }))).conversations,
		/** The tree: every message with its `parentId` and `retryOf`. */
		get: async (conversationId: string) => (await unwrap(this.http.GET('/conversations/{cid}', { params: { path: { cid: conversationId } } }))).conversation,
		/** Appends a message; a second child of one parent is a branch, `retryOf` makes a retry. */
		append: async (conversationId: string, message: ConversationMessageInput) =>
			(await unwrap(this.http.POST('/conversations/{cid}/messages', { params: { path: { cid: conversationId } }, body: message }))).message,
		/** Appends one delta to a streaming message's text. */
		write: async (conversationId: string, messageId: string, delta: string) => {
			await unwrap(this.http.POST('/conversations/{cid}/messages/{mid}/stream', { params: { path: { cid: conversationId, mid: messageId } }, body: { delta } }));
		},
		/**
		 * Sends deltas as one streaming `text/plain` request: each reaches the canvas as it is
		 * produced. Pass your model's stream (any iterable or async iterable of strings).
		 */
		pipe: (conversationId: string, messageId: string, deltas: AsyncIterable<string> | Iterable<string>) => this.pipeDeltas(conversationId, messageId, deltas),
		complete: async (conversationId: string, messageId: string, input: CompleteInput = {}) =>
			(await unwrap(this.http.POST('/conversations/{cid}/messages/{mid}/complete', { params: { path: { cid: conversationId, mid: messageId } }, body: input })))
				.message,
		/**
		 * Relays a model's streamed answer: appends a streaming message, pipes the deltas, and
		 * completes it with the latency measured here. Answers the completed message.
		 */
		streamResponse: async (
			conversationId: string,
			message: Omit<ConversationMessageInput, 'content' | 'status'> & { role?: ConversationMessageInput['role'] },
			deltas: AsyncIterable<string> | Iterable<string>,
			completion: CompleteInput = {}
		) => {
			const started = performance.now();
			const opened = await this.conversations.append(conversationId, { role: 'assistant', ...message, content: '', status: 'streaming' });
			await this.pipeDeltas(conversationId, opened.id, deltas);
			return this.conversations.complete(conversationId, opened.id, { latencyMs: Math.round(performance.now() - started), ...completion });
		}
	};

	readonly assistant = {
		/** Starts an assistant run on a canvas (needs the `assistant:run` scope); it streams into the chat. */
		run: (canvasId: string, input: StartRunInput) => unwrap(this.http.POST('/canvases/{id}/assistant/runs', { params: { path: { id: canvasId } }, body: input })),
		get: async (canvasId: string, runId: string) =>
			(await unwrap(this.http.GET('/canvases/{id}/assistant/runs/{runId}', { params: { path: { id: canvasId, runId } } }))).run,
		cancel: async (canvasId: string, runId: string) =>
			(await unwrap(this.http.POST('/canvases/{id}/assistant/runs/{runId}/cancel', { params: { path: { id: canvasId, runId } } }))).run,
		/** Polls until the run has finished (succeeded, failed or cancelled); answers it. */
		wait: async (canvasId: string, runId: string, options: { intervalMs?: number; timeoutMs?: number } = {}) => {
			const deadline = Date.now() + (options.timeoutMs ?? 120_000);
			for (;;) {
				const run = await this.assistant.get(canvasId, runId);
				if (run.status !== 'queued' && run.status !== 'running') return run;
				if (Date.now() > deadline) throw new EaselError(408, 'TIMEOUT', `The run was still ${run.status} after ${options.timeoutMs ?? 120_000} ms.`);
				await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
			}
		}
	};

	/**
	 * The canvas as a live Yjs document, kept in sync through the Hocuspocus provider: read its
	 * `records` map (tldraw records by id) and watch it change. Resolves once synced; close it when done.
	 */
	live(canvasId: string, options: LiveCanvasOptions = {}): Promise<LiveCanvas> {
		return openLiveCanvas(this.origin, this.token, canvasId, options);
	}

	private async pipeDeltas(conversationId: string, messageId: string, deltas: AsyncIterable<string> | Iterable<string>): Promise<void> {
		const encoder = new TextEncoder();
		const source = (async function* () {
			for await (const delta of deltas) if (delta) yield encoder.encode(delta);
		})();
		const body = new ReadableStream<Uint8Array>({
			async pull(controller) {
				const next = await source.next();
				if (next.done) controller.close();
				else controller.enqueue(next.value);
			}
		});
		const url = `${this.origin}/api/v1/conversations/${encodeURIComponent(conversationId)}/messages/${encodeURIComponent(messageId)}/stream`;
		// reason: Node's fetch needs `duplex: 'half'` to send a streaming body; the DOM's RequestInit type does not know it yet.
		const init = { method: 'POST', headers: { authorization: `Bearer ${this.token}`, 'content-type': 'text/plain; charset=utf-8' }, body, duplex: 'half' } as RequestInit;
		const response = await fetch(url, init);
		const text = await response.text();
		if (!response.ok) throw EaselError.from(response, text ? safeJson(text) : null);
	}
}

function safeJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return null;
	}
}

/** A client for one caller: `createEasel({ baseUrl: 'https://easel.example.com', token: process.env.EASEL_API_KEY })`. */
export function createEasel(options: EaselOptions): Easel {
	if (!/^https?:\/\//.test(options.baseUrl)) throw new TypeError(`baseUrl must be an http(s) URL, not ${JSON.stringify(options.baseUrl)}`);
	if (!options.token) throw new TypeError('token is required: an API key (easel_…) or a session token');
	return new Easel(options);
}
