// The collaboration server's composition root: Hocuspocus with Easel's extensions, the socket
// gateway on COLLAB_PATH (sockets.ts), this instance's connections (connections.ts), the write path
// (writes.ts) and, with Redis, the other instances (scale-out.ts); it answers the
// CollaborationControl questions the HTTP side asks.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Hocuspocus } from '@hocuspocus/server';
import * as Y from 'yjs';
import { SOCKET_CLOSES } from '../../src/lib/collab-protocol.ts';
import { parseDocumentName } from '../../src/lib/document-names.ts';
import * as canvases from '../../src/lib/server/canvases.ts';
import type { Config } from '../../src/lib/server/config.ts';
import type { Database } from '../../src/lib/server/db/index.ts';
import { AppError } from '../../src/lib/server/errors.ts';
import type { Logger } from '../../src/lib/server/logger.ts';
import { metrics } from '../../src/lib/server/metrics.ts';
import { ConnectionThrottle } from '../../src/lib/server/rate-limits.ts';
import type { CloseReason, CollaborationControl } from '../../src/lib/server/runtime.ts';
import { Authentication } from './authentication.ts';
import { AssetOwnership } from './asset-ownership.ts';
import { AutoVersions } from './auto-versions.ts';
import { ChatValidation } from './chat-validation.ts';
import { openChatWriter } from './chat-writer.ts';
import { trackLocalConnections } from './connections.ts';
import type { ConnectionContext } from './context.ts';
import { DocumentSizeLimit } from './limits.ts';
import { OpeningLoads } from './opening-loads.ts';
import { PeerPresences } from './peer-presence.ts';
import { Persistence } from './persistence.ts';
import { Presence } from './presence.ts';
import { RecordValidation } from './record-validation.ts';
import { ControlChannel, DocumentRelay, type ControlCommand, type RedisConnections } from './scale-out.ts';
import { SearchIndex } from './search-index.ts';
import { createSocketGateway } from './sockets.ts';
import { transactDocument } from './writes.ts';

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
	const meters = metrics();
	const recordLimits = { maxRecordBytes: config.MAX_RECORD_BYTES, maxRecords: config.MAX_RECORDS_PER_CANVAS };
	const sizeLimit = new DocumentSizeLimit(config.MAX_DOCUMENT_BYTES);
	const touchThrottle = new Map<string, number>();
	const persistence = new Persistence({
		onStoredSize: (documentName, bytes) => sizeLimit.setSize(documentName, bytes),
		db,
		logger,
		batchMs: config.PERSIST_BATCH_MS,
		onBatchWritten: (ms) => meters.persistBatchSeconds.observe(ms / 1000),
		onBatchFailed: () => meters.persistFailures.inc(),
		onDocumentWritten: (documentName) => {
			// Keeps the dashboard's "edited" order fresh without a write per keystroke; a chat message is not an edit of the canvas.
			const address = parseDocumentName(documentName);
			const canvasId = address?.kind === 'canvas' ? address.canvasId : undefined;
			const now = Date.now();
			if (!canvasId || now - (touchThrottle.get(canvasId) ?? 0) < 30_000) return;
			touchThrottle.set(canvasId, now);
			canvases.touch(db, canvasId).catch((error) => logger.warn({ err: error, canvasId }, 'could not touch canvas'));
		},
		onUpdate: () => meters.documentUpdates.inc()
	});

	const autoVersions = new AutoVersions({ db, logger });
	const searchIndex = new SearchIndex({ db, logger });
	const assetOwnership = new AssetOwnership({ db });
	const peerPresences = new PeerPresences();
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
				...recordLimits,
				logger,
				assets: assetOwnership,
				onRejected: (count) => meters.recordsRejected.inc(count),
				onRevertLoop: () => meters.revertLoops.inc()
			}),
			new ChatValidation({
				maxMessageChars: config.MAX_CHAT_MESSAGE_CHARS,
				maxMessages: config.MAX_CHAT_MESSAGES,
				logger,
				onRejected: (count) => meters.chatChangesRejected.inc(count),
				onRevertLoop: () => meters.revertLoops.inc()
			}),
			autoVersions,
			searchIndex,
			new Presence(),
			peerPresences
		]
	});
	peerPresences.attach(hocuspocus);

	meters.gauges.connections = () => hocuspocus.getConnectionsCount();
	meters.gauges.documents = () => hocuspocus.getDocumentsCount();
	meters.gauges.unsaved = () => persistence.updateLog.unsavedDocumentCount();

	const gateway = createSocketGateway({ hocuspocus, config, logger, meters, redis });
	const connections = trackLocalConnections(hocuspocus);
	// Each opening reads a whole canvas from the database and may start loading it: the same budget as sockets.
	const openingThrottle = new ConnectionThrottle({
		keyPrefix: `${config.REDIS_PREFIX}:canvas-openings`,
		points: config.WS_CONNECTIONS_PER_MINUTE,
		durationSeconds: 60,
		redis: redis?.limits
	});
	const openings = new OpeningLoads({ hocuspocus, db, logger });

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

	function discardLocalDocument(documentName: string, reason: string): void {
		persistence.discard(documentName);
		autoVersions.forget(documentName);
		connections.closeDocument(documentName, reason);
	}

	const control = redis
		? new ControlChannel(redis, logger, {
				onCommand: (command: ControlCommand) => {
					if (command.kind === 'close') connections.close(command.match, command.reason as CloseReason);
					else discardLocalDocument(command.documentName, command.reason);
				},
				// Revocations sent while Redis was away may be lost: every socket proves its access again.
				onReconnected: () => connections.close({}, 'ACCESS_CHANGED')
			})
		: undefined;

	return {
		hocuspocus,
		persistence,
		handleUpgrade: gateway.handleUpgrade,
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
		transact: (documentName, writer, change) =>
			transactDocument(hocuspocus, recordLimits, documentName, writer, change, assetOwnership, (name) => persistence.whenLogged(name)),
		openChat: (canvasId, writer) =>
			openChatWriter(hocuspocus, db, canvasId, writer, {
				maxMessages: config.MAX_CHAT_MESSAGES,
				isFull: (documentName) => sizeLimit.isFull(documentName),
				isDiscarded: (documentName) => persistence.isDiscarded(documentName)
			}),
		setPeerPresence: (canvasId, peerId, presence) => peerPresences.set(canvasId, peerId, presence),
		closeConnections(match, reason) {
			control?.send({ kind: 'close', match, reason });
			return connections.close(match, reason);
		},
		async shutdown() {
			gateway.stopAccepting();
			connections.stop();
			peerPresences.clear();
			await persistence.flush();
			await Promise.all(
				[...hocuspocus.documents.values()].map(async (document) => {
					await persistence.compact(document);
					// Shutdown skips Hocuspocus's store hooks: the last edits' text would otherwise wait for the next one.
					await searchIndex.onStoreDocument({ documentName: document.name, document });
				})
			);
			gateway.closeAll(SOCKET_CLOSES.SERVER_RESTARTING);
			openings.close();
			persistence.close();
		}
	};
}
