// Awareness identity is stamped by the server from the authenticated connection, so nobody can
// appear under another person's name or move another person's cursor.
import type { beforeHandleAwarenessPayload, Extension } from '@hocuspocus/server';
import type { ConnectionContext } from './context.ts';

export class Presence implements Extension {
	async beforeHandleAwareness({ states, context, connection, document }: beforeHandleAwarenessPayload<ConnectionContext>): Promise<void> {
		const user = context?.user;
		if (!user) return;
		for (const [clientId, state] of states) {
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
}
