// One canvas's connection: a Y.Doc kept in IndexedDB and synced with the server through Hocuspocus, reconnecting on its own.
import { HocuspocusProvider } from '@hocuspocus/provider';
import { IndexeddbPersistence, clearDocument } from 'y-indexeddb';
import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { DOCUMENT_STATE_TYPE, SHARE_TOKEN_HEADER, STATE_BYTES_HEADER, decodeUpdateFrames } from '../document-state.ts';
import { CLIENT_TIMEOUT_CODE, COLLAB_PATH, CONNECTION_CLOSES, COOKIE_TOKEN, SHARE_TOKEN_PREFIX } from '../collab-protocol.ts';
import { documentNamesOf, parseDocumentName } from '../document-names.ts';
import { errorCodeForClose } from '../error-codes.ts';
import { acquireSocket, type SharedSocket } from './collab-socket.ts';

export type CollabStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/** What the server granted this connection. */
export type CollabScope = 'read-write' | 'readonly';

export interface CollabSessionOptions {
	/** The document to open (`canvas:<id>`, `chat:<id>`: document-names.ts). */
	documentName: string;
	/** A share-link token: the canvas is opened through that link (the cookie still identifies a signed-in user). */
	shareToken?: string;
	/** The doc to sync; a new one by default. */
	doc?: Y.Doc;
	/** Hocuspocus endpoint; default `ws(s)://<current host>/collab`. */
	url?: string;
	/**
	 * Where the canvas's stored state is fetched before the socket connects, when this browser has no
	 * copy of it; default `/api/v1/canvases/<id>/state` on the current origin for a canvas (none
	 * outside a browser, nor for other kinds). null: the socket brings everything.
	 */
	stateUrl?: string | null;
	/** Keep the doc in IndexedDB so offline edits survive a reload; default: when IndexedDB exists. */
	persistLocally?: boolean;
	onStatus?: (status: CollabStatus) => void;
	/**
	 * The server refused this canvas: `reason` is its error code ('UNAUTHENTICATED', 'NOT_FOUND',
	 * 'PAYLOAD_TOO_LARGE', …), `code` the close code when there was one. The session stops.
	 */
	onRefused?: (reason: string, code?: number) => void;
	onAuthenticated?: (scope: CollabScope) => void;
	/** The stored canvas is downloading: bytes received so far, of `total` (null when the server did not say). */
	onDownloadProgress?: (received: number, total: number | null) => void;
	/** The doc now holds the server's state; fires again after every reconnect. */
	onSynced?: () => void;
	/** A new awareness is in use (the first one, and one per recreated provider). */
	onAwareness?: (awareness: Awareness) => void;
}

export interface CollabSession {
	readonly doc: Y.Doc;
	readonly awareness: Awareness | null;
	/** The current provider; replaced on reconnects, null once stopped. For diagnostics and tests. */
	readonly provider: HocuspocusProvider | null;
	readonly status: CollabStatus;
	/**
	 * Resolves once the doc holds what it can before the socket syncs: this browser's copy (IndexedDB),
	 * or else the server's stored state fetched over HTTP. The socket connects after it.
	 */
	readonly loaded: Promise<void>;
	/** Throw away the socket and connect afresh (also done automatically). */
	reconnect(): void;
	destroy(): void;
}

/** Disconnected this long (or the browser reports no network) counts as offline. */
export const OFFLINE_AFTER_MS = 3_000;
/** Disconnected this long while online: replace the provider, doubling up to the maximum. */
export const RECREATE_AFTER_MS = 5_000;
export const RECREATE_MAX_MS = 30_000;
const WATCHDOG_INTERVAL_MS = 1_000;
/** Don't let a stuck IndexedDB (private windows, quota) keep the canvas from opening. */
const LOCAL_LOAD_TIMEOUT_MS = 3_000;
/** Past this the stored-state download is given up and the socket brings the canvas instead. */
const STATE_FETCH_TIMEOUT_MS = 60_000;
/** Transaction origin of the stored state applied before connecting. */
const STORED_STATE_ORIGIN = 'easel:stored-state';
/** IndexedDB holds a document's copy as `easel-<document name>`. */
const LOCAL_DB_PREFIX = 'easel-';

