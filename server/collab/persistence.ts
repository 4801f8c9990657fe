// Stores documents in the database: every update goes to the update log within one batch window,
// the in-memory document is compacted into a snapshot when edits pause, and a document is never
// unloaded while it holds updates the database does not have yet.
import {
	isTransactionOrigin,
	type afterUnloadDocumentPayload,
	type beforeHandleMessagePayload,
	type beforeUnloadDocumentPayload,
	type Extension,
	type onChangePayload,
	type onLoadDocumentPayload,
	type onStoreDocumentPayload
} from '@hocuspocus/server';
import * as Y from 'yjs';
import type { Database } from '../../src/lib/server/db/index.ts';
import { compactDocument, loadStoredDocument } from '../../src/lib/server/documents/document-store.ts';
import { UpdateLog } from '../../src/lib/server/documents/update-log.ts';
import { AppError } from '../../src/lib/server/errors.ts';
import type { Logger } from '../../src/lib/server/logger.ts';
import type { ConnectionContext } from './context.ts';
import { frameEffect } from './frames.ts';
import { SOCKET_CLOSES } from '../../src/lib/collab-protocol.ts';
import { refusal } from './refusal.ts';

/** How a change that arrives during shutdown is turned away: the client keeps it and reconnects. */

export interface PersistenceOptions {
	db: Database;
	logger: Logger;
	/** Update-log batch window in ms (the crash loss window). */
	batchMs: number;
	/** Called after a document's updates reached the database (e.g. to bump the canvas's updatedAt). */
	onDocumentWritten?: (documentName: string) => void;
	/** Every update received (metrics). */
	onUpdate?: () => void;
	onBatchWritten?: (ms: number) => void;
	onBatchFailed?: () => void;
	/** A document's stored size became known (on load, and after each compaction), for size limits. */
	onStoredSize?: (documentName: string, bytes: number) => void;
}

export class Persistence implements Extension {
	readonly updateLog: UpdateLog;
	/** Documents deleted while open: their late updates are dropped, not resurrected. */
	private readonly discarded = new Set<string>();
	/** Revision of the stored snapshot each loaded document was read from or last compacted into. */
	private readonly revisions = new Map<string, number>();
	/** Set by `flush()` at shutdown: from then on no change is accepted, so none is acknowledged and then lost. */
	private draining = false;

	private readonly options: PersistenceOptions;

	constructor(options: PersistenceOptions) {
		this.options = options;
		this.updateLog = new UpdateLog(options.db, {
			batchMs: options.batchMs,
			onFlushFailed: (error, attempt) => {
				options.onBatchFailed?.();
				options.logger.error({ err: error, attempt, unsavedDocuments: this.updateLog.unsavedDocumentCount() }, 'update log append failed; will retry');
			},
			onFlushed: ({ rows, ms }) => {
				options.onBatchWritten?.(ms);
				if (rows > 0) options.logger.trace({ rows }, 'update log appended');
			}
		});
	}

	async onLoadDocument({ document, documentName, context }: onLoadDocumentPayload<ConnectionContext>): Promise<void> {
		let stored;
		try {
			stored = context.storedDocument ?? (await loadStoredDocument(this.options.db, documentName));
		} catch (error) {
			// Refuse the connection: handing out an empty document could later overwrite the stored one.
			this.options.logger.error({ err: error, documentName }, 'document load failed; connection refused');
			throw refusal(new AppError('UNAVAILABLE', 'The canvas could not be loaded right now. Try again shortly.'));
		}
		this.discarded.delete(documentName);
		this.revisions.set(documentName, stored.revision);
		this.options.onStoredSize?.(documentName, stored.bytes);
		withoutUpdateEvents(document, () => applyStored(document, stored.snapshot, stored.updates, this));
	}

	/** A stored document read into a fresh Y.Doc that is not served to anyone. */
	async loadDetached(documentName: string): Promise<Y.Doc> {
		const stored = await loadStoredDocument(this.options.db, documentName);
		const document = new Y.Doc();
		applyStored(document, stored.snapshot, stored.updates, this);
		return document;
	}

	async beforeHandleMessage({ update }: beforeHandleMessagePayload): Promise<void> {
		// Hocuspocus acknowledges a change as soon as it is applied in memory; once shutdown has
		// flushed the log, an accepted change would be acknowledged and then dropped with the process.
		if (this.draining && frameEffect(update) === 'change') throw SOCKET_CLOSES.SERVER_RESTARTING;
	}

	async onChange({ documentName, update, transactionOrigin }: onChangePayload): Promise<void> {
		if (this.discarded.has(documentName)) return;
		// Already stored: what compaction merged in from the database, or what another instance
		// relayed through Redis (the instance its client is connected to logs it).
		if (transactionOrigin === this || (isTransactionOrigin(transactionOrigin) && transactionOrigin.source === 'redis')) return;
		this.updateLog.append(documentName, update);
		this.options.onUpdate?.();
		this.options.onDocumentWritten?.(documentName);
	}

