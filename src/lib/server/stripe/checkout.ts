// Selling plans and credit packs: Stripe Checkout sessions and the Customer Portal.
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Queryable } from '../db/index.ts';
import { teamBilling, teams } from '../db/schema.ts';
import { AppError, parseInput } from '../errors.ts';
import { requireTeamRole, type UserActor } from '../access.ts';
import * as billing from '../billing.ts';
import type { Services } from '../services.ts';
import type { StripeSettings } from './client.ts';

export const checkoutSchema = z.union([
	z.object({ plan: z.enum(['pro', 'team'], { error: "plan must be 'pro' or 'team'." }), seats: z.number().int().min(1).max(1000).optional() }).strict(),
	z.object({ creditPack: z.number({ error: 'creditPack is the number of credits of a pack.' }).int() }).strict()
]);

export type CheckoutInput = z.infer<typeof checkoutSchema>;

/** The team's Stripe customer, created on first use (metadata ties it back to the team). */
async function customerFor(db: Queryable, stripe: StripeSettings, teamId: string): Promise<string> {
	const [row] = await db.select({ customer: teamBilling.stripeCustomerId }).from(teamBilling).where(eq(teamBilling.teamId, teamId));
	if (row?.customer) return row.customer;
	const [team] = await db.select({ name: teams.name }).from(teams).where(eq(teams.id, teamId));
	const customer = await stripe.client.customers.create({ name: team.name, metadata: { teamId } });
	await db
		.insert(teamBilling)
		.values({ teamId, stripeCustomerId: customer.id })
		.onConflictDoUpdate({ target: teamBilling.teamId, set: { stripeCustomerId: customer.id } });
	return customer.id;
}

/** Stripe, or NOT_FOUND on a self-hosted server without it. */
export function requireStripe(services: Pick<Services, 'stripe'>): StripeSettings {
	if (!services.stripe) throw new AppError('NOT_FOUND', 'Billing is not configured on this server: plans are assigned by the operator.');
	return services.stripe;
}

/** A Checkout URL for a subscription (Team: quantity = seats) or a one-time credit pack. Owners only. */
export async function startCheckout(services: Services, actor: UserActor, teamId: string, rawInput: CheckoutInput): Promise<{ url: string }> {
	const { db } = services;
	const stripe = requireStripe(services);
	await requireTeamRole(db, actor, teamId, 'team.billing');
	const input = parseInput(checkoutSchema, rawInput);
	const customer = await customerFor(db, stripe, teamId);
	const returnUrl = `${stripe.publicOrigin}/teams/${teamId}/billing`;
	if ('plan' in input) {
		const seats = input.plan === 'team' ? Math.max(input.seats ?? 1, await billing.seatsUsed(db, teamId)) : 1;
		const session = await stripe.client.checkout.sessions.create({
			mode: 'subscription',
			customer,
			client_reference_id: teamId,
			line_items: [{ price: input.plan === 'team' ? stripe.prices.team : stripe.prices.pro, quantity: seats }],
			subscription_data: { metadata: { teamId } },
			metadata: { teamId, plan: input.plan },
			success_url: `${returnUrl}?checkout=success`,
			cancel_url: `${returnUrl}?checkout=cancelled`
		});
		return { url: session.url! };
	}
	const pack = stripe.creditPacks.find((candidate) => candidate.credits === input.creditPack);
	if (!pack) {
		throw new AppError('INVALID_INPUT', `There is no pack of ${input.creditPack} credits. Packs: ${stripe.creditPacks.map((p) => p.credits).join(', ') || 'none'}.`, {
			field: 'creditPack'
		});
	}
	const session = await stripe.client.checkout.sessions.create({
		mode: 'payment',
		customer,
		client_reference_id: teamId,
		line_items: [{ price: pack.priceId, quantity: 1 }],
		metadata: { teamId, credits: String(pack.credits) },
		payment_intent_data: { metadata: { teamId, credits: String(pack.credits) } },
		success_url: `${returnUrl}?checkout=success`,
		cancel_url: `${returnUrl}?checkout=cancelled`
	});
	return { url: session.url! };
}

/** A Customer Portal URL to manage the subscription and payment methods. Owners only. */
export async function openPortal(services: Services, actor: UserActor, teamId: string): Promise<{ url: string }> {
	const { db } = services;
	const stripe = requireStripe(services);
	await requireTeamRole(db, actor, teamId, 'team.billing');
	const customer = await customerFor(db, stripe, teamId);
	const session = await stripe.client.billingPortal.sessions.create({ customer, return_url: `${stripe.publicOrigin}/teams/${teamId}/billing` });
	return { url: session.url };
}
