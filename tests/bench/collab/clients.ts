// Benchmark clients. A full client is a browser tab: one Y.Doc, one Hocuspocus provider, one socket.
// A light receiver is a raw socket that authenticates, asks for the document and then only counts
// what the server pushes, so 200 editors fit on a 2-core machine without the clients becoming the
// bottleneck. Records are tldraw 5 geo shapes (~460 B of JSON), written to the `records` map.
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as Y from 'yjs';

/** Where and as whom a client connects. */
export interface Endpoint {
	url: string;
	document: string;
	token: string;
	/** Opening downloads the stored state from here before connecting, as Easel's browser client does. */
	stateUrl?: string;
	/** The canvas's chat document, which a client may open on the same socket (as Easel's browser does). */
	chatDocument?: string;
}

/** What clients that count (cold loads) received: bytes, and when the largest frame (the document) arrived. */
export const received = { bytes: 0, largestBytes: 0, largestAt: 0, firstAt: 0 };

class CountingWebSocket extends WebSocket {
	constructor(address: string | URL, protocols?: string | string[]) {
		super(address, protocols, { perMessageDeflate: false });
		this.on('message', (data: Buffer) => {
			// The first frame a Hocuspocus server sends a new socket is its answer to the token.
			if (received.bytes === 0) received.firstAt = performance.timeOrigin + performance.now();
			received.bytes += data.byteLength;
			if (data.byteLength > received.largestBytes) {
				received.largestBytes = data.byteLength;
				received.largestAt = performance.timeOrigin + performance.now();
			}
		});
	}
}

class PlainWebSocket extends WebSocket {
	constructor(address: string | URL, protocols?: string | string[]) {
		super(address, protocols, { perMessageDeflate: false });
	}
}

export interface FullClient {
	doc: Y.Doc;
	records: Y.Map<unknown>;
	/** The chat document, when the client opened it too. */
	chat?: Y.Doc;
	/** Both documents synced. */
	synced: Promise<void>;
	/** Local changes the server has not acknowledged yet. */
	unsynced(): number;
	destroy(): void;
}

/** `chat`: also open `endpoint.chatDocument`, a second provider on the same socket. */
export function connectFull(endpoint: Endpoint, options: { countBytes?: boolean; doc?: Y.Doc; chat?: boolean } = {}): FullClient {
	const doc = options.doc ?? new Y.Doc();
	const chat = options.chat && endpoint.chatDocument ? new Y.Doc() : undefined;
	const failures: ((error: Error) => void)[] = [];
	const syncedDocuments: Promise<void>[] = [];
	const watchSync = () => {
		let resolveSynced!: () => void;
		syncedDocuments.push(
			new Promise<void>((resolve, reject) => {
				resolveSynced = resolve;
				failures.push(reject);
			})
		);
		return {
			onSynced: ({ state }: { state: boolean }) => state && resolveSynced(),
			onAuthenticationFailed: ({ reason }: { reason: string }) => failures.forEach((fail) => fail(new Error(`authentication failed: ${reason}`)))
		};
	};
	const socket = new HocuspocusProviderWebsocket({
		url: endpoint.url,
		WebSocketPolyfill: options.countBytes ? CountingWebSocket : PlainWebSocket,
		// A benchmark must not retry forever.
		maxAttempts: 3,
		messageReconnectTimeout: 60_000
	});
	const provider = new HocuspocusProvider({ websocketProvider: socket, name: endpoint.document, document: doc, token: endpoint.token, ...watchSync() });
	provider.attach();
	const chatProvider = chat
		? new HocuspocusProvider({ websocketProvider: socket, name: endpoint.chatDocument!, document: chat, token: endpoint.token, ...watchSync() })
		: undefined;
	chatProvider?.attach();
	const synced = Promise.all(syncedDocuments).then(() => {});
	synced.catch(() => {});
	return {
		doc,
		records: doc.getMap('records'),
		chat,
		synced,
		unsynced: () => provider.unsyncedChanges,
		destroy() {
			chatProvider?.destroy();
			provider.destroy();
			socket.destroy();
			chat?.destroy();
			doc.destroy();
		}
	};
}

/** What light receivers saw; the worker reads and resets it. Chat documents' messages are counted apart. */
export const lightStats = {
	counting: false,
	messages: 0,
	bytes: 0,
	byType: {} as Record<string, number>,
	chatMessages: 0,
	closed: 0,
	closeCodes: {} as Record<string, number>
};

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const MESSAGE_AUTH = 2;
const AUTH_PERMISSION_DENIED = 1;
const AUTH_AUTHENTICATED = 2;
const MESSAGE_NAMES: Record<number, string> = {
	0: 'sync',
	1: 'awareness',
	2: 'auth',
	3: 'queryAwareness',
	5: 'stateless',
	7: 'close',
	8: 'syncStatus',
	9: 'ping',
	10: 'pong'
};
const EMPTY_STATE_VECTOR = Y.encodeStateVector(new Y.Doc());
/** Hocuspocus closes sockets silent for 60 s; a provider renews its awareness every 15 s. */
const KEEPALIVE_MS = 15_000;

export interface LightClient {
	/** Resolves once the server has authenticated the socket and answered the sync request (for each document). */
	ready: Promise<void>;
	destroy(): void;
}

