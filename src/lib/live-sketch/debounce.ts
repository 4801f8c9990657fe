// A trailing-edge debounce with flush and cancel, for edits that sync (prompt and strength in a frame's meta).

export interface Debounced<A extends unknown[]> {
	(...args: A): void;
	/** Runs the pending call now, if any. */
	flush(): void;
	/** Drops the pending call. */
	cancel(): void;
}

export function debounce<A extends unknown[]>(run: (...args: A) => void, waitMs: number): Debounced<A> {
	let timer: ReturnType<typeof setTimeout> | null = null;
	let pending: A | null = null;
	const fire = () => {
		timer = null;
		const args = pending;
		pending = null;
		if (args) run(...args);
	};
	const debounced = (...args: A) => {
		pending = args;
		if (timer !== null) clearTimeout(timer);
		timer = setTimeout(fire, waitMs);
	};
	debounced.flush = () => {
		if (timer !== null) clearTimeout(timer);
		fire();
	};
	debounced.cancel = () => {
		if (timer !== null) clearTimeout(timer);
		timer = null;
		pending = null;
	};
	return debounced;
}
