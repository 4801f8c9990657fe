// Yjs document names, `<kind>:<canvas uuid>`: every kind of document a canvas owns shares its id.
// Universal (server, browser, bench): the only place names are built or parsed.

/** The kinds of document a canvas owns; `chat` documents share their canvas's uuid. */
export const DOCUMENT_KINDS = ['canvas', 'chat'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** Between the kind and the canvas id; SQL that builds names uses `documentNamePrefix`. */
export const DOCUMENT_NAME_SEPARATOR = ':';

/**
 * A known kind, the separator and a lowercase uuid, as a POSIX/JavaScript regular expression (the
 * same text works in PostgreSQL's `~`). Lowercase only: it is how PostgreSQL prints uuids, and two
 * spellings of one canvas must never become two live documents.
 */
export const DOCUMENT_NAME_PATTERN = `^(${DOCUMENT_KINDS.join('|')})${DOCUMENT_NAME_SEPARATOR}([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`;
const NAME = new RegExp(DOCUMENT_NAME_PATTERN);

/** What every name of this kind starts with (`canvas:`), e.g. for SQL that appends a canvas id. */
export function documentNamePrefix(kind: DocumentKind): string {
	return `${kind}${DOCUMENT_NAME_SEPARATOR}`;
}

export function documentName(kind: DocumentKind, canvasId: string): string {
	return `${documentNamePrefix(kind)}${canvasId}`;
}

/** The kind and canvas id of a name, or null for anything but `<known kind>:<uuid>`. */
export function parseDocumentName(name: string): { kind: DocumentKind; canvasId: string } | null {
	const match = NAME.exec(name);
	return match ? { kind: match[1] as DocumentKind, canvasId: match[2] } : null;
}

/** Every kind's document name for one canvas: what deleting the canvas must delete. */
export function documentNamesOf(canvasId: string): string[] {
	return DOCUMENT_KINDS.map((kind) => documentName(kind, canvasId));
}
