// Spotting a client that writes the same refused change again whenever the server reverts it: it
// would loop for ever (every round logged and broadcast), so the validators close it, loudly.
import type { Connection } from '@hocuspocus/server';

/**
 * Reverted transactions from one connection within the window that mean it is looping: a person
 * pasting bad records is reverted once per paste, a client rewriting on every revert many times a second.
 */
export const REVERT_LOOP = { transactions: 30, windowMs: 10_000 };

export class RevertLoops {
	/** Per connection: when its current window of reverts started, and how many it holds. */
	private readonly reverts = new WeakMap<Connection, { since: number; transactions: number }>();

	/** Counts one reverted transaction from `connection`; true once it has had too many in the window. */
	isLooping(connection: Connection): boolean {
		const now = Date.now();
		let window = this.reverts.get(connection);
		if (!window || now - window.since > REVERT_LOOP.windowMs) this.reverts.set(connection, (window = { since: now, transactions: 0 }));
		window.transactions++;
		return window.transactions > REVERT_LOOP.transactions;
	}
}
