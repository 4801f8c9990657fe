// Opening a canvas in two steps: the browser fetches the stored updates over HTTP and decodes them
// while this server loads the same document for the socket that follows, which then carries only
// the difference. Without it the first client waits for the server to decode the whole canvas and
// then decodes it again itself (docs/decisions/2026-11-21-opening-a-canvas.md).
import type { Hocuspocus } from '@hocuspocus/server';
import type { Database } from '../../src/lib/server/db/index.ts';
import { loadStoredDocument, type StoredDocument } from '../../src/lib/server/documents/document-store.ts';
import type { Logger } from '../../src/lib/server/logger.ts';
import type { OpeningState } from '../../src/lib/server/runtime.ts';
import type { ConnectionContext } from './context.ts';

/** How long a document loaded for an opening waits for its socket; a slow device may take seconds to decode a big canvas. */
const OPENING_HOLD_MS = 30_000;

export class OpeningLoads {
	private readonly hocuspocus: Hocuspocus<ConnectionContext>;
	private readonly db: Database;
	private readonly logger: Logger;
	private readonly holdMs: number;
	private readonly holds = new Set<ReturnType<typeof setTimeout>>();

	constructor(deps: { hocuspocus: Hocuspocus<ConnectionContext>; db: Database; logger: Logger; holdMs?: number }) {
		this.hocuspocus = deps.hocuspocus;
		this.db = deps.db;
		this.logger = deps.logger;
		this.holdMs = deps.holdMs ?? OPENING_HOLD_MS;
	}

	/**
	 * The document as stored (snapshot first, then the log after it), read without decoding. When the
	 * document is open here its last few unsaved edits may be missing: the socket's sync brings them.
	 */
	async read(documentName: string): Promise<OpeningState> {
		const stored = await loadStoredDocument(this.db, documentName);
		return {
			updates: stored.snapshot ? [stored.snapshot, ...stored.updates] : stored.updates,
			startLoading: () => this.load(documentName, stored)
		};
	}

	/** Loads the document from what `read` already fetched, unless it is loaded or loading, and holds it a while. */
	private load(documentName: string, stored: StoredDocument): void {
		if (this.hocuspocus.documents.has(documentName) || this.hocuspocus.loadingDocuments.has(documentName)) return;
		const context: ConnectionContext = { ip: 'server', storedDocument: stored };
		this.hocuspocus
			.createDocument(documentName, new Request('http://localhost'), 'opening', { isAuthenticated: true, readOnly: true }, context)
			.then((document) => {
				const hold = setTimeout(() => {
					this.holds.delete(hold);
					// Unloading by name would remove whatever is registered now, so only this very object, if still unused.
					if (this.hocuspocus.documents.get(documentName) === document && document.getConnectionsCount() === 0) {
						void this.hocuspocus.unloadDocument(document);
					}
				}, this.holdMs);
				hold.unref();
				this.holds.add(hold);
			})
			.catch((error: unknown) => this.logger.warn({ err: error, documentName }, 'could not load a document for its opening; the socket will load it'));
	}

	close(): void {
		for (const hold of this.holds) clearTimeout(hold);
		this.holds.clear();
	}
}
