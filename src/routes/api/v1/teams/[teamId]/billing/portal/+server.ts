import { AppError } from '$lib/server/errors';
import { api, userActor } from '$lib/server/http/api';
import { runtime } from '$lib/server/runtime';
import { openPortal } from '$lib/server/stripe/checkout';
import type { RequestHandler } from './$types';

/** `{ url }` of the Stripe Customer Portal for this team (owners). */
export const POST: RequestHandler = api(async (event) => {
	const { actor } = userActor(event);
	const { stripe } = runtime();
	if (!stripe) throw new AppError('NOT_FOUND', 'Billing is not configured on this server: plans are assigned by the operator.');
	return Response.json(await openPortal(event.locals.db, stripe, actor, event.params.teamId));
});
