import { AppError } from '$lib/server/errors';
import { api } from '$lib/server/http/api';
import { runtime } from '$lib/server/runtime';
import { handleWebhook } from '$lib/server/stripe/webhooks';
import type { RequestHandler } from './$types';

/** Stripe's webhook: the raw body is verified against its signature, then applied once. */
export const POST: RequestHandler = api(async ({ request, locals }) => {
	const { stripe } = runtime();
	if (!stripe) throw new AppError('NOT_FOUND', 'Billing is not configured on this server.');
	const result = await handleWebhook(locals.db, stripe, await request.text(), request.headers.get('stripe-signature'));
	return Response.json({ received: true, ...result });
});
