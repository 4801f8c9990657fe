// Coalesces a model's text deltas into at most one chat update per interval: a streamed answer
// arrives as hundreds of tiny deltas, and each write is a Yjs update every collaborator receives
// and the update log stores, so ~20 updates a second is plenty for reading along.

/** The default interval: at most ~20 updates a second. */
export const STREAM_FLUSH_INTERVAL_MS = 50;

export class TextStreamBuffer {
	private pending = '';
	private timer: ReturnType<typeof setTimeout> | undefined;
	/** The write in flight; writes never overlap, so text stays in order. */
	private writing: Promise<void> = Promise.resolve();
	private readonly write: (text: string) => Promise<void>;
	private readonly intervalMs: number;
	private failure: unknown;

	constructor(write: (text: string) => Promise<void>, intervalMs = STREAM_FLUSH_INTERVAL_MS) {
		this.write = write;
		this.intervalMs = intervalMs;
	}

	push(text: string): void {
		if (!text) return;
		this.pending += text;
		this.timer ??= setTimeout(() => void this.flushNow(), this.intervalMs);
	}

	/** Writes whatever is pending and waits for every write so far; rethrows a failed write. */
	async flush(): Promise<void> {
		await this.flushNow();
		if (this.failure) throw this.failure;
	}

	private flushNow(): Promise<void> {
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		const text = this.pending;
		this.pending = '';
		if (text) {
			this.writing = this.writing.then(() =>
				this.write(text).catch((error: unknown) => {
					this.failure ??= error;
				})
			);
		}
		return this.writing;
	}
}
