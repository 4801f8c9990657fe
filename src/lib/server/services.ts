// What a domain function with effects beyond the database is given: the database, the collaboration
// server's control port, Stripe billing (or null), the logger and the blob store. Built once from the runtime
// (`services()` in runtime.ts); the collaboration server, scripts and tests build their own.
import type { Database } from './db/index.ts';
import type { Logger } from './logger.ts';
import type { CollaborationControl } from './collaboration-control.ts';
import type { StripeSettings } from './stripe/client.ts';
import type { BlobStore } from './assets/blob-store.ts';

export interface Services {
	db: Database;
	/** Closes or re-authorises open sockets, reads and replaces live documents. */
	collaboration: CollaborationControl;
	/** Stripe billing, or null when self-hosted without it. */
	stripe: StripeSettings | null;
	/** For side effects that may fail without undoing the committed change (they are logged). */
	logger: Logger;
	/** The bytes of assets, thumbnails and preview images (files under DATA_DIR/assets, or S3). */
	blobs: BlobStore;
}
