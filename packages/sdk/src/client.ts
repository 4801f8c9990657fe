// createEasel(): the typed client, one namespace per part of the API, on openapi-fetch and the generated `paths`.
import createClient from 'openapi-fetch';
import type { components, paths } from './openapi.ts';
import { errorFromBody, errorFromResponse, retryingFetch, type RetryOptions } from './errors.ts';
import { connectLive, type LiveCanvas, type LiveOptions } from './live.ts';

export interface EaselOptions {
	/** The Easel server, e.g. `https://easel.example.com` (no `/api/v1`). */
	baseUrl: string;
	/** An API key (`easel_…`, from team settings) or a session token; sent as `Authorization: Bearer`. */
	token: string;
	/** The fetch to send requests with; `globalThis.fetch` by default. */
	fetch?: (request: Request) => Promise<Response>;
	/** How 429 answers are retried (honouring Retry-After); `false` throws the first one. Default: up to 3 retries. */
	retry?: RetryOptions | false;
}

/** The JSON body an operation takes. */
type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

type Schemas = components['schemas'];
export type Canvas = Schemas['Canvas'];
export type TrashedCanvas = Schemas['TrashedCanvas'];
/** A canvas as `canvases.list` answers it: with the caller's star and, when searching, the `match` excerpt. */
export type LibraryCanvas = Schemas['LibraryCanvas'];
export type Folder = Schemas['Folder'];
/** What `canvases.list` takes: `teamId`, a search `q`, `sort`, `folderId` (or `none`), `starred`. */
export type ListCanvasesQuery = NonNullable<paths['/api/v1/canvases']['get']['parameters']['query']>;
export type CanvasDetail = Schemas['CanvasDetail'];
export type CanvasDocument = Schemas['CanvasDocument'];
export type Version = Schemas['Version'];
export type VersionWithRecords = Schemas['VersionWithRecords'];
export type ShareLink = Schemas['ShareLink'];
/** What `conversations.push` takes: `{ externalId?, title?, system?, messages }`, messages in OpenAI or Anthropic format. */
export type PushConversationInput = Schemas['IngestConversationRequest'];
/** What `conversations.append` takes: a role, content, tool calls, and where in the tree it goes. */
export type AppendMessageInput = Schemas['AppendMessageRequest'];
export type ConversationSummary = Schemas['ConversationSummary'];
export type Conversation = Schemas['Conversation'];
export type Message = Schemas['Message'];
export type AssistantRun = Schemas['AssistantRun'];
export type StartedRun = Schemas['StartedRun'];
export type ReviewResult = Schemas['ReviewResult'];

type StreamAnswer = paths['/api/v1/conversations/{conversationId}/messages/{messageId}/stream']['post']['responses'][200]['content']['application/json'];

/** A text source for `streamResponse`: the model's deltas as they come. */
export type TextSource = AsyncIterable<string> | Iterable<string> | ReadableStream<string> | ReadableStream<Uint8Array>;

/** The data of a success; an EaselError for anything else. */
function unwrap<R extends { data?: unknown; error?: unknown; response: Response }>(result: R): Exclude<R['data'], undefined> {
	if (!result.response.ok) throw errorFromBody(result.response, result.error);
	return result.data as Exclude<R['data'], undefined>;
}

/** For operations that answer 204: nothing, or an EaselError. */
function noContent(result: { error?: unknown; response: Response }): void {
	if (!result.response.ok) throw errorFromBody(result.response, result.error);
}

/**
 * A client for one Easel server acting with one token. Every method resolves with the parsed
 * answer and rejects with an EaselError carrying the server's status, code and message.
 */
