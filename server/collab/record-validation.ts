// Server-side validation of what clients write into a canvas: every record a client adds or changes
// in `records` (and every `meta` key) is checked by canvas-records.ts, and a bad one is reverted at
// once by the server: the previous value comes back, or the new record is removed. Reverting rather
// than refusing the Yjs update keeps every client's history causally intact (a refused update would
// strand the sender's later ones); the revert reaches all clients right behind the bad change, and
// the browser binding skips invalid records it receives. Server-side writers never get here: the
// write path (writes.ts) refuses their bad changes before they commit.
//
// A client that writes the same refused change again whenever it is reverted would loop for ever
// (every round logged and broadcast): such a connection is closed, loudly. Content in top-level
// types a canvas doesn't have is deleted (frames.ts refuses the writes it can see on arrival).
import { isTransactionOrigin, type afterLoadDocumentPayload, type Connection, type Extension } from '@hocuspocus/server';
import * as Y from 'yjs';
import { CONNECTION_CLOSES } from '../../src/lib/collab-protocol.ts';
import { validateMetaChanges, validateRecordChanges, type KeyChange, type RecordLimits } from '../../src/lib/server/canvas-records.ts';
import type { Logger } from '../../src/lib/server/logger.ts';
import { parseDocumentName } from '../../src/lib/document-names.ts';
import { DOCUMENT_KIND_RULES } from './document-kinds.ts';

/** Any Yjs type held in a document's `share` (top-level) map. */
type TopLevelType = Y.Doc['share'] extends Map<string, infer T> ? T : never;

/**
 * Reverted transactions from one connection within the window that mean it is looping: a person
 * pasting bad records is reverted once per paste, a client rewriting on every revert many times a second.
 */
export const REVERT_LOOP = { transactions: 30, windowMs: 10_000 };

export class RecordValidation implements Extension {
	private readonly limits: RecordLimits;
	private readonly logger: Logger;
	private readonly onRejected: (count: number) => void;
	private readonly onRevertLoop: () => void;
	/** Per connection: when its current window of reverts started, and how many it holds. */
	private readonly reverts = new WeakMap<Connection, { since: number; transactions: number }>();

	constructor(options: RecordLimits & { logger: Logger; onRejected?: (count: number) => void; onRevertLoop?: () => void }) {
		this.limits = { maxRecordBytes: options.maxRecordBytes, maxRecords: options.maxRecords };
		this.logger = options.logger;
		this.onRejected = options.onRejected ?? (() => {});
		this.onRevertLoop = options.onRevertLoop ?? (() => {});
	}

	async afterLoadDocument({ document, documentName }: afterLoadDocumentPayload): Promise<void> {
		if (parseDocumentName(documentName)?.kind !== 'canvas') return;
		const topLevelTypes = DOCUMENT_KIND_RULES.canvas!.topLevelTypes;
		// Stored before unknown types were refused: nothing reads them, so they go.
		for (const [name, type] of document.share) if (!topLevelTypes.has(name)) this.purge(document, name, type, documentName);
		document.on('afterTransaction', (transaction: Y.Transaction) => {
			if (!fromClient(transaction)) return;
			for (const changed of transaction.changed.keys()) {
				const [name, root] = rootOf(document, changed);
				if (name !== undefined && !topLevelTypes.has(name)) this.purge(document, name, root, documentName);
			}
		});
		const records = document.getMap<unknown>('records');
		const meta = document.getMap<unknown>('meta');
		records.observe((event, transaction) => {
			if (!fromClient(transaction)) return;
			const changes = event.changes.keys as Map<string, KeyChange>;
			this.revert(document, records, changes, validateRecordChanges(records, changes, this.limits), documentName, transaction);
		});
		meta.observe((event, transaction) => {
			if (!fromClient(transaction)) return;
			const changes = event.changes.keys as Map<string, KeyChange>;
			this.revert(document, meta, changes, validateMetaChanges(meta, changes, this.limits), documentName, transaction);
		});
	}

	private revert(
		document: Y.Doc,
		map: Y.Map<unknown>,
		changes: Map<string, KeyChange>,
		problems: Map<string, string>,
		documentName: string,
		transaction: Y.Transaction
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
		const connection = (transaction.origin as { connection?: Connection }).connection;
		const details = {
			documentName,
			userId: (connection?.context as { user?: { id?: string } } | undefined)?.user?.id,
			refused: [...problems].slice(0, 5).map(([key, problem]) => ({ key: key.slice(0, 80), problem }))
		};
		if (connection && this.isLooping(connection)) {
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

	/** Counts one reverted transaction from `connection`; true once it has had too many in the window. */
	private isLooping(connection: Connection): boolean {
		const now = Date.now();
		let window = this.reverts.get(connection);
		if (!window || now - window.since > REVERT_LOOP.windowMs) this.reverts.set(connection, (window = { since: now, transactions: 0 }));
		window.transactions++;
		return window.transactions > REVERT_LOOP.transactions;
	}

	/** Deletes everything in a top-level type the document kind doesn't have. */
	private purge(document: Y.Doc, name: string, root: TopLevelType, documentName: string): void {
		const items = [...root._map.values()];
		for (let item = root._start; item; item = item.right) items.push(item);
		const live = items.filter((item) => !item.deleted);
		if (live.length === 0) return;
		document.transact((transaction) => {
			for (const item of live) item.delete(transaction);
		}, this);
		this.logger.warn({ documentName, type: name.slice(0, 40), deleted: live.length }, 'deleted content in an unknown top-level type');
	}
}

/** The top-level type a (possibly nested) Yjs type belongs to, with its name. */
function rootOf(document: Y.Doc, type: TopLevelType): [string | undefined, TopLevelType] {
	let root = type;
	while (root._item && root._item.parent instanceof Y.AbstractType) root = root._item.parent;
	for (const [name, candidate] of document.share) if (candidate === root) return [name, root];
	return [undefined, root];
}

function fromClient(transaction: Y.Transaction): boolean {
	return isTransactionOrigin(transaction.origin) && transaction.origin.source === 'connection';
}
