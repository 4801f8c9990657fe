import { api, readJson, userActor } from '$lib/server/http/api';
import { checkoutSchema, requireStripe, startCheckout } from '$lib/server/stripe/checkout';
import type { RequestHandler } from './$types';

/** `{ plan: 'pro'|'team', seats? }` or `{ creditPack }` → `{ url }` of a Stripe Checkout page (owners). */
export const POST: RequestHandler = api(async (event) => {
	const { actor } = userActor(event);
	requireStripe(event.locals.services); // before the body: without Stripe there is nothing to check out
	const input = await readJson(event, checkoutSchema);
	return Response.json(await startCheckout(event.locals.services, actor, event.params.teamId, input));
});
