import { error, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { can } from '$lib/server/access';
import * as billingOverview from '$lib/server/billing-overview';
import { AppError } from '$lib/server/errors';
import { actorOf } from '$lib/server/http/actor';
import { formAction } from '$lib/server/http/forms';
import { openPortal, startCheckout } from '$lib/server/stripe/checkout';
import { runtime } from '$lib/server/runtime';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent }) => {
	const { team } = await parent();
	if (!can(team.role, 'team.billing')) error(403, 'Only team owners can see billing.');
	const overview = await billingOverview.overview(locals.db, actorOf(locals), team.id, { entries: 10 });
	const { stripe } = locals.services;
	return {
		billing: {
			plan: overview.plan,
			effectivePlan: overview.effectivePlan,
			status: overview.status,
			seats: overview.seats,
			renewsAt: overview.renewsAt?.toISOString() ?? null,
			graceUntil: overview.graceUntil?.toISOString() ?? null,
			// The operator may set one API budget for every team instead of the plan's.
			limits: { ...overview.limits, apiRequestsPerMinute: runtime().config.API_TEAM_REQUESTS_PER_MINUTE ?? overview.limits.apiRequestsPerMinute },
			upgrade: overview.upgrade
		},
		credits: {
			balance: overview.credits.balance,
			entries: overview.credits.entries.map((entry) => ({ ...entry, createdAt: entry.createdAt.toISOString() }))
		},
		stripeConfigured: stripe !== null,
		creditPacks: stripe ? stripe.creditPacks.map((pack) => pack.credits) : []
	};
};

const checkoutForm = z.union([
	z.object({ plan: z.literal('pro') }),
	z.object({
		plan: z.literal('team'),
		seats: z.coerce.number({ error: 'Seats must be a number.' }).int().min(1, { error: 'At least one seat.' }).max(1000, { error: 'At most 1000 seats.' })
	}),
	z.object({ creditPack: z.coerce.number().int() })
]);

/** The checkout form's filled-in fields as checkout input; its one message names the seats field. */
function checkoutInput(data: FormData) {
	const fields = Object.fromEntries([...data].filter(([key, value]) => key !== 'intent' && value !== ''));
	const parsed = checkoutForm.safeParse(fields);
	if (!parsed.success) throw new AppError('INVALID_INPUT', parsed.error.issues[0]?.message ?? 'Choose a plan or a credit pack.', { field: 'seats' });
	return parsed.data;
}

export const actions: Actions = {
	checkout: formAction(checkoutInput, async (input, { event, actor, services }) => {
		const { url } = await startCheckout(services, actor, event.params.teamId, input);
		redirect(303, url);
	}),
	portal: formAction(z.object({}), async (_, { event, actor, services }) => {
		const { url } = await openPortal(services, actor, event.params.teamId);
		redirect(303, url);
	})
};
