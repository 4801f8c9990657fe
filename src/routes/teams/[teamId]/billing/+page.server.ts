import { error, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { can } from '$lib/server/access';
import * as billing from '$lib/server/billing';
import * as credits from '$lib/server/credits';
import { AppError } from '$lib/server/errors';
import { formFailure, formValues } from '$lib/server/http/forms';
import { PLANS, upgradeFor } from '$lib/server/plans';
import { runtime } from '$lib/server/runtime';
import { openPortal, startCheckout } from '$lib/server/stripe/checkout';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent }) => {
	const { team } = await parent();
	if (!can(team.role, 'team.billing')) error(403, 'Only team owners can see billing.');
	const [plan, seatsUsed, balance, rows] = await Promise.all([
		billing.teamPlan(locals.db, team.id),
		billing.seatsUsed(locals.db, team.id),
		credits.balance(locals.db, team.id),
		credits.ledger(locals.db, team.id, { limit: 60 })
	]);
	const { stripe } = runtime();
	return {
		billing: {
			plan: { id: plan.plan, name: PLANS[plan.plan].name },
			effectivePlan: PLANS[plan.limits.plan].name,
			status: plan.status,
			seats: { used: seatsUsed, bought: plan.limits.seats },
			renewsAt: plan.currentPeriodEnd?.toISOString() ?? null,
			graceUntil: plan.graceUntil?.toISOString() ?? null,
			limits: plan.limits,
			upgrade: upgradeFor(plan.plan)?.id ?? null
		},
		credits: { balance, entries: readableLedger(rows).slice(0, 10) },
		stripeConfigured: stripe !== null,
		creditPacks: stripe ? stripe.creditPacks.map((pack) => pack.credits) : []
	};
};

/**
 * Ledger rows as people read them: a settled AI reservation (hold + release + charge) shows only
 * as its charge; a hold not yet settled shows as work in progress.
 */
function readableLedger(rows: credits.LedgerRow[]) {
	const released = new Set(rows.filter((row) => row.reason === 'reservation_release').map((row) => row.reference));
	return rows
		.filter((row) => row.reason !== 'reservation_release' && !(row.reason === 'reservation' && released.has(row.reference)))
		.map((row) => ({ id: row.id, delta: row.delta, reason: row.reason, createdAt: row.createdAt.toISOString() }));
}

const checkoutForm = z.union([
	z.object({ plan: z.literal('pro') }),
	z.object({
		plan: z.literal('team'),
		seats: z.coerce.number({ error: 'Seats must be a number.' }).int().min(1, { error: 'At least one seat.' }).max(1000, { error: 'At most 1000 seats.' })
	}),
	z.object({ creditPack: z.coerce.number().int() })
]);

function requireStripe() {
	const { stripe } = runtime();
	if (!stripe) throw new AppError('NOT_FOUND', 'Billing is not configured on this server: plans are assigned by the operator.');
	return stripe;
}

export const actions: Actions = {
	checkout: async ({ request, locals, params }) => {
		if (!locals.user) redirect(303, '/login');
		const data = await request.formData();
		let url: string;
		try {
			const fields = Object.fromEntries([...data].filter(([key, value]) => key !== 'intent' && value !== ''));
			const parsed = checkoutForm.safeParse(fields);
			if (!parsed.success) throw new AppError('INVALID_INPUT', parsed.error.issues[0]?.message ?? 'Choose a plan or a credit pack.', { field: 'seats' });
			({ url } = await startCheckout(locals.db, requireStripe(), { kind: 'user', userId: locals.user.id }, params.teamId, parsed.data));
		} catch (caught) {
			return formFailure(caught, formValues(data));
		}
		redirect(303, url);
	},
	portal: async ({ request, locals, params }) => {
		if (!locals.user) redirect(303, '/login');
		const data = await request.formData();
		let url: string;
		try {
			({ url } = await openPortal(locals.db, requireStripe(), { kind: 'user', userId: locals.user.id }, params.teamId));
		} catch (caught) {
			return formFailure(caught, formValues(data));
		}
		redirect(303, url);
	}
};
