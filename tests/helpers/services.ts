// Domain services for in-process tests: a real database, a collaboration control that records the
// sockets the domain closes and the documents it discards, optional Stripe, and a quiet logger.
import * as Y from 'yjs';
import type { Database } from '../../src/lib/server/db/index.ts';
import type { CloseReason, CollaborationControl, ConnectionMatch } from '../../src/lib/server/runtime.ts';
import type { Services } from '../../src/lib/server/services.ts';
import type { StripeSettings } from '../../src/lib/server/stripe/client.ts';
import { createLogger } from '../../src/lib/server/logger.ts';
import { FileBlobStore, type BlobStore } from '../../src/lib/server/assets/blob-store.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RecordedEffects {
	/** Every `closeConnections` call, in order. */
	closed: { match: ConnectionMatch; reason: CloseReason }[];
	/** Every `discardDocument` call, in order. */
	discarded: { documentName: string; reason: string }[];
}

export type RecordingServices = Services & { recorded: RecordedEffects; clear(): void };

/**
 * Services over `db` whose collaboration control records what is closed and discarded. Documents
 * read back as empty unless `readDocumentState` says otherwise; nothing is live, so nothing replaces.
 * Blobs go to a fresh temporary folder unless `blobs` is given.
 */
export function recordingServices(
	db: Database,
	options: { stripe?: StripeSettings | null; readDocumentState?: (documentName: string) => Promise<Uint8Array>; blobs?: BlobStore } = {}
): RecordingServices {
	const recorded: RecordedEffects = { closed: [], discarded: [] };
	const collaboration: CollaborationControl = {
		async discardDocument(documentName, reason) {
			recorded.discarded.push({ documentName, reason });
		},
		async readDocument() {
			return { records: {}, meta: {} };
		},
		readDocumentState: options.readDocumentState ?? (async () => Y.encodeStateAsUpdate(new Y.Doc())),
		async openingState() {
			return { updates: [], startLoading() {} };
		},
		async transact() {
			return { changed: 0 };
		},
		closeConnections(match, reason) {
			recorded.closed.push({ match, reason });
			return 0;
		},
		async openChat() {
			throw new Error('recordingServices has no live chat: use a collaboration server for chat tests');
		},
		setPeerPresence() {}
	};
	return {
		db,
		collaboration,
		stripe: options.stripe ?? null,
		logger: createLogger('silent'),
		blobs: options.blobs ?? new FileBlobStore(mkdtempSync(join(tmpdir(), 'easel-blobs-'))),
		recorded,
		clear() {
			recorded.closed.length = 0;
			recorded.discarded.length = 0;
		}
	};
}
