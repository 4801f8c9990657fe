// When a sketch is sent: after drawing pauses, one request in flight per frame from this browser, and
// a sketch changed while one is in flight sent as soon as it returns (the server supersedes waiting
// jobs itself, so only the latest matters). `send` reads the frame as it is when it runs.

export interface SketchSubmitterOptions {
	/** How long changes must pause before a frame is sent. */
	pauseMs: number;
	/** Sends the frame's current sketch; its failures are its own to report. */
	send(frameId: string): Promise<void>;
}

export class SketchSubmitter {
	readonly #options: SketchSubmitterOptions;
	readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
	readonly #inFlight = new Set<string>();
	/** Frames changed (and paused) while their request was in flight. */
	readonly #waiting = new Set<string>();
	#disposed = false;

	constructor(options: SketchSubmitterOptions) {
		this.#options = options;
	}

	/** The frame changed: send it once changes pause. */
	changed(frameId: string): void {
		if (this.#disposed) return;
		const timer = this.#timers.get(frameId);
		if (timer !== undefined) clearTimeout(timer);
		this.#timers.set(
			frameId,
			setTimeout(() => {
				this.#timers.delete(frameId);
				void this.now(frameId);
			}, this.#options.pauseMs)
		);
	}

	/** Sends the frame now (or right after its request in flight); resolves when this browser's requests for it are done. */
	async now(frameId: string): Promise<void> {
		if (this.#disposed) return;
		const timer = this.#timers.get(frameId);
		if (timer !== undefined) {
			clearTimeout(timer);
			this.#timers.delete(frameId);
		}
		if (this.#inFlight.has(frameId)) {
			this.#waiting.add(frameId);
			return;
		}
		this.#inFlight.add(frameId);
		try {
			do {
				this.#waiting.delete(frameId);
				try {
					await this.#options.send(frameId);
				} catch (error) {
					console.error('[easel] could not send the sketch', error);
				}
			} while (this.#waiting.has(frameId) && !this.#disposed);
		} finally {
			this.#inFlight.delete(frameId);
		}
	}

	isInFlight(frameId: string): boolean {
		return this.#inFlight.has(frameId);
	}

	dispose(): void {
		this.#disposed = true;
		for (const timer of this.#timers.values()) clearTimeout(timer);
		this.#timers.clear();
		this.#waiting.clear();
	}
}
