// The collaboration server: Hocuspocus with Easel's extensions, attached to an HTTP server's upgrades on /collab.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Hocuspocus, type Document } from '@hocuspocus/server';
import crossws from 'crossws/adapters/node';
import type { Config } from '../../src/lib/server/config.ts';
import type { Database } from '../../src/lib/server/db/index.ts';
import type { Logger } from '../../src/lib/server/logger.ts';
import type { CollaborationControl } from '../../src/lib/server/runtime.ts';
import { sessionCookieName } from '../../src/lib/server/auth/sessions.ts';
import * as canvases from '../../src/lib/server/canvases.ts';
import { Authentication } from './authentication.ts';
import type { ConnectionContext } from './context.ts';
import { DocumentSizeLimit } from './limits.ts';
import { Persistence } from './persistence.ts';
import { Presence } from './presence.ts';

export const COLLAB_PATH = '/collab';

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

export function createCollaborationServer(deps: { db: Database; config: Config; logger: Logger }): CollaborationServer {
	const { db, config, logger } = deps;
	const touchThrottle = new Map<string, number>();
	const persistence = new Persistence({
		db,
		logger,
		batchMs: config.PERSIST_BATCH_MS,
		onDocumentWritten: (documentName) => {
			// Keeps the dashboard's "edited" order fresh without a write per keystroke.
			const canvasId = canvases.parseCanvasDocumentName(documentName);
			const now = Date.now();
			if (!canvasId || now - (touchThrottle.get(canvasId) ?? 0) < 30_000) return;
			touchThrottle.set(canvasId, now);
			canvases.touch(db, canvasId).catch((error) => logger.warn({ err: error, canvasId }, 'could not touch canvas'));
		}
	});

	const hocuspocus = new Hocuspocus<ConnectionContext>({
		name: 'easel',
		quiet: true,
		// The update log is what makes edits durable; compaction can wait for a pause.
		debounce: 5_000,
		maxDebounce: 30_000,
		extensions: [
			new Authentication({ db, sessionDays: config.SESSION_DAYS }),
			new DocumentSizeLimit(config.MAX_DOCUMENT_BYTES),
			persistence,
			new Presence()
		]
	});

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
				const context = { ...(peer.context as unknown as ConnectionContext), ip: peer.remoteAddress ?? '' };
				const connection = hocuspocus.handleConnection(peer.websocket as WebSocket, peer.request as Request, context);
				(peer as unknown as { hocuspocus: typeof connection }).hocuspocus = connection;
			},
			message(peer, message) {
				(peer as unknown as { hocuspocus?: { handleMessage(data: Uint8Array): void } }).hocuspocus?.handleMessage(message.uint8Array());
			},
			close(peer, event) {
				(peer as unknown as { hocuspocus?: { handleClose(event: { code?: number; reason?: string }): void } }).hocuspocus?.handleClose({
					code: event.code,
					reason: event.reason
				});
			},
			error(peer, error) {
				logger.warn({ err: error, peer: peer.id }, 'websocket error');
			}
		}
	});

	function connectionsOf(document: Document) {
		return [...document.connections.keys()] as { context: ConnectionContext; close(event?: { code: number; reason: string }): void }[];
	}

	return {
		hocuspocus,
		persistence,
		handleUpgrade(request, socket, head) {
			const path = new URL(request.url ?? '/', 'http://localhost').pathname;
			if (path !== COLLAB_PATH) return false;
			void websockets.handleUpgrade(request, socket, head);
			return true;
		},
		async discardDocument(documentName, reason) {
			persistence.discard(documentName);
			const document = hocuspocus.documents.get(documentName);
			if (!document) return;
			for (const connection of connectionsOf(document)) connection.close({ code: 4404, reason });
		},
		async readDocument(documentName) {
			const live = hocuspocus.documents.get(documentName);
			const document = live ?? (await persistence.loadDetached(documentName));
			try {
				return { records: document.getMap('records').toJSON(), meta: document.getMap('meta').toJSON() };
			} finally {
				if (!live) document.destroy();
			}
		},
		closeSessionConnections(sessionId) {
			for (const document of hocuspocus.documents.values()) {
				for (const connection of connectionsOf(document)) {
					if (connection.context.sessionId === sessionId) connection.close({ code: 4401, reason: 'UNAUTHENTICATED' });
				}
			}
		},
		async shutdown() {
			accepting = false;
			await persistence.flush();
			await Promise.all([...hocuspocus.documents.values()].map((document) => persistence.compact(document)));
			websockets.closeAll(SERVICE_RESTART.code, SERVICE_RESTART.reason);
			persistence.close();
		}
	};
}

function readCookie(header: string | null, name: string): string | undefined {
	if (!header) return undefined;
	for (const part of header.split(';')) {
		const [key, ...value] = part.trim().split('=');
		if (key === name) return decodeURIComponent(value.join('='));
	}
	return undefined;
}
