// Automatic versions: while a canvas is edited, one version at most every 10 minutes of activity,
// one when the last editor leaves, and one when a canvas only the server wrote to goes quiet.
import type { Extension, onChangePayload, onDisconnectPayload, onLoadDocumentPayload, onStoreDocumentPayload } from '@hocuspocus/server';
import * as Y from 'yjs';
import type { Database } from '../../src/lib/server/db/index.ts';
import * as history from '../../src/lib/server/history.ts';
import type { Logger } from '../../src/lib/server/logger.ts';
import type { ConnectionContext } from './context.ts';
import { parseDocumentName } from '../../src/lib/document-names.ts';

/** The socket id Hocuspocus gives a direct (server-side) connection. */
const SERVER_WRITER_SOCKET = 'server';

interface Activity {
	/** When the last version was captured (or the document loaded). */
	lastCapturedAt: number;
	/** Users whose edits are not in a version yet. */
	authors: Set<string>;
	dirty: boolean;
}

export class AutoVersions implements Extension {
	private readonly activity = new Map<string, Activity>();
	private readonly deps: { db: Database; logger: Logger; intervalMs?: number; now?: () => number };

	constructor(deps: { db: Database; logger: Logger; intervalMs?: number; now?: () => number }) {
		this.deps = deps;
	}

	private now(): number {
		return this.deps.now?.() ?? Date.now();
	}

	async afterLoadDocument({ documentName }: onLoadDocumentPayload): Promise<void> {
		if (parseDocumentName(documentName)?.kind !== 'canvas') return;
		this.activity.set(documentName, { lastCapturedAt: this.now(), authors: new Set(), dirty: false });
	}

	async onChange({ documentName, document, context }: onChangePayload<ConnectionContext>): Promise<void> {
		const activity = this.activity.get(documentName);
		if (!activity) return;
		activity.dirty = true;
		if (context?.user && !context.user.guest) activity.authors.add(context.user.id);
		if (this.now() - activity.lastCapturedAt >= (this.deps.intervalMs ?? history.AUTO_VERSION_INTERVAL_MS)) {
			await this.capture(documentName, document);
		}
	}

	async onDisconnect({ documentName, document, clientsCount, socketId }: onDisconnectPayload): Promise<void> {
		// A server writer (restore, the assistant, a streamed message) "disconnects" after every write:
		// a version each time would bury the history; the store below versions its work once it stops.
		if (socketId === SERVER_WRITER_SOCKET) return;
		if (clientsCount === 0 && this.activity.get(documentName)?.dirty) await this.capture(documentName, document);
	}

	/** The debounced store of a canvas nobody has open: what server writers left unversioned. */
	async onStoreDocument({ documentName, document, clientsCount }: onStoreDocumentPayload): Promise<void> {
		if (clientsCount === 0 && this.activity.get(documentName)?.dirty) await this.capture(documentName, document);
	}

	async afterUnloadDocument({ documentName }: { documentName: string }): Promise<void> {
		this.activity.delete(documentName);
	}

	/**
	 * Stops versioning a deleted document: its connections are closed next, and a version captured
	 * as they leave would outlive the canvas.
	 */
	forget(documentName: string): void {
		this.activity.delete(documentName);
	}

	private async capture(documentName: string, document: Y.Doc): Promise<void> {
		const activity = this.activity.get(documentName);
		if (!activity) return;
		const authorIds = [...activity.authors];
		activity.dirty = false;
		activity.authors.clear();
		activity.lastCapturedAt = this.now();
		try {
			await history.capture(this.deps.db, { document: documentName, state: Y.encodeStateAsUpdate(document), kind: 'auto', authorIds });
		} catch (error) {
			// A missed automatic version is not data loss (the document itself is stored); try again next time.
			activity.dirty = true;
			for (const id of authorIds) activity.authors.add(id);
			this.deps.logger.warn({ err: error, documentName }, 'automatic version not captured');
		}
	}
}
