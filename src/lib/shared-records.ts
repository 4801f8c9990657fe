// Which tldraw records live in a canvas's shared Yjs document, for the browser binding and the
// server's validation alike: the binding writes only these and the server keeps only these.
//
// tldraw scopes more record types to the document than Easel shares. `user` records (name and
// colour for attribution) are identity, which comes from Easel's accounts and the server-stamped
// presence, never from what a client wrote into a canvas: shared, any guest could rename anyone,
// and tldraw rewrites its own user record whenever the document's copy differs from it.
// Everything else (camera, instance, pointer, presence) belongs to one tab.

/** Record type names kept in the shared document (`records` map), keyed by record id. */
export const SHARED_RECORD_TYPES: ReadonlySet<string> = new Set(['asset', 'binding', 'document', 'page', 'shape']);

/** Whether a record id (`<typeName>:<rest>`) is of a shared type. */
export function isSharedRecordId(id: string): boolean {
	const colon = id.indexOf(':');
	return colon > 0 && SHARED_RECORD_TYPES.has(id.slice(0, colon));
}
