// The collaboration server: Hocuspocus with Easel's extensions, attached to an HTTP server's upgrades on /collab.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Hocuspocus, type Document } from '@hocuspocus/server';
import crossws from 'crossws/adapters/node';
import type { Config } from '../../src/lib/server/config.ts';
import type { Database } from '../../src/lib/server/db/index.ts';
import type { Logger } from '../../src/lib/server/logger.ts';
import type { CloseReason, CollaborationControl, ConnectionMatch } from '../../src/lib/server/runtime.ts';
import { ERROR_CODES } from '../../src/lib/error-codes.ts';
import * as Y from 'yjs';
import { metrics } from '../../src/lib/server/metrics.ts';
import { sessionCookieName } from '../../src/lib/server/auth/sessions.ts';
import * as canvases from '../../src/lib/server/canvases.ts';
import { parseDocumentName } from '../../src/lib/document-names.ts';
import { Authentication } from './authentication.ts';
import type { ConnectionContext } from './context.ts';
import { DocumentSizeLimit } from './limits.ts';
import { OpeningLoads } from './opening-loads.ts';
import { Persistence } from './persistence.ts';
import { Presence } from './presence.ts';
import { AutoVersions } from './auto-versions.ts';
import { RecordValidation } from './record-validation.ts';
import { MALFORMED_MESSAGE, FLOOD, guardSocket, newSocketState, overPreAuthBudget, overSyncRequestBudget, readFrame, type SocketState } from './frames.ts';
import { AppError } from '../../src/lib/server/errors.ts';
import { ConnectionThrottle } from '../../src/lib/server/rate-limits.ts';
import { ControlChannel, DocumentRelay, type ControlCommand, type RedisConnections } from './scale-out.ts';

export const COLLAB_PATH = '/collab';

/** Close codes for the reasons the server ends a document connection. */
const CLOSE_CODES: Record<CloseReason, number> = {
	ACCESS_CHANGED: 4012,
	ACCESS_REVOKED: ERROR_CODES.FORBIDDEN.closeCode,
	UNAUTHENTICATED: ERROR_CODES.UNAUTHENTICATED.closeCode,
	DELETED: ERROR_CODES.NOT_FOUND.closeCode
};

/** How often open connections are checked for share links that expired. */
const EXPIRY_SWEEP_MS = 1_000;

/** Close code sent to clients when the server restarts; providers reconnect on it. */
const SERVICE_RESTART = { code: 1012, reason: 'Server restarting' };

export interface CollaborationServer extends CollaborationControl {
	hocuspocus: Hocuspocus<ConnectionContext>;
	persistence: Persistence;
	/** Handles an HTTP upgrade; returns false when the path is not the collaboration endpoint. */
	handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
	/** Stores everything, closes every socket, stops timers. The database stays open. */
	shutdown(): Promise<void>;
}

