// What follows any change to who is in a team and with which role, for API routes and form actions alike.
import { runtime } from '../runtime.ts';
import { syncSeatQuantity } from '../stripe/webhooks.ts';

/** Re-authorises the changed members' open sockets at once and keeps the paid seat count in step. */
export async function afterMembershipChange(teamId: string, userIds: string[]): Promise<void> {
	const { collaboration, stripe, db, logger } = runtime();
	for (const userId of userIds) collaboration.closeConnections({ teamId, userId }, 'ACCESS_CHANGED');
	if (!stripe) return;
	// The membership change stands either way; a failed quantity update is retried by the next change.
	await syncSeatQuantity(db, stripe, teamId).catch((error) => logger.error({ err: error, teamId }, 'seat quantity not updated in Stripe'));
}
