// Clients for integration tests: the JSON API over fetch and canvases over the official Hocuspocus provider.
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import * as Y from 'yjs';
import { uniqueEmail } from './unique.ts';

export { uniqueEmail };

/** A parsed JSON response body (or the text, when it is not JSON). */
// reason: tests read the fields of whatever the API answered and check them with expect; typing every response would only restate the assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ApiBody = any;

export async function api(
	baseUrl: string,
	path: string,
	options: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {}
): Promise<{ status: number; body: ApiBody; headers: Headers }> {
	const response = await fetch(`${baseUrl}${path}`, {
		method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
		headers: {
			...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
			...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
			...options.headers
		},
		body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
		redirect: 'manual'
	});
	const text = await response.text();
	let body: unknown = text;
	try {
		body = text ? JSON.parse(text) : null;
	} catch {
		// not JSON
	}
	return { status: response.status, body, headers: response.headers };
}

export interface TestUser {
	id: string;
	email: string;
	password: string;
	token: string;
	personalTeamId: string;
}

export async function signUp(baseUrl: string, name = 'Tester'): Promise<TestUser> {
	const email = uniqueEmail(name.toLowerCase());
	const password = 'a long enough password';
	const { status, body } = await api(baseUrl, '/api/v1/auth/signup', { body: { email, password, name } });
	if (status !== 201) throw new Error(`sign-up failed: ${status} ${JSON.stringify(body)}`);
	return { id: body.user.id, email, password, token: body.token, personalTeamId: body.personalTeamId };
}

export async function createCanvas(baseUrl: string, user: TestUser, title = 'Test canvas'): Promise<string> {
	const { status, body } = await api(baseUrl, '/api/v1/canvases', { token: user.token, body: { title } });
	if (status !== 201) throw new Error(`create canvas failed: ${status} ${JSON.stringify(body)}`);
	return body.id;
}

export interface CanvasClient {
	doc: Y.Doc;
	provider: HocuspocusProvider;
	records: Y.Map<unknown>;
	/** Resolves on the first sync; rejects with the refusal reason if authentication fails. */
	synced: Promise<void>;
	readOnly(): boolean;
	destroy(): void;
}

/**
 * Connects a Y.Doc to `canvas:<id>` with a session token, as a program (or a browser tab) would.
 * With `followAccessChanges`, a close with reason ACCESS_CHANGED makes it connect again with a new
 * provider around the same doc and be authorised afresh, as the browser does. `WebSocketPolyfill`
 * lets a test watch the frames (see acknowledgements.ts).
 */
export function connectCanvas(
	wsUrl: string,
	documentName: string,
	token: string,
	doc = new Y.Doc(),
	options: { followAccessChanges?: boolean; WebSocketPolyfill?: typeof WebSocket } = {}
): CanvasClient {
	let readOnly = false;
	let resolveSynced!: () => void;
	let rejectSynced!: (error: Error) => void;
	const synced = new Promise<void>((resolve, reject) => {
		resolveSynced = resolve;
		rejectSynced = reject;
	});
	synced.catch(() => {});
	let destroyed = false;
	let websocketProvider: HocuspocusProviderWebsocket;
	let provider: HocuspocusProvider;
	const open = () => {
		websocketProvider = new HocuspocusProviderWebsocket({
			url: wsUrl,
			delay: 100,
			minDelay: 100,
			maxDelay: 2000,
			...(options.WebSocketPolyfill ? { WebSocketPolyfill: options.WebSocketPolyfill } : {})
		});
		provider = new HocuspocusProvider({
			websocketProvider,
			name: documentName,
			document: doc,
			token,
			onAuthenticated: ({ scope }) => {
				readOnly = scope === 'readonly';
			},
			onSynced: () => resolveSynced(),
			onAuthenticationFailed: ({ reason }) => rejectSynced(new Error(reason)),
			onClose: ({ event }) => {
				if (!options.followAccessChanges || destroyed || event.reason !== 'ACCESS_CHANGED') return;
				const [previous, previousSocket] = [provider, websocketProvider];
				setTimeout(() => {
					previous.destroy();
					previousSocket.destroy();
					if (!destroyed) open();
				}, 0);
			}
		});
		provider.attach(); // a provider given its own websocket must be attached explicitly
	};
	open();
	return {
		doc,
		get provider() {
			return provider;
		},
		records: doc.getMap('records'),
		synced,
		readOnly: () => readOnly,
		destroy() {
			destroyed = true;
			provider.destroy();
			websocketProvider.destroy();
		}
	};
}

/** A WebSocket class (a provider's `WebSocketPolyfill`) that adds up the bytes its sockets receive. */
export function countingWebSocket(received: { bytes: number }): typeof WebSocket {
	return class CountingWebSocket extends WebSocket {
		constructor(url: string | URL, protocols?: string | string[]) {
			super(url, protocols);
			this.addEventListener('message', (event) => {
				const data = event.data as ArrayBuffer | string;
				received.bytes += typeof data === 'string' ? data.length : data.byteLength;
			});
		}
	};
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
	const started = Date.now();
	while (!(await check())) {
		if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
}
