// What each kind of collaborative document is allowed to be: its top-level Yjs types, who may open
// it (the same access question the HTTP routes ask) and whether it is served. A document whose
// kind has no entry here is refused like one that does not exist.
import type { Queryable } from '../../src/lib/server/db/index.ts';
import { resolveCanvasAccess, type Actor, type CanvasAccess } from '../../src/lib/server/access.ts';
import type { DocumentKind } from '../../src/lib/document-names.ts';
import { CHAT_MESSAGES } from '../../src/lib/chat/chat-document.ts';

export interface DocumentKindRules {
	/** The only top-level types a document of this kind may hold; writes to others are refused. */
	topLevelTypes: ReadonlySet<string>;
	/** Who may open the document of `canvasId`, and whether they may change it. */
	authorize(db: Queryable, actor: Actor, canvasId: string, shareToken?: string): Promise<CanvasAccess>;
}

export const DOCUMENT_KIND_RULES: Partial<Record<DocumentKind, DocumentKindRules>> = {
	canvas: {
		topLevelTypes: new Set(['records', 'meta']),
		authorize: resolveCanvasAccess
	},
	// The chat beside a canvas: whoever may see the canvas reads it, whoever may edit it writes
	// (messages are validated per author by chat-validation.ts).
	chat: {
		topLevelTypes: new Set([CHAT_MESSAGES]),
		authorize: resolveCanvasAccess
	}
};

/** The top-level types a document may hold, by its name; undefined for a kind not served. */
export function topLevelTypesOf(documentName: string): ReadonlySet<string> | undefined {
	return DOCUMENT_KIND_RULES[documentName.slice(0, documentName.indexOf(':')) as DocumentKind]?.topLevelTypes;
}
