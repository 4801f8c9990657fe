// Names of the collaborative documents, `<kind>:<canvas uuid>`: built and parsed only here.
export const DOCUMENT_KINDS = ['canvas', 'chat'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function documentName(kind: DocumentKind, canvasId: string): string {
	return `${kind}:${canvasId}`;
}

/** The kind and canvas of a document name; null for anything but `<known kind>:<uuid>`. */
export function parseDocumentName(name: string): { kind: DocumentKind; canvasId: string } | null {
	const colon = name.indexOf(':');
	const kind = name.slice(0, colon) as DocumentKind;
	const canvasId = name.slice(colon + 1);
	return colon > 0 && DOCUMENT_KINDS.includes(kind) && UUID.test(canvasId) ? { kind, canvasId } : null;
}

/** Every document name one canvas may own. */
export function documentNamesOf(canvasId: string): string[] {
	return DOCUMENT_KINDS.map((kind) => documentName(kind, canvasId));
}
