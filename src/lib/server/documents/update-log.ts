// Batches document updates in memory and appends them to the database every few milliseconds.
// A failed append keeps the batch and retries with backoff, so nothing is dropped while the database is away.
import * as Y from 'yjs';
import type { Queryable } from '../db/index.ts';
import { appendDocumentUpdates } from './document-store.ts';

export interface UpdateLogOptions {
	/** How long updates wait before they are written together (the crash loss window). */
	batchMs: number;
	/** Longest wait between retries after failures. */
	maxBackoffMs?: number;
	onFlushed?: (info: { rows: number; bytes: number; ms: number }) => void;
	onFlushFailed?: (error: unknown, attempt: number) => void;
}

export class UpdateLog {
	/** Updates waiting to be written, per document, oldest first. */
	private pending = new Map<string, Uint8Array[]>();
	/** Updates taken by the append under way (put back on failure). */
	private inFlight = new Map<string, Uint8Array[]>();
	private timer: ReturnType<typeof setTimeout> | undefined;
	private flushing: Promise<void> | undefined;
	private failures = 0;
	private closed = false;
	/** Someone waits on the updates now pending: write them as soon as the append under way ends. */
	private urgent = false;
	/** Callers waiting for a document's updates to be written, per document. */
	private savedWaiters = new Map<string, (() => void)[]>();

	private readonly db: Queryable;
	private readonly options: UpdateLogOptions;

	constructor(db: Queryable, options: UpdateLogOptions) {
		this.db = db;
		this.options = options;
	}

	append(document: string, update: Uint8Array): void {
		const queue = this.pending.get(document);
		if (queue) queue.push(update);
		else this.pending.set(document, [update]);
		this.schedule(this.options.batchMs);
	}

	/** Whether the document has updates not yet in the database. */
	hasUnsaved(document: string): boolean {
		return this.pending.has(document) || this.inFlight.has(document);
	}

	unsavedDocumentCount(): number {
		return new Set([...this.pending.keys(), ...this.inFlight.keys()]).size;
	}

	/** Drops a document's unsaved updates (the document was deleted). */
	discard(document: string): void {
		this.pending.delete(document);
		this.notifySaved();
	}

	/** Writes everything now; resolves once nothing is pending, retrying failures until then. */
	async flushAll(): Promise<void> {
		while (this.pending.size > 0 || this.flushing) {
			if (this.flushing) await this.flushing;
			else await this.flush();
			if (this.failures > 0 && this.pending.size > 0) await sleep(this.backoffMs());
		}
	}

	/**
	 * Resolves once the document has nothing unsaved (at once when it has nothing now). Per document:
	 * the whole log is seldom idle on a busy server, and a document waiting to unload must not wait for others.
	 */
	whenSaved(document: string): Promise<void> {
		if (!this.hasUnsaved(document)) return Promise.resolve();
		return new Promise((resolve) => {
			const waiting = this.savedWaiters.get(document);
			if (waiting) waiting.push(resolve);
			else this.savedWaiters.set(document, [resolve]);
		});
	}

	/**
	 * Writes what is pending now instead of at the end of the batch window: a server-side writer
	 * answers its caller once its change is stored. Not while appends fail (the backoff stands).
	 */
	writeNow(): void {
		if (this.closed || this.failures > 0 || this.pending.size === 0) return;
		this.urgent = true;
		if (this.flushing) return;
		clearTimeout(this.timer);
		this.timer = undefined;
		void this.flush();
	}

	close(): void {
		this.closed = true;
		clearTimeout(this.timer);
	}

	private schedule(delayMs: number): void {
		if (this.timer || this.closed) return;
		this.timer = setTimeout(() => {
			this.timer = undefined;
			void this.flush();
		}, delayMs);
		this.timer.unref?.();
	}

	private flush(): Promise<void> {
		if (this.flushing) return this.flushing;
		if (this.pending.size === 0) return Promise.resolve();
		this.flushing = this.writeBatch().finally(() => {
			this.flushing = undefined;
			if (this.pending.size > 0 && this.urgent && this.failures === 0) {
				clearTimeout(this.timer);
				this.timer = undefined;
			}
			if (this.pending.size > 0) this.schedule(this.failures > 0 ? this.backoffMs() : this.urgent ? 0 : this.options.batchMs);
			this.notifySaved();
		});
		return this.flushing;
	}

	private async writeBatch(): Promise<void> {
		this.urgent = false;
		this.inFlight = this.pending;
		this.pending = new Map();
		const rows = [...this.inFlight].map(([document, updates]) => ({
			document,
			update: updates.length === 1 ? updates[0] : Y.mergeUpdates(updates)
		}));
		const started = performance.now();
		try {
			await appendDocumentUpdates(this.db, rows);
			this.failures = 0;
			this.options.onFlushed?.({
				rows: rows.length,
				bytes: rows.reduce((sum, row) => sum + row.update.byteLength, 0),
				ms: performance.now() - started
			});
		} catch (error) {
			this.failures++;
			// Put the batch back in front of anything that arrived meanwhile, keeping order.
			for (const [document, updates] of this.inFlight) {
				this.pending.set(document, [...updates, ...(this.pending.get(document) ?? [])]);
			}
			this.options.onFlushFailed?.(error, this.failures);
		} finally {
			this.inFlight = new Map();
		}
	}

	private backoffMs(): number {
		return Math.min(this.options.maxBackoffMs ?? 5000, this.options.batchMs * 2 ** Math.min(this.failures, 10));
	}

	private notifySaved(): void {
		for (const [document, waiting] of this.savedWaiters) {
			if (this.hasUnsaved(document)) continue;
			this.savedWaiters.delete(document);
			for (const resolve of waiting) resolve();
		}
	}
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
