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
			const ownedElsewhere = [...document.connections].some(
				([other, { clients }]) => other !== connection && clients.has(clientId)
			);
			if (ownedElsewhere) {
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