export function createCollaborationServer(deps: {
	db: Database;
	config: Config;
	logger: Logger;
	/** Joins the other instances (documents, revocations, connection limits); absent on a single instance. */
	redis?: RedisConnections;
}): CollaborationServer {
	const { db, config, logger, redis } = deps;
	const touchThrottle = new Map<string, number>();
	const meters = metrics();
	const sizeLimit = new DocumentSizeLimit(config.MAX_DOCUMENT_BYTES);
	const persistence = new Persistence({
		onStoredSize: (documentName, bytes) => sizeLimit.setSize(documentName, bytes),
		db,
		logger,
		batchMs: config.PERSIST_BATCH_MS,
		onBatchWritten: (ms) => meters.persistBatchSeconds.observe(ms / 1000),
		onBatchFailed: () => meters.persistFailures.inc(),
		onDocumentWritten: (documentName) => {
			// Keeps the dashboard's "edited" order fresh without a write per keystroke.
			const canvasId = parseDocumentName(documentName)?.canvasId;
			const now = Date.now();
			if (!canvasId || now - (touchThrottle.get(canvasId) ?? 0) < 30_000) return;
			touchThrottle.set(canvasId, now);
			canvases.touch(db, canvasId).catch((error) => logger.warn({ err: error, canvasId }, 'could not touch canvas'));
		},
		onUpdate: () => meters.documentUpdates.inc()
	});

	const hocuspocus = new Hocuspocus<ConnectionContext>({
		name: 'easel',
		quiet: true,
		// The update log is what makes edits durable; compaction can wait for a pause.
		debounce: 5_000,
		maxDebounce: 30_000,
		// What a socket may send before it has authenticated (Hocuspocus closes it past these).
		maxUnauthenticatedQueueSize: 256 * 1024,
		maxUnauthenticatedQueueMessages: 100,
		extensions: [
			...(redis ? [new DocumentRelay(redis, logger)] : []),
			new Authentication({ db, sessionDays: config.SESSION_DAYS }),
			sizeLimit,
			persistence,
			new RecordValidation({
				maxRecordBytes: config.MAX_RECORD_BYTES,
				maxRecords: config.MAX_RECORDS_PER_CANVAS,
				logger,
				onRejected: (count) => meters.recordsRejected.inc(count),
				onRevertLoop: () => meters.revertLoops.inc()
			}),
			new AutoVersions({ db, logger }),
			new Presence()
		]
	});

	meters.gauges.connections = () => hocuspocus.getConnectionsCount();
	meters.gauges.documents = () => hocuspocus.getDocumentsCount();
	meters.gauges.unsaved = () => persistence.updateLog.unsavedDocumentCount();

	const connectionThrottle = new ConnectionThrottle({
		keyPrefix: `${config.REDIS_PREFIX}:ws-connections`,
		points: config.WS_CONNECTIONS_PER_MINUTE,
		durationSeconds: 60,
		redis: redis?.limits
	});
	// Each opening reads a whole canvas from the database and may start loading it: the same budget as sockets.
	const openingThrottle = new ConnectionThrottle({
		keyPrefix: `${config.REDIS_PREFIX}:canvas-openings`,
		points: config.WS_CONNECTIONS_PER_MINUTE,
		durationSeconds: 60,
		redis: redis?.limits
	});
	const openings = new OpeningLoads({ hocuspocus, db, logger });

	/** Per open socket: its Hocuspocus connection and pre-authentication accounting. */
	const sockets = new WeakMap<object, { connection: ReturnType<typeof hocuspocus.handleConnection>; state: SocketState }>();
	let accepting = true;
	const websockets = crossws({
		serverOptions: { maxPayload: config.MAX_WS_MESSAGE_BYTES },
		hooks: {
			upgrade(request) {
				if (!accepting) return new Response('Server is shutting down', { status: 503 });
				const origin = request.headers.get('origin');
				// Browsers always send Origin: a page from another site may not open the socket at all.
				// Programs send none and must authenticate with a token; only allowed origins may use the cookie.
				if (origin && !config.allowedOrigins.includes(origin)) {
					logger.warn({ origin }, 'collaboration upgrade refused: origin not allowed');
					return new Response('Origin not allowed', { status: 403 });
				}
				const context: Omit<ConnectionContext, 'ip'> = {
					cookieSessionToken: origin ? readCookie(request.headers.get('cookie'), sessionCookieName(config.secureCookies)) : undefined
				};
				return { context: context as unknown as Record<string, unknown> };
			},
			open(peer) {
				const context = {
					...(peer.context as unknown as ConnectionContext),
					ip: peer.remoteAddress ?? '',
					socket: newSocketState(config.WS_SYNC_REQUESTS_PER_MINUTE)
				};
				const websocket = guardSocket(peer.websocket as unknown as WebSocket & { terminate(): void }, {
					maxQueuedBytes: config.MAX_SOCKET_QUEUE_BYTES,
					onOverflow: () => {
						meters.socketsDropped.inc();
						logger.warn({ peer: peer.id, ip: context.ip }, 'dropped a socket whose client stopped reading (send queue over MAX_SOCKET_QUEUE_BYTES)');
					}
				});
				const connection = hocuspocus.handleConnection(websocket, peer.request as Request, context);
				sockets.set(peer, { connection, state: context.socket });
			},
			message(peer, message) {
				const socket = sockets.get(peer);
				if (!socket || socket.state.refused) return;
				const frame = message.rawData as string | Uint8Array;
				const reading = readFrame(frame);
				const refuse = (close: { code: number; reason: string }, why: string, details: Record<string, unknown> = {}) => {
					socket.state.refused = true;
					logger.warn({ peer: peer.id, ...details }, why);
					peer.close(close.code, close.reason);
				};
				if (reading.problem !== null) return refuse(MALFORMED_MESSAGE, 'closed a socket that sent a malformed frame', { problem: reading.problem });
				if (overPreAuthBudget(socket.state, (frame as Uint8Array).byteLength)) return refuse(FLOOD, 'closed a socket that sent too much before authenticating');
				if (reading.effect === 'sync-request' && overSyncRequestBudget(socket.state, config.WS_SYNC_REQUESTS_PER_MINUTE)) {
					meters.socketsDropped.inc();
					return refuse(FLOOD, 'closed a socket that sent too many sync requests');
				}
				socket.connection.handleMessage(message.uint8Array());
			},
			close(peer, event) {
				sockets.get(peer)?.connection.handleClose({ code: event.code ?? 1005, reason: event.reason ?? '' });
				sockets.delete(peer);
			},
			error(peer, error) {
				logger.warn({ err: error, peer: peer.id }, 'websocket error');
			}
		}
	});

	function connectionsOf(document: Document) {
		return [...document.connections.keys()] as { context: ConnectionContext; close(event?: { code: number; reason: string }): void }[];
	}

	/** Reads a document as it is live, or as stored when it isn't loaded (without loading it). */
	async function readLiveOrStored<T>(documentName: string, read: (document: Y.Doc) => T): Promise<T> {
		const live = hocuspocus.documents.get(documentName);
		const document = live ?? (await persistence.loadDetached(documentName));
		try {
			return read(document);
		} finally {
			if (!live) document.destroy();
		}
	}

	function closeLocalConnections(match: ConnectionMatch, reason: CloseReason): number {
		let closed = 0;
		for (const document of hocuspocus.documents.values()) {
			for (const connection of connectionsOf(document)) {
				if (!matches(connection.context, match)) continue;
				connection.close({ code: CLOSE_CODES[reason], reason });
				closed++;
			}
		}
		return closed;
	}

	function discardLocalDocument(documentName: string, reason: string): void {
		persistence.discard(documentName);
		const document = hocuspocus.documents.get(documentName);
		if (!document) return;
		for (const connection of connectionsOf(document)) connection.close({ code: CLOSE_CODES.DELETED, reason });
	}

	// A share link that expires closes what it opened, as revoking it does (guarantee 5: within R = 5 s).
	const expirySweep = setInterval(() => {
		const now = Date.now();
		for (const document of hocuspocus.documents.values()) {
			for (const connection of connectionsOf(document)) {
				const expiresAt = connection.context.accessExpiresAt;
				if (expiresAt !== undefined && expiresAt <= now) connection.close({ code: CLOSE_CODES.ACCESS_CHANGED, reason: 'ACCESS_CHANGED' });
			}
		}
	}, EXPIRY_SWEEP_MS);
	expirySweep.unref();

	const control = redis
		? new ControlChannel(redis, logger, {
				onCommand: (command: ControlCommand) => {
					if (command.kind === 'close') closeLocalConnections(command.match, command.reason as CloseReason);
					else discardLocalDocument(command.documentName, command.reason);
				},
				// Revocations sent while Redis was away may be lost: every socket proves its access again.
				onReconnected: () => closeLocalConnections({}, 'ACCESS_CHANGED')
			})
		: undefined;

	return {
		hocuspocus,
		persistence,
		handleUpgrade(request, socket, head) {
			const path = new URL(request.url ?? '/', 'http://localhost').pathname;
			if (path !== COLLAB_PATH) return false;
			const ip = clientAddress(request, config);
			void connectionThrottle.attempt(ip).then((retryAfterSeconds) => {
				if (retryAfterSeconds === null) return websockets.handleUpgrade(request, socket, head);
				logger.warn({ ip }, 'collaboration upgrade refused: too many connections from this address');
				socket.end(`HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${retryAfterSeconds}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
			});
			return true;
		},
		async discardDocument(documentName, reason) {
			discardLocalDocument(documentName, reason);
			control?.send({ kind: 'discard', documentName, reason });
		},
		readDocument: (documentName) =>
			readLiveOrStored(documentName, (document) => ({ records: document.getMap('records').toJSON(), meta: document.getMap('meta').toJSON() })),
		readDocumentState: (documentName) => readLiveOrStored(documentName, (document) => Y.encodeStateAsUpdate(document)),
		async openingState(documentName, clientAddress) {
			const retryAfterSeconds = await openingThrottle.attempt(clientAddress);
			if (retryAfterSeconds !== null) {
				throw new AppError('RATE_LIMITED', `Too many canvases opened from this address. Try again in ${retryAfterSeconds} seconds.`, { retryAfterSeconds });
			}
			return openings.read(documentName);
		},
		async replaceRecords(documentName, records) {
			const connection = await hocuspocus.openDirectConnection(documentName, { ip: 'server' });
			try {
				await connection.transact((document) => {
					const map = document.getMap('records');
					for (const key of [...map.keys()]) if (!(key in records)) map.delete(key);
					for (const [key, value] of Object.entries(records)) {
						if (JSON.stringify(map.get(key)) !== JSON.stringify(value)) map.set(key, value);
					}
				});
			} finally {
				await connection.disconnect();
			}
		},
		closeConnections(match, reason) {
			control?.send({ kind: 'close', match, reason });
			return closeLocalConnections(match, reason);
		},
		async shutdown() {
			accepting = false;
			clearInterval(expirySweep);
			await persistence.flush();
			await Promise.all([...hocuspocus.documents.values()].map((document) => persistence.compact(document)));
			websockets.closeAll(SERVICE_RESTART.code, SERVICE_RESTART.reason);
			openings.close();
			persistence.close();
		}
	};
}

function matches(context: ConnectionContext, match: ConnectionMatch): boolean {
	return (
		(match.canvasId === undefined || context.canvasId === match.canvasId) &&
		(match.teamId === undefined || context.teamId === match.teamId) &&
		(match.userId === undefined || context.user?.id === match.userId) &&
		(match.sessionId === undefined || context.sessionId === match.sessionId) &&
		(match.shareLinkId === undefined || context.shareLinkId === match.shareLinkId)
	);
}

/** The client's address: the socket's peer, or the proxy header named by ADDRESS_HEADER (as adapter-node reads it). */
function clientAddress(request: IncomingMessage, config: Config): string {
	if (config.ADDRESS_HEADER) {
		const header = request.headers[config.ADDRESS_HEADER.toLowerCase()];
		const value = Array.isArray(header) ? header.join(',') : header;
		if (value) {
			// x-forwarded-for lists every hop; the trusted proxy appended the last XFF_DEPTH entries.
			const hops = value.split(',').map((hop) => hop.trim());
			return config.ADDRESS_HEADER.toLowerCase() === 'x-forwarded-for' ? (hops[hops.length - config.XFF_DEPTH] ?? hops[0]) : hops[0];
		}
	}
	return request.socket.remoteAddress ?? '';
}

function readCookie(header: string | null, name: string): string | undefined {
	if (!header) return undefined;
	for (const part of header.split(';')) {
		const [key, ...value] = part.trim().split('=');
		if (key === name) return decodeURIComponent(value.join('='));
	}
	return undefined;
}
