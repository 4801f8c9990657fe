// Server-side validation of what clients write into a canvas: every record a client adds or changes
// in `records` (and every `meta` key) is checked by canvas-records.ts, and a bad one is reverted at
// once by the server: the previous value comes back, or the new record is removed. Reverting rather
// than refusing the Yjs update keeps every client's history causally intact (a refused update would
// strand the sender's later ones); the revert reaches all clients right behind the bad change, and
// the browser binding skips invalid records it receives. Server-side writers never get here: the
// write path (writes.ts) refuses their bad changes before they commit.
//
// A client that writes the same refused change again whenever it is reverted would loop for ever
// (every round logged and broadcast): such a connection is closed, loudly (revert-loops.ts). Content
// in top-level types a canvas doesn't have is deleted (unknown-types.ts).
import type { afterLoadDocumentPayload, Connection, Extension } from '@hocuspocus/server';
import type * as Y from 'yjs';
import { CONNECTION_CLOSES } from '../../src/lib/collab-protocol.ts';
import { validateMetaChanges, validateRecordChanges, type KeyChange, type RecordLimits } from '../../src/lib/server/canvas-records.ts';
import type { Logger } from '../../src/lib/server/logger.ts';
import { parseDocumentName } from '../../src/lib/document-names.ts';
import { DOCUMENT_KIND_RULES } from './document-kinds.ts';
import { REVERT_LOOP, RevertLoops } from './revert-loops.ts';
import { fromClient, guardTopLevelTypes } from './unknown-types.ts';

export class RecordValidation implements Extension {
	private readonly limits: RecordLimits;
	private readonly logger: Logger;
	private readonly onRejected: (count: number) => void;
	private readonly onRevertLoop: () => void;
	private readonly loops = new RevertLoops();

	constructor(options: RecordLimits & { logger: Logger; onRejected?: (count: number) => void; onRevertLoop?: () => void }) {
		this.limits = { maxRecordBytes: options.maxRecordBytes, maxRecords: options.maxRecords };
		this.logger = options.logger;
		this.onRejected = options.onRejected ?? (() => {});
		this.onRevertLoop = options.onRevertLoop ?? (() => {});
	}

	async afterLoadDocument({ document, documentName }: afterLoadDocumentPayload): Promise<void> {
		if (parseDocumentName(documentName)?.kind !== 'canvas') return;
		guardTopLevelTypes(document, documentName, DOCUMENT_KIND_RULES.canvas!.topLevelTypes, this, this.logger);
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
