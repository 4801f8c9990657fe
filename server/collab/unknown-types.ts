// Content in top-level types a document's kind doesn't have is deleted: nothing would validate,
// bound or read it, yet it would be stored and sent to every reader. frames.ts refuses the writes
// it can see on arrival; this catches what was stored before, and items that inherit their parent
// from an item of an unknown type.
import { isTransactionOrigin } from '@hocuspocus/server';
import * as Y from 'yjs';
import type { Logger } from '../../src/lib/server/logger.ts';

/** Any Yjs type held in a document's `share` (top-level) map. */
type TopLevelType = Y.Doc['share'] extends Map<string, infer T> ? T : never;

/**
 * Purges unknown top-level types now, and after every client transaction that touches one; the
 * deletions are transactions with `origin` (the validator, trusted by everyone else).
 */
export function guardTopLevelTypes(document: Y.Doc, documentName: string, topLevelTypes: ReadonlySet<string>, origin: object, logger: Logger): void {
	for (const [name, type] of document.share) if (!topLevelTypes.has(name)) purge(document, name, type, documentName, origin, logger);
	document.on('afterTransaction', (transaction: Y.Transaction) => {
		if (!fromClient(transaction)) return;
		for (const changed of transaction.changed.keys()) {
			const [name, root] = rootOf(document, changed);
			if (name !== undefined && !topLevelTypes.has(name)) purge(document, name, root, documentName, origin, logger);
		}
	});
}

/** Whether a transaction applied what a client sent (not the server, not another instance). */
export function fromClient(transaction: Y.Transaction): boolean {
	return isTransactionOrigin(transaction.origin) && transaction.origin.source === 'connection';
}

function purge(document: Y.Doc, name: string, root: TopLevelType, documentName: string, origin: object, logger: Logger): void {
	const items = [...root._map.values()];
	for (let item = root._start; item; item = item.right) items.push(item);
	const live = items.filter((item) => !item.deleted);
	if (live.length === 0) return;
	document.transact((transaction) => {
		for (const item of live) item.delete(transaction);
	}, origin);
	logger.warn({ documentName, type: name.slice(0, 40), deleted: live.length }, 'deleted content in an unknown top-level type');
}

/** The top-level type a (possibly nested) Yjs type belongs to, with its name. */
function rootOf(document: Y.Doc, type: TopLevelType): [string | undefined, TopLevelType] {
	let root = type;
	while (root._item && root._item.parent instanceof Y.AbstractType) root = root._item.parent;
	for (const [name, candidate] of document.share) if (candidate === root) return [name, root];
	return [undefined, root];
}