/** Refusals that mean "not now" rather than "no": the session keeps retrying. */
const RETRYABLE_REFUSALS = new Set(['UNAVAILABLE', 'RATE_LIMITED']);
/**
 * After these the local copy is of no use to this user any more. Not after TRASHED: the canvas may
 * be restored, and edits this browser had not sent yet then reach it.
 */
const REASONS_THAT_DROP_LOCAL_COPY = new Set(['NOT_FOUND', 'FORBIDDEN', 'DELETED']);

export function collabUrl(location: Pick<Location, 'protocol' | 'host'> = globalThis.location): string {
	return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${COLLAB_PATH}`;
}

function defaultStateUrl(documentName: string): string | null {
	const origin = globalThis.location?.origin;
	const address = parseDocumentName(documentName);
	return origin && address?.kind === 'canvas' ? `${origin}/api/v1/canvases/${encodeURIComponent(address.canvasId)}/state` : null;
}

export function createCollabSession(options: CollabSessionOptions): CollabSession {
	const doc = options.doc ?? new Y.Doc();
	const url = options.url ?? collabUrl();
	const persistLocally = options.persistLocally ?? typeof indexedDB !== 'undefined';
	const localCopy = persistLocally ? openLocalCopy(options.documentName, doc) : null;
	const stateUrl = options.stateUrl === undefined ? defaultStateUrl(options.documentName) : options.stateUrl;
	const localLoaded = localCopy
		? Promise.race([localCopy.whenSynced, new Promise((resolve) => setTimeout(resolve, LOCAL_LOAD_TIMEOUT_MS))]).then(
				() => undefined,
				(error: unknown) => console.warn('[easel] could not read this canvas from IndexedDB', error)
			)
		: Promise.resolve();
	const stateDownload = new AbortController();

	let provider: HocuspocusProvider | null = null;
	/** The tab's socket, shared with its other documents; taken when the first provider opens. */
	let socket: SharedSocket | null = null;
	let awareness: Awareness | null = null;
	let isSynced = false;
	let everSynced = false;
	let disconnectedSince = Date.now();
	let lastProviderAt = Date.now();
	let recreations = 0;
	let stopped = false;
	let destroyed = false;
	/** Until the first provider opens: the doc is still being filled from IndexedDB or the stored state. */
	let loading = true;
	let status: CollabStatus = 'connecting';

	const isBrowserOnline = () => typeof navigator === 'undefined' || navigator.onLine !== false;

	function updateStatus(): void {
		if (destroyed) return;
		let next: CollabStatus;
		if (!isBrowserOnline()) next = 'offline';
		else if (isSynced) next = 'connected';
		else if (loading) next = 'connecting';
		else if (Date.now() - disconnectedSince > OFFLINE_AFTER_MS) next = 'offline';
		else next = everSynced ? 'reconnecting' : 'connecting';
		if (next === status) return;
		status = next;
		options.onStatus?.(next);
	}

	function markDisconnected(): void {
		if (isSynced) {
			isSynced = false;
			disconnectedSince = Date.now();
		}
		updateStatus();
	}

	/**
	 * Applies the server's stored canvas when this browser has none of it, so the socket's sync carries
	 * only the difference. Any failure is left to the socket, which reports refusals its own way.
	 */
	async function applyStoredState(): Promise<void> {
		if (!stateUrl || doc.store.clients.size > 0 || !isBrowserOnline()) return;
		const timeout = setTimeout(() => stateDownload.abort(), STATE_FETCH_TIMEOUT_MS);
		try {
			const response = await fetch(stateUrl, {
				headers: options.shareToken ? { [SHARE_TOKEN_HEADER]: options.shareToken } : {},
				cache: 'no-store',
				signal: stateDownload.signal
			});
			if (!response.ok || response.headers.get('content-type') !== DOCUMENT_STATE_TYPE) {
				await response.body?.cancel();
				return;
			}
			const updates = decodeUpdateFrames(await readBody(response, options.onDownloadProgress));
			if (stopped) return;
			Y.transact(
				doc,
				() => {
					for (const update of updates) Y.applyUpdate(doc, update);
				},
				STORED_STATE_ORIGIN
			);
		} catch (error) {
			if (!stopped) console.warn('[easel] could not download this canvas; the socket will bring it', error);
		} finally {
			clearTimeout(timeout);
		}
	}

	function refuse(reason: string, code?: number): void {
		if (stopped) return;
		stop(true);
		if (REASONS_THAT_DROP_LOCAL_COPY.has(reason)) void localCopy?.clearData();
		options.onRefused?.(reason, code);
	}

	function openProvider(): void {
		socket ??= acquireSocket(url, {
			documentName: options.documentName,
			beforeRenew: () => closeProvider(),
			afterRenew: () => {
				if (!stopped) openProvider();
			}
		});
		const ownAwareness = new Awareness(doc);
		const current: HocuspocusProvider = new HocuspocusProvider({
			websocketProvider: socket.websocket,
			name: options.documentName,
			document: doc,
			awareness: ownAwareness,
			token: options.shareToken ? `${SHARE_TOKEN_PREFIX}${options.shareToken}` : COOKIE_TOKEN,
			onSynced: ({ state }) => {
				if (current !== provider || !state) return;
				isSynced = true;
				everSynced = true;
				recreations = 0;
				updateStatus();
				options.onSynced?.();
			},
			onAuthenticated: ({ scope }) => {
				if (current === provider) options.onAuthenticated?.(scope);
			},
			onAuthenticationFailed: ({ reason }) => {
				if (current !== provider) return;
				// A passing server-side problem (database unreachable, rate limit): keep the local copy
				// and let the watchdog try again with backoff instead of giving up.
				if (RETRYABLE_REFUSALS.has(reason)) markDisconnected();
				else refuse(reason);
			},
			onStatus: ({ status: socketStatus }) => {
				if (current === provider && socketStatus === 'disconnected') markDisconnected();
			},
			onClose: ({ event }) => {
				if (current !== provider) return;
				const refusal = refusalOf(event);
				// The server re-authorises after a role or link change: connect afresh and take the new scope.
				if (refusal === CONNECTION_CLOSES.ACCESS_CHANGED.reason) setTimeout(reopenProvider, 0);
				else if (refusal) refuse(refusal, event.code >= 4000 ? event.code : undefined);
				else markDisconnected();
			}
		});
		current.attach();
		provider = current;
		awareness = ownAwareness;
		lastProviderAt = Date.now();
		options.onAwareness?.(ownAwareness);
	}

	/**
	 * destroy() detaches the provider from the shared socket and destroys its awareness; the doc is
	 * ours and stays. Detaching tells the server to close the document, unless `serverClosedIt`: then
	 * that message would reach the server after its own close and be taken as the first frame of the
	 * next connection to the document, closing the successor as soon as it authenticates.
	 */
	function closeProvider(serverClosedIt = false): void {
		const previous = provider;
		provider = null;
		awareness = null;
		if (previous && serverClosedIt) previous.configuration.websocketProvider.configuration.providerMap.delete(previous.effectiveName);
		previous?.destroy();
		markDisconnected();
	}

	/** A fresh provider on the same socket, authorised afresh: the server closed this document (its access changed). */
	function reopenProvider(): void {
		if (stopped || loading) return;
		closeProvider(true);
		openProvider();
	}

	/**
	 * A fresh socket for every document of the tab, each with a fresh provider: provider 4.8 can stay
	 * disconnected after disconnect()/connect() (hocuspocus#782).
	 */
	function recreateConnection(): void {
		if (stopped || loading) return;
		if (socket) socket.renew();
		else reopenProvider();
	}

	function watchdog(): void {
		updateStatus();
		if (stopped || loading || isSynced || !isBrowserOnline()) return;
		const waitMs = Math.min(RECREATE_AFTER_MS * 2 ** recreations, RECREATE_MAX_MS);
		if (Date.now() - Math.max(disconnectedSince, lastProviderAt) < waitMs) return;
		recreations += 1;
		recreateConnection();
	}

	// A socket that lived through a network change may be dead without knowing it yet: start afresh.
	const onOnline = () => {
		recreations = 0;
		recreateConnection();
	};
	const onOffline = () => markDisconnected();

	function stop(serverClosedIt = false): void {
		stopped = true;
		stateDownload.abort();
		clearInterval(watchdogTimer);
		globalThis.removeEventListener?.('online', onOnline);
		globalThis.removeEventListener?.('offline', onOffline);
		closeProvider(serverClosedIt);
		socket?.release();
		socket = null;
	}

	const watchdogTimer = setInterval(watchdog, WATCHDOG_INTERVAL_MS);
	globalThis.addEventListener?.('online', onOnline);
	globalThis.addEventListener?.('offline', onOffline);
	const loaded = localLoaded.then(applyStoredState).then(() => {
		loading = false;
		// Counting towards "offline" starts with the socket, not with the download.
		disconnectedSince = Date.now();
		if (!stopped) openProvider();
	});

	return {
		doc,
		get awareness() {
			return awareness;
		},
		get provider() {
			return provider;
		},
		get status() {
			return status;
		},
		loaded,
		reconnect() {
			recreations = 0;
			recreateConnection();
		},
		destroy() {
			destroyed = true;
			if (!stopped) stop();
			void localCopy?.destroy();
		}
	};
}

/** A response's body, reporting each chunk; then one task's pause, so a "downloaded" state can be painted before the decode. */
async function readBody(response: Response, onProgress?: (received: number, total: number | null) => void): Promise<Uint8Array> {
	if (!onProgress || !response.body) return new Uint8Array(await response.arrayBuffer());
	const total = Number(response.headers.get(STATE_BYTES_HEADER)) || null;
	const chunks: Uint8Array[] = [];
	let received = 0;
	const reader = response.body.getReader();
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		chunks.push(value);
		received += value.byteLength;
		onProgress(received, total);
	}
	await new Promise((resolve) => setTimeout(resolve, 0));
	const body = new Uint8Array(received);
	let offset = 0;
	for (const chunk of chunks) {
		body.set(chunk, offset);
		offset += chunk.byteLength;
	}
	return body;
}

function openLocalCopy(documentName: string, doc: Y.Doc): IndexeddbPersistence | null {
	try {
		return new IndexeddbPersistence(LOCAL_DB_PREFIX + documentName, doc);
	} catch (error) {
		console.warn('[easel] IndexedDB is unavailable; offline edits will not survive a reload', error);
		return null;
	}
}

/** Deletes this browser's copies of canvases, e.g. on sign-out on a shared computer. */
export async function forgetLocalCanvases(canvasIds?: string[]): Promise<void> {
	if (typeof indexedDB === 'undefined') return;
	const names = canvasIds
		? canvasIds.flatMap((id) => documentNamesOf(id).map((name) => LOCAL_DB_PREFIX + name))
		: ((await indexedDB.databases?.()) ?? [])
				.map((db) => db.name ?? '')
				.filter((name) => name.startsWith(LOCAL_DB_PREFIX) && parseDocumentName(name.slice(LOCAL_DB_PREFIX.length)));
	await Promise.all(names.map((name) => clearDocument(name)));
}

/**
 * The server's error code when a close is a refusal. Hocuspocus closes one document on a shared
 * socket with a message that keeps only the reason (code 1000), so both forms are recognised.
 */
export function refusalOf(event: { code: number; reason?: string }): string | null {
	const reason = event.reason ?? '';
	if (/^[A-Z][A-Z_]+$/.test(reason)) return reason;
	if (event.code === CLIENT_TIMEOUT_CODE || event.code < 4400 || event.code > 4499) return null;
	return errorCodeForClose(event.code) ?? (reason || String(event.code));
}
