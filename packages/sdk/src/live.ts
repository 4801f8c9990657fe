// live(canvasId): a canvas's Yjs document kept in sync with the server through the Hocuspocus provider, as the browser's is.
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import * as Y from 'yjs';
import { EaselError } from './errors.ts';

/** Where the collaboration socket lives on the app's own port (src/lib/collab-protocol.ts). */
const COLLAB_PATH = '/collab';
/** The server closes a document with this reason when the connection must be authorised afresh. */
const ACCESS_CHANGED = 'ACCESS_CHANGED';
/** The provider's own close when it heard nothing for a while: a reconnect, not a refusal. */
const CLIENT_TIMEOUT_CODE = 4408;

export interface LiveOptions {
	/** The doc to sync; a new one by default. */
	doc?: Y.Doc;
	/** A WebSocket class for runtimes without a global one (Node before 22): `WebSocket` from the `ws` package. */
	WebSocketPolyfill?: unknown;
	/** The server refused or closed the canvas for good (`reason` is its error code, e.g. 'FORBIDDEN', 'DELETED', 'TRASHED'). */
	onRefused?: (error: EaselError) => void;
}

export interface LiveCanvas {
	/** The canvas document: tldraw records in `doc.getMap('records')` (see `shapes(doc)`). */
	doc: Y.Doc;
	/** The current provider (a new one after the server re-authorised the connection). */
	readonly provider: HocuspocusProvider;
	/** Resolves once the doc holds the server's state; rejects with an EaselError when the server refuses. */
	synced: Promise<void>;
	/** Whether the server granted this connection only reading (changes to the doc are then not kept). */
	readOnly(): boolean;
	/** Resolves once every local change has been acknowledged by the server (it is stored then). */
	saved(timeoutMs?: number): Promise<void>;
	/** Closes the connection; the doc stays usable (and unsynced). */
	destroy(): void;
}

/** The collaboration socket's URL for an Easel base URL: http → ws, https → wss, path `/collab`. */
export function collabUrl(baseUrl: string): string {
	const url = new URL(baseUrl);
	url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
	url.pathname = `${url.pathname.replace(/\/$/, '')}${COLLAB_PATH}`;
	url.search = '';
	return url.toString();
}

/**
 * Opens `canvas:<canvasId>` with `token` (an API key with canvases:read, or :write to change it, or
 * a session token). A change to `doc` goes to everyone on the canvas; theirs arrive in `doc`. The
 * server validates every record and reverts what it refuses.
 */
export function connectLive(baseUrl: string, token: string, canvasId: string, options: LiveOptions = {}): LiveCanvas {
	const doc = options.doc ?? new Y.Doc();
	const url = collabUrl(baseUrl);
	let readOnly = false;
	let destroyed = false;
	let settle!: { resolve: () => void; reject: (error: EaselError) => void };
	const synced = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
	synced.catch(() => {}); // a caller who never awaits it must not see an unhandled rejection
	let socket: HocuspocusProviderWebsocket;
	let provider: HocuspocusProvider;

	const refuse = (reason: string, closeCode?: number) => {
		const status = closeCode && closeCode >= 4400 && closeCode < 4600 ? closeCode - 4000 : 0;
		const error = new EaselError(status, reason, `The server refused canvas ${canvasId}: ${reason}.`);
		settle.reject(error);
		options.onRefused?.(error);
		close();
	};

	const open = () => {
		socket = new HocuspocusProviderWebsocket({
			url,
			...(options.WebSocketPolyfill ? { WebSocketPolyfill: options.WebSocketPolyfill } : {})
		});
		const current: HocuspocusProvider = new HocuspocusProvider({
			websocketProvider: socket,
			name: `canvas:${canvasId}`,
			document: doc,
			token,
			onAuthenticated: ({ scope }) => {
				readOnly = scope === 'readonly';
			},
			onAuthenticationFailed: ({ reason }) => refuse(reason),
			onSynced: ({ state }) => {
				if (state) settle.resolve();
			},
			onClose: ({ event }) => {
				if (destroyed || current !== provider) return;
				const reason = event.reason ?? '';
				if (reason === ACCESS_CHANGED) setTimeout(reopen, 0);
				else if (/^[A-Z][A-Z_]+$/.test(reason)) refuse(reason, event.code);
				else if (event.code >= 4400 && event.code < 4600 && event.code !== CLIENT_TIMEOUT_CODE) refuse(String(event.code), event.code);
			}
		});
		current.attach(); // a provider given its own websocket must be attached explicitly
		provider = current;
	};
	const close = () => {
		destroyed = true;
		provider?.destroy();
		socket?.destroy();
	};
	const reopen = () => {
		if (destroyed) return;
		provider.destroy();
		socket.destroy();
		open();
	};
	open();

	return {
		doc,
		get provider() {
			return provider;
		},
		synced,
		readOnly: () => readOnly,
		async saved(timeoutMs = 10_000) {
			const started = Date.now();
			while (provider.hasUnsyncedChanges) {
				if (destroyed) throw new EaselError(0, 'CLOSED', 'The live canvas was closed before its changes were saved.');
				if (Date.now() - started > timeoutMs) throw new EaselError(0, 'TIMEOUT', `Changes were not acknowledged within ${timeoutMs} ms.`);
				await new Promise((resolve) => setTimeout(resolve, 20));
			}
		},
		destroy: close
	};
}