/** `chat`: also open `endpoint.chatDocument` on the same socket, as Easel's browser does. */
export function connectLight(endpoint: Endpoint, options: { chat?: boolean } = {}): LightClient {
	const ws = new WebSocket(endpoint.url, { perMessageDeflate: false });
	const documents = [endpoint.document, ...(options.chat && endpoint.chatDocument ? [endpoint.chatDocument] : [])];
	const frame = (document: string, write: (encoder: encoding.Encoder) => void) => {
		const encoder = encoding.createEncoder();
		encoding.writeVarString(encoder, document);
		write(encoder);
		return encoding.toUint8Array(encoder);
	};
	const clientId = Math.floor(Math.random() * 2 ** 31);
	let awarenessClock = 0;
	const renewAwareness = (document: string) => {
		if (ws.readyState !== WebSocket.OPEN) return;
		const update = encoding.createEncoder();
		encoding.writeVarUint(update, 1);
		encoding.writeVarUint(update, clientId);
		encoding.writeVarUint(update, ++awarenessClock);
		encoding.writeVarString(update, '{}');
		ws.send(
			frame(document, (encoder) => {
				encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
				encoding.writeVarUint8Array(encoder, encoding.toUint8Array(update));
			})
		);
	};
	const keepalive = setInterval(() => documents.forEach(renewAwareness), KEEPALIVE_MS);
	const authenticated = new Set<string>();
	const answered = new Set<string>();
	const ready = new Promise<void>((resolve, reject) => {
		ws.once('error', reject);
		ws.once('close', (code) => reject(new Error(`closed before ready (${code})`)));
		ws.on('message', (data: Buffer) => {
			const decoder = decoding.createDecoder(data);
			const document = decoding.readVarString(decoder);
			const type = decoding.readVarUint(decoder);
			if (lightStats.counting) {
				if (document === endpoint.document) {
					lightStats.messages++;
					lightStats.bytes += data.byteLength;
					const name = MESSAGE_NAMES[type] ?? 'other';
					lightStats.byType[name] = (lightStats.byType[name] ?? 0) + 1;
				} else lightStats.chatMessages++;
			}
			if (authenticated.has(document)) {
				// The first sync message after authentication is the server's answer to step 1.
				if (type === MESSAGE_SYNC) answered.add(document);
				if (answered.size === documents.length) resolve();
				return;
			}
			if (type !== MESSAGE_AUTH) return;
			const answer = decoding.readVarUint(decoder);
			if (answer === AUTH_PERMISSION_DENIED) reject(new Error(`authentication failed for ${document}: ${decoding.readVarString(decoder)}`));
			else if (answer === AUTH_AUTHENTICATED) {
				authenticated.add(document);
				setTimeout(() => renewAwareness(document), 50);
			}
		});
		ws.once('open', () => {
			for (const document of documents) {
				ws.send(
					frame(document, (encoder) => {
						encoding.writeVarUint(encoder, MESSAGE_AUTH);
						encoding.writeVarUint(encoder, 0); // token
						encoding.writeVarString(encoder, endpoint.token);
					})
				);
				ws.send(
					frame(document, (encoder) => {
						encoding.writeVarUint(encoder, MESSAGE_SYNC);
						encoding.writeVarUint(encoder, 0); // step 1
						encoding.writeVarUint8Array(encoder, EMPTY_STATE_VECTOR);
					})
				);
			}
		});
	});
	ready.catch(() => {});
	ws.on('error', () => {});
	ws.on('close', (code) => {
		clearInterval(keepalive);
		lightStats.closed++;
		lightStats.closeCodes[code] = (lightStats.closeCodes[code] ?? 0) + 1;
	});
	return {
		ready,
		destroy() {
			clearInterval(keepalive);
			ws.terminate();
		}
	};
}

/** The page every bench shape sits on. */
export const PAGE = { id: 'page:page', typeName: 'page', name: 'Page 1', index: 'a1', meta: {} };

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const TEXTS = ['API', 'Cache', 'Orders', 'Billing', 'Queue'];
const COLORS = ['black', 'blue', 'green', 'red', 'orange', 'violet', 'grey'];

/** A tldraw 5 geo shape that passes tldraw's record validators; `meta` carries the send time. */
export function makeShape(id: string, seq: number, meta: Record<string, number> = {}) {
	return {
		id,
		typeName: 'shape',
		type: 'geo',
		parentId: 'page:page',
		index: `a${BASE62[1 + (seq % 61)]}`,
		x: Math.round(Math.random() * 400_000) / 100,
		y: Math.round(Math.random() * 300_000) / 100,
		rotation: 0,
		isLocked: false,
		opacity: 1,
		meta,
		props: {
			geo: 'rectangle',
			dash: 'draw',
			url: '',
			w: 100 + (seq % 200),
			h: 80 + (seq % 120),
			growY: 0,
			scale: 1,
			flipX: false,
			flipY: false,
			labelColor: 'black',
			color: COLORS[seq % COLORS.length],
			fill: 'semi',
			size: 'm',
			font: 'draw',
			align: 'middle',
			verticalAlign: 'middle',
			richText: { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: TEXTS[seq % TEXTS.length] }] }] }
		}
	};
}
