import { AppError } from '$lib/server/errors';
import { api, readJson, userActor } from '$lib/server/http/api';
import { runtime } from '$lib/server/runtime';
import { checkoutSchema, startCheckout } from '$lib/server/stripe/checkout';
import type { RequestHandler } from './$types';

/** `{ plan: 'pro'|'team', seats? }` or `{ creditPack }` → `{ url }` of a Stripe Checkout page (owners). */
export const POST: RequestHandler = api(async (event) => {
	const { actor } = userActor(event);
	const { stripe } = runtime();
	if (!stripe) throw new AppError('NOT_FOUND', 'Billing is not configured on this server: plans are assigned by the operator.');
	const input = await readJson(event, checkoutSchema);
	return Response.json(await startCheckout(event.locals.db, stripe, actor, event.params.teamId, input));
});
