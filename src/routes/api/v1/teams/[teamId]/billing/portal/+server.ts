import { api, userActor } from '$lib/server/http/api';
import { openPortal } from '$lib/server/stripe/checkout';
import type { RequestHandler } from './$types';

/** `{ url }` of the Stripe Customer Portal for this team (owners). */
export const POST: RequestHandler = api(async (event) => {
	const { actor } = userActor(event);
	return Response.json(await openPortal(event.locals.services, actor, event.params.teamId));
});
