// A canvas as a live Yjs document over the collaboration socket (the same Hocuspocus protocol the
// browser speaks), authenticated with the caller's API key or session token.
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import * as Y from 'yjs';
import { EaselError } from './errors.ts';

export interface LiveCanvasOptions {
	/** A Y.Doc of your own to sync into (a fresh one by default). */
	doc?: Y.Doc;
	/** How long to wait for the first sync before giving up (ms). */
	timeoutMs?: number;
	/** A WebSocket class where there is no global one (Node < 22). */
	WebSocketPolyfill?: unknown;
}

export interface LiveCanvas {
	doc: Y.Doc;
	/** tldraw records by id (shapes, bindings, pages, assets): read them, observe them. */
	records: Y.Map<unknown>;
	provider: HocuspocusProvider;
	/** Whether the server gave this caller read-only access (then local changes are refused). */
	readOnly: boolean;
	/** Called when the server closes the connection for good (revoked key, deleted canvas). */
	onClosed(listener: (reason: string) => void): void;
	close(): void;
}

export function openLiveCanvas(origin: string, token: string, canvasId: string, options: LiveCanvasOptions): Promise<LiveCanvas> {
	const doc = options.doc ?? new Y.Doc();
	const socket = new HocuspocusProviderWebsocket({
		url: `${origin.replace(/^http/, 'ws')}/collab`,
		...(options.WebSocketPolyfill ? { WebSocketPolyfill: options.WebSocketPolyfill as typeof WebSocket } : {})
	});
	const closedListeners: ((reason: string) => void)[] = [];
	let readOnly = false;
	return new Promise<LiveCanvas>((resolve, reject) => {
		const timer = setTimeout(() => fail(new EaselError(408, 'TIMEOUT', `The canvas did not sync within ${options.timeoutMs ?? 15_000} ms.`)), options.timeoutMs ?? 15_000);
		const close = () => {
			clearTimeout(timer);
			provider.destroy();
			socket.destroy();
		};
		const fail = (error: Error) => {
			close();
			reject(error);
		};
		const provider = new HocuspocusProvider({
			websocketProvider: socket,
			name: `canvas:${canvasId}`,
			document: doc,
			token,
			onAuthenticated: ({ scope }) => {
				readOnly = scope === 'readonly';
			},
			onAuthenticationFailed: ({ reason }) => fail(new EaselError(403, 'FORBIDDEN', `The canvas refused this connection: ${reason}`)),
			onClose: ({ event }) => {
				// The server's own closes carry a reason (ACCESS_REVOKED, DELETED…); a bare drop reconnects.
				if (event.code >= 4000 && event.reason) for (const listener of closedListeners) listener(event.reason);
			},
			onSynced: () => {
				clearTimeout(timer);
				resolve({
					doc,
					records: doc.getMap('records'),
					provider,
					get readOnly() {
						return readOnly;
					},
					onClosed: (listener) => closedListeners.push(listener),
					close
				});
			}
		});
		provider.attach();
	});
}
