// Awareness identity is stamped by the server from the authenticated connection, so nobody can
// appear under another person's name or move another person's cursor; oversized or too frequent
// awareness updates are dropped before anyone else receives them.
import type { beforeHandleAwarenessPayload, Extension } from '@hocuspocus/server';
import type { ConnectionContext } from './context.ts';

export interface PresenceLimits {
	/** Largest awareness state (JSON characters) one client may publish. */
	maxStateBytes: number;
	/** Awareness updates one connection may send per second; the rest are dropped. */
	maxUpdatesPerSecond: number;
}

export class Presence implements Extension {
	private readonly limits: PresenceLimits;
	/** Per connection: the current one-second window and how many updates it held. */
	private readonly rates = new WeakMap<object, { windowStart: number; count: number }>();
	/** Per document: which connection first published each awareness client id (O(1) ownership checks). */
	private readonly owners = new WeakMap<object, Map<number, object>>();

	constructor(limits: PresenceLimits = { maxStateBytes: 8 * 1024, maxUpdatesPerSecond: 30 }) {
		this.limits = limits;
	}

	async beforeHandleAwareness({ states, context, connection, document }: beforeHandleAwarenessPayload<ConnectionContext>): Promise<void> {
		const user = context?.user;
		if (!user) return;
		if (connection && this.overRate(connection)) {
			states.clear();
			return;
		}
		for (const [clientId, state] of states) {
			if (state && JSON.stringify(state).length > this.limits.maxStateBytes) {
				states.delete(clientId);
				continue;
			}
			if (connection && this.ownedElsewhere(document, clientId, connection)) {
				states.delete(clientId);
				continue;
			}
			if (!state) continue;
			state.user = { ...user };
			if (state.presence && typeof state.presence === 'object') {
				state.presence = { ...state.presence, userId: user.id, userName: user.name, color: user.color };
			}
		}
	}

	/** Whether another open connection already speaks for this awareness client id; claims it otherwise. */
	private ownedElsewhere(document: { connections: Map<object, unknown> }, clientId: number, connection: object): boolean {
		let owners = this.owners.get(document);
		if (!owners) this.owners.set(document, (owners = new Map()));
		const owner = owners.get(clientId);
		if (owner && owner !== connection && document.connections.has(owner)) return true;
		owners.set(clientId, connection);
		// Forget clients of connections that closed, now and then (amortised O(1)).
		if (owners.size > 2 * document.connections.size + 16) {
			for (const [id, holder] of owners) if (!document.connections.has(holder)) owners.delete(id);
		}
		return false;
	}

	private overRate(connection: object): boolean {
		const now = Date.now();
		const rate = this.rates.get(connection);
		if (!rate || now - rate.windowStart >= 1000) {
			this.rates.set(connection, { windowStart: now, count: 1 });
			return false;
		}
		rate.count++;
		return rate.count > this.limits.maxUpdatesPerSecond;
	}
}
