// Keeps library search current: each time a canvas document is stored (Hocuspocus debounces that;
// server-side writes are stored too) its text is taken from its records and written when it changed;
// at start, canvases never indexed are indexed from their stored documents in the background.
import type { afterUnloadDocumentPayload, Extension, onStoreDocumentPayload } from '@hocuspocus/server';
import { parseDocumentName } from '../../src/lib/document-names.ts';
import { indexCanvasText, indexUnindexedCanvases, searchTextOf, unindexedCanvasCount } from '../../src/lib/server/canvas-search-index.ts';
import type { Database } from '../../src/lib/server/db/index.ts';
import type { Logger } from '../../src/lib/server/logger.ts';

export class SearchIndex implements Extension {
	/** The text last written (or found current) per loaded canvas, so an unchanged store costs no query. */
	private readonly indexed = new Map<string, string>();
	private readonly deps: { db: Database; logger: Logger };

	constructor(deps: { db: Database; logger: Logger }) {
		this.deps = deps;
	}

	async onStoreDocument({ documentName, document }: Pick<onStoreDocumentPayload, 'documentName' | 'document'>): Promise<void> {
		const address = parseDocumentName(documentName);
		if (address?.kind !== 'canvas') return;
		const text = searchTextOf(document.getMap('records').toJSON());
		if (this.indexed.get(documentName) === text) return;
		try {
			await indexCanvasText(this.deps.db, address.canvasId, text);
			this.indexed.set(documentName, text);
		} catch (error) {
			// Not a loss: the document is stored; its next store (or a restart's backfill, if it never was indexed) tries again.
			this.deps.logger.warn({ err: error, documentName }, 'canvas search text not updated');
		}
	}

	async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
		this.indexed.delete(documentName);
	}
}

/** How many canvases the backfill indexes between two progress lines in the log. */
const PROGRESS_EVERY = 500;

export interface SearchBackfillOptions {
	/** Canvases read per batch (each is one stored document). */
	batchSize?: number;
	/** Pause between batches, so requests on the same database (PGlite has one connection) go first. */
	pauseMs?: number;
	/** Wait after a failed batch (the database may be down) before trying again. */
	retryMs?: number;
}

/**
 * Indexes, in small batches in the background, every canvas whose search text was never taken
 * (canvases from before library search, or whose first store failed); never delays start-up.
 * Answers a function that stops it (and resolves once the batch in progress is done).
 */
export function startSearchBackfill(db: Database, logger: Logger, options: SearchBackfillOptions = {}): () => Promise<void> {
	const { batchSize = 20, pauseMs = 100, retryMs = 30_000 } = options;
	let stopped = false;
	let wake: (() => void) | undefined;
	const pause = (ms: number) =>
		new Promise<void>((resolve) => {
			const timer = setTimeout(resolve, ms);
			timer.unref();
			wake = () => {
				clearTimeout(timer);
				resolve();
			};
		});
	const run = async () => {
		let total: number | null = null;
		let done = 0;
		let reported = 0;
		while (!stopped) {
			try {
				total ??= await unindexedCanvasCount(db);
				if (total === 0) return;
				if (done === 0) logger.info({ canvases: total }, 'indexing canvases for library search');
				const indexed = await indexUnindexedCanvases(db, batchSize, (canvasId, error) =>
					logger.warn({ err: error, canvasId }, 'canvas document unreadable; indexed as empty for search')
				);
				done += indexed;
				if (indexed < batchSize) {
					logger.info({ canvases: done }, 'library search index complete');
					return;
				}
				if (done - reported >= PROGRESS_EVERY) {
					reported = done;
					logger.info({ indexed: done, of: total }, 'indexing canvases for library search');
				}
			} catch (error) {
				logger.warn({ err: error, indexed: done }, 'library search backfill failed; will retry');
				await pause(retryMs);
				continue;
			}
			await pause(pauseMs);
		}
	};
	const running = run();
	return async () => {
		stopped = true;
		wake?.();
		await running;
	};
}