	/**
	 * Resolves once the document's changes so far are in the update log, waiting no longer than a few
	 * batches (the database may be down: the log keeps retrying, and the document stays in memory).
	 */
	async whenLogged(documentName: string): Promise<void> {
		if (!this.updateLog.hasUnsaved(documentName)) return;
		this.updateLog.writeNow();
		await Promise.race([this.updateLog.whenSaved(documentName), new Promise((resolve) => setTimeout(resolve, Math.max(4 * this.options.batchMs, 500)))]);
	}

	async onStoreDocument({ document }: onStoreDocumentPayload): Promise<void> {
		await this.compact(document);
	}

	/**
	 * Folds the in-memory document and the stored log into a new snapshot. With several instances the
	 * log can hold updates this one has not received yet (or a snapshot another instance wrote), so
	 * those are merged into the live document first: the snapshot then covers every row it trims.
	 */
	async compact(document: Y.Doc & { name: string }): Promise<void> {
		const documentName = document.name;
		if (this.discarded.has(documentName)) return;
		// Updates still on their way to the log would land after the snapshot and stay behind it as a
		// tail until the next compaction: give them a few batches to arrive (not for ever: the database may be down).
		if (this.updateLog.hasUnsaved(documentName)) {
			await this.whenLogged(documentName);
			if (this.discarded.has(documentName)) return;
		}
		try {
			const { revision, bytes } = await compactDocument(this.options.db, documentName, this.revisions.get(documentName) ?? 0, (stored) => {
				applyStored(document, stored.foreignSnapshot, stored.updates, this);
				return { state: Y.encodeStateAsUpdate(document), stateVector: Y.encodeStateVector(document) };
			});
			this.revisions.set(documentName, revision);
			this.options.onStoredSize?.(documentName, bytes);
		} catch (error) {
			// Not a loss: the update log still holds every change; compaction runs again next time.
			this.options.logger.warn({ err: error, documentName }, 'document compaction failed');
		}
	}

	async beforeUnloadDocument({ documentName, document, instance }: beforeUnloadDocumentPayload): Promise<void> {
		if (!this.updateLog.hasUnsaved(documentName)) return;
		// Keep it in memory (throwing here stops the unload) and try again once its updates are written.
		// By then it may have been unloaded another way and loaded again as a new object, and
		// Hocuspocus's unloadDocument() removes whatever is registered under the name: unloading a
		// stale object would cut the new one's clients off (a second copy loads for the next client and
		// the two groups stop seeing each other's edits).
		void this.updateLog.whenSaved(documentName).then(async () => {
			if (instance.documents.get(documentName) !== document || this.discarded.has(documentName)) return;
			// What was just written is folded into the snapshot, so the next load reads one row.
			await this.compact(document);
			if (instance.documents.get(documentName) === document) void instance.unloadDocument(document);
		});
		throw new Error(`${documentName} has unsaved updates; kept in memory until they are written`);
	}

	async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
		this.revisions.delete(documentName);
	}

	/** Whether the document was deleted while open (its changes are no longer stored). */
	isDiscarded(documentName: string): boolean {
		return this.discarded.has(documentName);
	}

	/** Stops storing a deleted document. */
	discard(documentName: string): void {
		this.discarded.add(documentName);
		this.updateLog.discard(documentName);
	}

	/**
	 * For shutdown: refuses every further document change (the sender keeps it and resends it to the
	 * next server), then writes every pending update; resolves when the database has them all.
	 */
	flush(): Promise<void> {
		this.draining = true;
		return this.updateLog.flushAll();
	}

	close(): void {
		this.updateLog.close();
	}
}

/**
 * Runs `apply` on a document nobody is connected to yet with its 'update' listeners detached.
 * Hocuspocus's Document listens for 'update' from birth; with a listener, Yjs encodes everything
 * the load applied a second time just to emit it (a third of a cold load's CPU), and Hocuspocus
 * would buffer that copy for its next broadcast, so the first client got the canvas twice. Nothing
 * else listens before the load ends (Hocuspocus attaches its change hooks after onLoadDocument).
 * `_observers` is lib0's listener registry, the map Yjs itself checks before encoding.
 */
function withoutUpdateEvents(document: Y.Doc, apply: () => void): void {
	const listeners = document._observers.get('update');
	document._observers.delete('update');
	try {
		apply();
	} finally {
		if (listeners) document._observers.set('update', listeners);
	}
}

/** Applies a stored snapshot and log tail to a document in one transaction. */
function applyStored(document: Y.Doc, snapshot: Uint8Array | null, updates: Uint8Array[], origin: unknown): void {
	Y.transact(
		document,
		() => {
			if (snapshot) Y.applyUpdate(document, snapshot);
			for (const update of updates) Y.applyUpdate(document, update);
		},
		origin
	);
}
