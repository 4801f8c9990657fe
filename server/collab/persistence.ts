// Stores documents in the database: every update goes to the update log within one batch window,
// the in-memory document is compacted into a snapshot when edits pause, and a document is never
// unloaded while it holds updates the database does not have yet.
import type {
	afterUnloadDocumentPayload,
	beforeHandleMessagePayload,
	beforeUnloadDocumentPayload,
	Extension,
	onChangePayload,
	onLoadDocumentPayload,
	onStoreDocumentPayload
} from '@hocuspocus/server';
import * as Y from 'yjs';
import type { Database } from '../../src/lib/server/db/index.ts';
import { compactDocument, loadStoredDocument } from '../../src/lib/server/documents/document-store.ts';
import { UpdateLog } from '../../src/lib/server/documents/update-log.ts';
import { AppError } from '../../src/lib/server/errors.ts';
import type { Logger } from '../../src/lib/server/logger.ts';
import { carriesDocumentChanges } from './limits.ts';
import { refusal } from './refusal.ts';

/** How a change that arrives during shutdown is turned away: the client keeps it and reconnects. */
const SERVER_RESTARTING = { code: 1012, reason: 'Server restarting' };

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

	async onLoadDocument({ document, documentName }: onLoadDocumentPayload): Promise<void> {
		let stored;
		try {
			stored = await loadStoredDocument(this.options.db, documentName);
		} catch (error) {
			// Refuse the connection: handing out an empty document could later overwrite the stored one.
			this.options.logger.error({ err: error, documentName }, 'document load failed; connection refused');
			throw refusal(new AppError('UNAVAILABLE', 'The canvas could not be loaded right now. Try again shortly.'));
		}
		this.discarded.delete(documentName);
		this.options.onStoredSize?.(documentName, stored.bytes);
		Y.transact(
			document,
			() => {
				if (stored.snapshot) Y.applyUpdate(document, stored.snapshot);
				for (const update of stored.updates) Y.applyUpdate(document, update);
			},
			this
		);
	}

	/** A stored document read into a fresh Y.Doc that is not served to anyone. */
	async loadDetached(documentName: string): Promise<Y.Doc> {
		const stored = await loadStoredDocument(this.options.db, documentName);
		const document = new Y.Doc();
		if (stored.snapshot) Y.applyUpdate(document, stored.snapshot);
		for (const update of stored.updates) Y.applyUpdate(document, update);
		return document;
	}

	async beforeHandleMessage({ update }: beforeHandleMessagePayload): Promise<void> {
		// Hocuspocus acknowledges a change as soon as it is applied in memory; once shutdown has
		// flushed the log, an accepted change would be acknowledged and then dropped with the process.
		if (this.draining && carriesDocumentChanges(update)) throw SERVER_RESTARTING;
	}

	async onChange({ documentName, update }: onChangePayload): Promise<void> {
		if (this.discarded.has(documentName)) return;
		this.updateLog.append(documentName, update);
		this.options.onUpdate?.();
		this.options.onDocumentWritten?.(documentName);
	}

	async onStoreDocument({ document }: onStoreDocumentPayload): Promise<void> {
		await this.compact(document);
	}

	/** Folds the in-memory document into the stored snapshot and trims the log it covers. */
	async compact(document: Y.Doc & { name: string }): Promise<void> {
		const documentName = document.name;
		if (this.discarded.has(documentName)) return;
		// Everything written to the log so far is already applied to the in-memory document.
		const coveredSeq = this.updateLog.lastWrittenSeq(documentName);
		const state = Y.encodeStateAsUpdate(document);
		const stateVector = Y.encodeStateVector(document);
		try {
			await compactDocument(this.options.db, documentName, state, stateVector, coveredSeq);
			this.options.onStoredSize?.(documentName, state.byteLength);
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
		// stale object would cut the new one's clients off (a second copy loads for the next client,
		// and each copy's compaction then trims log rows holding the other's edits).
		void this.updateLog.whenSaved(documentName).then(() => {
			if (instance.documents.get(documentName) === document) void instance.unloadDocument(document);
		});
		throw new Error(`${documentName} has unsaved updates; kept in memory until they are written`);
	}

	async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
		this.updateLog.forget(documentName);
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
