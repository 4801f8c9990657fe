// What the domain does once a change of who may reach what has committed: the open sockets it
// concerns are re-authorised or closed (guarantee 5, revocation within 5 s) and Stripe's seat
// quantity follows the team's membership. Domain mutations call these; routes never do.
import type { Services } from './services.ts';
import { syncSeatQuantity } from './stripe/webhooks.ts';

/**
 * After members joined, left or changed role: their sockets on the team's canvases reconnect and are
 * authorised afresh, and the paid seat count is brought in step. The change stands either way: a
 * failed quantity update is logged and retried by the next change.
 */
export async function membershipChanged(services: Services, teamId: string, userIds: string[]): Promise<void> {
	for (const userId of new Set(userIds)) services.collaboration.closeConnections({ teamId, userId }, 'ACCESS_CHANGED');
	if (!services.stripe) return;
	await syncSeatQuantity(services.db, services.stripe, teamId).catch((error) => services.logger.error({ err: error, teamId }, 'seat quantity not updated in Stripe'));
}
