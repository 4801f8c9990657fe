// Server-side validation of what clients write into a canvas: every record a client adds or changes
// in `records` (and every `meta` key) is checked by canvas-records.ts, and a bad one is reverted at
// once by the server: the previous value comes back, or the new record is removed. Reverting rather
// than refusing the Yjs update keeps every client's history causally intact (a refused update would
// strand the sender's later ones); the revert reaches all clients right behind the bad change, and
// the browser binding skips invalid records it receives. Server-side writers never get here: the
// write path (writes.ts) refuses their bad changes before they commit.
//
// An asset record pointing at a stored asset must point at one of its own canvas's (asset-ownership.ts):
// ids the document already knows pass at once; others are looked up in the database, and the change
// is reverted a moment later if the asset belongs elsewhere or does not exist (and the record still
// points at it). The document stays loaded until its lookups are done.
//
// A client that writes the same refused change again whenever it is reverted would loop for ever
// (every round logged and broadcast): such a connection is closed, loudly (revert-loops.ts). Content
// in top-level types a canvas doesn't have is deleted (unknown-types.ts).
import type { afterLoadDocumentPayload, afterUnloadDocumentPayload, beforeUnloadDocumentPayload, Connection, Extension } from '@hocuspocus/server';
import type * as Y from 'yjs';
import { assetIdOfRecord } from '../../src/lib/asset-urls.ts';
import { CONNECTION_CLOSES } from '../../src/lib/collab-protocol.ts';
import {
	changedAssetSources,
	foreignAssetProblem,
	validateMetaChanges,
	validateRecordChanges,
	type KeyChange,
	type RecordLimits
} from '../../src/lib/server/canvas-records.ts';
import type { Logger } from '../../src/lib/server/logger.ts';
import { parseDocumentName } from '../../src/lib/document-names.ts';
import type { AssetOwnership } from './asset-ownership.ts';
import { DOCUMENT_KIND_RULES } from './document-kinds.ts';
import { REVERT_LOOP, RevertLoops } from './revert-loops.ts';
import { fromClient, guardTopLevelTypes } from './unknown-types.ts';

/** Tries at asking the database who owns an asset before a record is left unchecked. */
const ASSET_LOOKUP_ATTEMPTS = 5;

export class RecordValidation implements Extension {
	private readonly limits: RecordLimits;
	private readonly logger: Logger;
	private readonly onRejected: (count: number) => void;
	private readonly onRevertLoop: () => void;
	private readonly loops = new RevertLoops();
	private readonly assets: AssetOwnership | undefined;
	/** Per document: its asset lookups in flight (it is not unloaded before they are done). */
	private readonly lookups = new Map<string, Set<Promise<void>>>();

	constructor(
		options: RecordLimits & {
			logger: Logger;
			/** Checks that asset records point at their own canvas's assets; without it they are not checked. */
			assets?: AssetOwnership;
			onRejected?: (count: number) => void;
			onRevertLoop?: () => void;
		}
	) {
		this.limits = { maxRecordBytes: options.maxRecordBytes, maxRecords: options.maxRecords };
		this.logger = options.logger;
		this.assets = options.assets;
		this.onRejected = options.onRejected ?? (() => {});
		this.onRevertLoop = options.onRevertLoop ?? (() => {});
	}

	async afterLoadDocument({ document, documentName }: afterLoadDocumentPayload): Promise<void> {
		const address = parseDocumentName(documentName);
		if (address?.kind !== 'canvas') return;
		guardTopLevelTypes(document, documentName, DOCUMENT_KIND_RULES.canvas!.topLevelTypes, this, this.logger);
		const records = document.getMap<unknown>('records');
		const meta = document.getMap<unknown>('meta');
		records.observe((event, transaction) => {
			if (!fromClient(transaction)) return;
			const changes = event.changes.keys as Map<string, KeyChange>;
			const problems = validateRecordChanges(records, changes, this.limits);
			this.revert(document, records, changes, problems, documentName, connectionOf(transaction));
			if (this.assets) this.checkAssets(document, records, changes, problems, address.canvasId, documentName, connectionOf(transaction));
		});
		meta.observe((event, transaction) => {
			if (!fromClient(transaction)) return;
			const changes = event.changes.keys as Map<string, KeyChange>;
			this.revert(document, meta, changes, validateMetaChanges(meta, changes, this.limits), documentName, connectionOf(transaction));
		});
		if (this.assets) {
			try {
				await this.assets.load(documentName, address.canvasId);
			} catch (error) {
				// Not fatal: every asset the document points at is then looked up when a client changes it.
				this.logger.warn({ err: error, documentName }, 'could not read the canvas’s assets; asset records are looked up one by one');
			}
		}
	}