export function createEasel(options: EaselOptions) {
	if (!options.baseUrl || !/^https?:\/\//.test(options.baseUrl))
		throw new TypeError(`baseUrl must be an http(s) URL, e.g. http://localhost:5173 (got ${JSON.stringify(options.baseUrl)})`);
	if (!options.token) throw new TypeError('token is required: an API key (easel_…) from team settings, or a session token');
	const baseUrl = options.baseUrl.replace(/\/+$/, '');
	const plainFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
	const fetch = options.retry === false ? plainFetch : retryingFetch(plainFetch, options.retry);
	const authorization = `Bearer ${options.token}`;
	const client = createClient<paths>({ baseUrl, fetch, headers: { authorization, accept: 'application/json' } });

	const canvases = {
		/**
		 * The canvases of a team (the token's personal team when `teamId` is omitted), most recently edited
		 * first; `q` searches titles and the text on them (best match first), `folderId` and `starred` narrow it.
		 */
		list: async (query: ListCanvasesQuery = {}) => unwrap(await client.GET('/api/v1/canvases', { params: { query } })).canvases,
		/** One canvas with the caller's `role` and `canEdit`. */
		get: async (id: string) => unwrap(await client.GET('/api/v1/canvases/{id}', { params: { path: { id } } })),
		create: async (input: Body<'/api/v1/canvases', 'post'> = {}) => unwrap(await client.POST('/api/v1/canvases', { body: input })),
		rename: async (id: string, title: string) => unwrap(await client.PATCH('/api/v1/canvases/{id}', { params: { path: { id } }, body: { title } })),
		/** Moves the canvas to its team's trash (restorable for 30 days; open sockets close): `{ id, deletedAt, purgeAt }`. */
		delete: async (id: string) => unwrap(await client.DELETE('/api/v1/canvases/{id}', { params: { path: { id }, query: {} } })).canvas,
		/** Deletes the canvas for good, from the trash or not, with its history (admins and owners; not with an API key). */
		deleteForever: async (id: string) => noContent(await client.DELETE('/api/v1/canvases/{id}', { params: { path: { id }, query: { permanent: 'true' } } })),
		/** Brings the canvas back from the trash with its content and history; its share links stay revoked. */
		restore: async (id: string) => unwrap(await client.POST('/api/v1/canvases/{id}/restore', { params: { path: { id } } })),
		/** The canvases in a team's trash, most recently deleted first. */
		trash: async (teamId: string) => unwrap(await client.GET('/api/v1/teams/{teamId}/trash', { params: { path: { teamId } } })).canvases,
		/** Files the canvas in one of its team's folders; `null` takes it out of its folder. */
		file: async (id: string, folderId: string | null) => unwrap(await client.PATCH('/api/v1/canvases/{id}', { params: { path: { id } }, body: { folderId } })),
		/** A copy of the canvas as it is now, in the same team. */
		duplicate: async (id: string) => unwrap(await client.POST('/api/v1/canvases/{id}/duplicate', { params: { path: { id } } })),
		/** The canvas content as JSON: `{ id, title, records }`, tldraw records keyed by id, as collaborators see them now. */
		document: async (id: string) => unwrap(await client.GET('/api/v1/canvases/{id}/document', { params: { path: { id } } }))
	};

	const folders = {
		/** The team's library folders, by name, with how many canvases each holds. */
		list: async (teamId: string) => unwrap(await client.GET('/api/v1/teams/{teamId}/folders', { params: { path: { teamId } } })).folders,
		create: async (teamId: string, name: string) => unwrap(await client.POST('/api/v1/teams/{teamId}/folders', { params: { path: { teamId } }, body: { name } })),
		rename: async (id: string, name: string) => unwrap(await client.PATCH('/api/v1/folders/{id}', { params: { path: { id } }, body: { name } })),
		/** Deletes the folder; its canvases go back to the top level (none is deleted). */
		delete: async (id: string) => noContent(await client.DELETE('/api/v1/folders/{id}', { params: { path: { id } } }))
	};

	const versions = {
		/** `{ versions, historyDays }`, newest first; versions older than the plan keeps are `locked`. */
		list: async (canvasId: string) => unwrap(await client.GET('/api/v1/canvases/{id}/versions', { params: { path: { id: canvasId } } })),
		/** Saves the canvas as it is now under `label`. */
		save: async (canvasId: string, label: string) => unwrap(await client.POST('/api/v1/canvases/{id}/versions', { params: { path: { id: canvasId } }, body: { label } })),
		/** A version with its tldraw `records` (nothing changes). */
		get: async (canvasId: string, versionId: string) =>
			unwrap(await client.GET('/api/v1/canvases/{id}/versions/{versionId}', { params: { path: { id: canvasId, versionId } } })),
		/** Restores the version as a forward change everyone sees; resolves with the `restore` version it recorded. */
		restore: async (canvasId: string, versionId: string) =>
			unwrap(await client.POST('/api/v1/canvases/{id}/versions/{versionId}/restore', { params: { path: { id: canvasId, versionId } } }))
	};

	const shareLinks = {
		list: async (canvasId: string) => unwrap(await client.GET('/api/v1/canvases/{id}/share-links', { params: { path: { id: canvasId } } })).shareLinks,
		/** A new link; its `token` and `url` are in this answer only. */
		create: async (canvasId: string, input: Body<'/api/v1/canvases/{id}/share-links', 'post'>) =>
			unwrap(await client.POST('/api/v1/canvases/{id}/share-links', { params: { path: { id: canvasId } }, body: input })),
		/** Revokes the link; sockets opened through it are closed at once. */
		revoke: async (linkId: string) => noContent(await client.DELETE('/api/v1/share-links/{id}', { params: { path: { id: linkId } } }))
	};

	const conversations = {
		/**
		 * Pushes a conversation (OpenAI chat or Anthropic messages, as they are) onto a canvas. With
		 * `externalId` it is idempotent: the same id answers the same conversation (`created: false`).
		 */
		push: async (canvasId: string, input: Body<'/api/v1/canvases/{id}/conversations', 'post'>) => {
			const result = await client.POST('/api/v1/canvases/{id}/conversations', { params: { path: { id: canvasId } }, body: input });
			return { ...unwrap(result).conversation, created: result.response.status === 201 };
		},
		/** Adds a message under the latest one (or `parentId`; `retryOf` makes a retry). With no content it is open for streaming. */
		append: async (conversationId: string, message: Body<'/api/v1/conversations/{conversationId}/messages', 'post'>) =>
			unwrap(await client.POST('/api/v1/conversations/{conversationId}/messages', { params: { path: { conversationId } }, body: message })).message,
		/** Appends one delta to a streaming message; `{ id, status, textLength }`. */
		streamDelta: async (conversationId: string, messageId: string, delta: string) =>
			unwrap(
				await client.POST('/api/v1/conversations/{conversationId}/messages/{messageId}/stream', {
					params: { path: { conversationId, messageId } },
					body: { delta }
				})
			).message,
		/**
		 * Sends `source`'s text as one chunked text/plain body: each chunk reaches the canvas as it is
		 * produced. Resolves with `{ id, status, textLength }` once the source ends. Not retried.
		 */
		streamResponse: async (conversationId: string, messageId: string, source: TextSource) => {
			const url = `${baseUrl}/api/v1/conversations/${encodeURIComponent(conversationId)}/messages/${encodeURIComponent(messageId)}/stream`;
			// reason: `duplex` (required by fetch for a streamed body) is missing from the DOM lib's RequestInit.
			const request = new Request(url, {
				method: 'POST',
				headers: { authorization, accept: 'application/json', 'content-type': 'text/plain; charset=utf-8' },
				body: textStream(source),
				duplex: 'half'
			} as RequestInit);
			const response = await plainFetch(request);
			if (!response.ok) throw await errorFromResponse(response);
			return ((await response.json()) as StreamAnswer).message;
		},
		/** Completes a streaming message (optionally with usage, latency, cost); the canvas holds its whole text when this resolves. */
		complete: async (conversationId: string, messageId: string, input: Body<'/api/v1/conversations/{conversationId}/messages/{messageId}/complete', 'post'> = {}) =>
			unwrap(
				await client.POST('/api/v1/conversations/{conversationId}/messages/{messageId}/complete', {
					params: { path: { conversationId, messageId } },
					body: input
				})
			).message,
		/** The conversation as a tree: `rootIds` and every message with `parentId` and `childIds`. */
		get: async (conversationId: string) => unwrap(await client.GET('/api/v1/conversations/{conversationId}', { params: { path: { conversationId } } })).conversation,
		/** The canvas's conversations (summaries). */
		list: async (canvasId: string) => unwrap(await client.GET('/api/v1/canvases/{id}/conversations', { params: { path: { id: canvasId } } })).conversations
	};

	const assistant = {
		/** Starts a run (`prompt`, optional `tier`); it works in the background: poll `get` for its status. */
		start: async (canvasId: string, input: Body<'/api/v1/canvases/{id}/assistant/runs', 'post'>) =>
			unwrap(await client.POST('/api/v1/canvases/{id}/assistant/runs', { params: { path: { id: canvasId } }, body: input })).run,
		/** A run's status, cost, usage and changes. */
		get: async (canvasId: string, runId: string) =>
			unwrap(await client.GET('/api/v1/canvases/{id}/assistant/runs/{runId}', { params: { path: { id: canvasId, runId } } })).run,
		/** Stops a queued or running run at once; nothing is charged. */
		cancel: async (canvasId: string, runId: string) =>
			unwrap(await client.POST('/api/v1/canvases/{id}/assistant/runs/{runId}/cancel', { params: { path: { id: canvasId, runId } } })).run,
		/** Accepts the run's changes (all of them when `changeIds` is omitted): `{ accepted, refused }`. */
		accept: async (canvasId: string, runId: string, changeIds?: string[]) =>
			unwrap(
				await client.POST('/api/v1/canvases/{id}/assistant/runs/{runId}/accept', {
					params: { path: { id: canvasId, runId } },
					body: changeIds ? { changeIds } : {}
				})
			),
		/** Undoes the run's changes (all when `changeIds` is omitted) as a forward change: `{ rejected, refused }`; a shape a person edited since is refused. */
		reject: async (canvasId: string, runId: string, changeIds?: string[]) =>
			unwrap(
				await client.POST('/api/v1/canvases/{id}/assistant/runs/{runId}/reject', {
					params: { path: { id: canvasId, runId } },
					body: changeIds ? { changeIds } : {}
				})
			)
	};

	return {
		canvases,
		folders,
		versions,
		shareLinks,
		conversations,
		assistant,
		/** The canvas's Yjs document, kept in sync through the collaboration socket (see LiveCanvas). */
		live: (canvasId: string, liveOptions: LiveOptions = {}): LiveCanvas => connectLive(baseUrl, options.token, canvasId, liveOptions),
		/** The openapi-fetch client underneath, for routes without a method here (typed from the same `paths`). */
		raw: client
	};
}

export type Easel = ReturnType<typeof createEasel>;

/** Any text source as a byte stream for a request body; empty chunks are skipped. */
function textStream(source: TextSource): ReadableStream<Uint8Array> {
	const encoder = new TextEncoder();
	const iterator = (Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : (source as Iterable<string>)[Symbol.iterator]()) as
		AsyncIterator<string | Uint8Array> | Iterator<string | Uint8Array>;
	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			for (;;) {
				const next = await iterator.next();
				if (next.done) return controller.close();
				const bytes = typeof next.value === 'string' ? encoder.encode(next.value) : next.value;
				if (bytes.byteLength === 0) continue;
				controller.enqueue(bytes);
				return;
			}
		},
		async cancel() {
			await iterator.return?.();
		}
	});
}