	async beforeUnloadDocument({ documentName, document, instance }: beforeUnloadDocumentPayload): Promise<void> {
		const pending = this.lookups.get(documentName);
		if (!pending?.size) return;
		// Throwing keeps it in memory, so a refused asset can still be reverted; unloaded once the lookups are done.
		void Promise.all(pending).then(() => {
			if (instance.documents.get(documentName) === document) void instance.unloadDocument(document);
		});
		throw new Error(`${documentName} has asset lookups in flight; kept in memory until they are done`);
	}

	async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
		this.assets?.forget(documentName);
	}

	/**
	 * Asset records the client pointed at a stored asset not known to be the canvas's: looked up, and
	 * reverted to what they were when the asset is another canvas's or missing and the record still
	 * points at it. A lookup that fails is retried; after the last try the record is left (logged).
	 */
	private checkAssets(
		document: Y.Doc,
		records: Y.Map<unknown>,
		changes: Map<string, KeyChange>,
		problems: Map<string, string>,
		canvasId: string,
		documentName: string,
		connection: Connection | undefined
	): void {
		const unknown = new Map<string, { assetId: string; oldValue: unknown }>();
		for (const [key, assetId] of changedAssetSources(records, changes)) {
			if (!problems.has(key) && !this.assets!.owns(documentName, assetId)) unknown.set(key, { assetId, oldValue: changes.get(key)!.oldValue });
		}
		if (unknown.size === 0) return;
		const lookup = this.lookUpAssets(document, records, unknown, canvasId, documentName, connection);
		let pending = this.lookups.get(documentName);
		if (!pending) this.lookups.set(documentName, (pending = new Set()));
		pending.add(lookup);
		void lookup.finally(() => {
			pending.delete(lookup);
			if (pending.size === 0 && this.lookups.get(documentName) === pending) this.lookups.delete(documentName);
		});
	}

	private async lookUpAssets(
		document: Y.Doc,
		records: Y.Map<unknown>,
		unknown: Map<string, { assetId: string; oldValue: unknown }>,
		canvasId: string,
		documentName: string,
		connection: Connection | undefined
	): Promise<void> {
		const assetIds = [...unknown.values()].map((entry) => entry.assetId);
		let refused: Set<string> | undefined;
		for (let attempt = 1; !refused; attempt++) {
			try {
				refused = await this.assets!.verify(documentName, canvasId, assetIds);
			} catch (error) {
				if (attempt >= ASSET_LOOKUP_ATTEMPTS) {
					this.logger.error(
						{ err: error, documentName, assetIds: assetIds.slice(0, 5) },
						'could not check which canvas owns these assets; the records are left as written'
					);
					return;
				}
				await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
			}
		}
		const problems = new Map<string, string>();
		const changes = new Map<string, KeyChange>();
		for (const [key, { assetId, oldValue }] of unknown) {
			// Only while the record still points there: a later change may have put it right already.
			if (!refused.has(assetId) || assetIdOfRecord(records.get(key)) !== assetId) continue;
			problems.set(key, foreignAssetProblem(assetId));
			changes.set(key, { action: oldValue === undefined ? 'add' : 'update', oldValue });
		}
		this.revert(document, records, changes, problems, documentName, connection);
	}

	/** Puts back what each refused key held before `changes` (a new key is removed), and tells who wrote it. */
	private revert(
		document: Y.Doc,
		map: Y.Map<unknown>,
		changes: Map<string, KeyChange>,
		problems: Map<string, string>,
		documentName: string,
		connection: Connection | undefined
	): void {
		if (problems.size === 0) return;
		document.transact(() => {
			for (const key of problems.keys()) {
				const change = changes.get(key)!;
				if (change.action === 'add') map.delete(key);
				else map.set(key, change.oldValue);
			}
		}, this);
		this.onRejected(problems.size);
		const details = {
			documentName,
			userId: (connection?.context as { user?: { id?: string } } | undefined)?.user?.id,
			refused: [...problems].slice(0, 5).map(([key, problem]) => ({ key: key.slice(0, 80), problem }))
		};
		if (connection && this.loops.isLooping(connection)) {
			this.onRevertLoop();
			this.logger.error(
				details,
				`closed a connection that rewrote reverted records ${REVERT_LOOP.transactions} times in ${REVERT_LOOP.windowMs / 1000} s: its client writes what the server refuses (a bug in that client)`
			);
			connection.close(CONNECTION_CLOSES.REVERT_LOOP);
			return;
		}
		this.logger.warn(details, `reverted ${problems.size} invalid record change(s) from a client`);
	}
}

/** The socket connection a client's transaction came through. */
function connectionOf(transaction: Y.Transaction): Connection | undefined {
	return (transaction.origin as { connection?: Connection }).connection;
}
