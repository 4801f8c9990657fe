// Stripe webhooks: verify the signature on the raw body, apply each event once, and sync state by
// re-reading the subscription from Stripe, so retries and out-of-order delivery converge.
import { and, eq, like, sum } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Database, Queryable } from '../db/index.ts';
import { creditLedger, stripeEvents, teamBilling, SUBSCRIPTION_STATUSES, type PlanId, type SubscriptionStatus } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import * as billing from '../billing.ts';
import * as credits from '../credits.ts';
import type { StripeSettings } from './client.ts';

const DAY_MS = 86_400_000;
/** A failed payment keeps the paid plan this long (a banner asks to fix the card). */
export const PAYMENT_GRACE_DAYS = 7;

/** Verifies and applies one delivery; `applied: false` for an event seen before. */
export async function handleWebhook(
	db: Database,
	stripe: StripeSettings,
	rawBody: string,
	signature: string | null,
	now = new Date()
): Promise<{ applied: boolean; type: string }> {
	let event: Stripe.Event;
	try {
		event = stripe.client.webhooks.constructEvent(rawBody, signature ?? '', stripe.webhookSecret);
	} catch (error) {
		throw new AppError('INVALID_INPUT', `Webhook signature verification failed: ${(error as Error).message}`);
	}
	// The event row and its effects commit together: a failure rolls both back and Stripe retries;
	// a concurrent duplicate waits on the row and then finds it.
	return db.transaction(async (tx) => {
		const inserted = await tx.insert(stripeEvents).values({ id: event.id, type: event.type }).onConflictDoNothing().returning({ id: stripeEvents.id });
		if (inserted.length === 0) return { applied: false, type: event.type };
		await apply(tx, stripe, event, now);
		return { applied: true, type: event.type };
	});
}

async function apply(db: Queryable, stripe: StripeSettings, event: Stripe.Event, now: Date): Promise<void> {
	switch (event.type) {
		case 'checkout.session.completed': {
			const session = event.data.object;
			if (session.mode === 'subscription' && session.subscription) {
				await syncSubscription(db, stripe, idOf(session.subscription), now);
			} else if (session.mode === 'payment' && session.payment_status === 'paid') {
				const teamId = session.metadata?.teamId;
				const amount = Number(session.metadata?.credits);
				if (teamId && amount > 0) await credits.record(db, teamId, amount, 'purchase', idOf(session.payment_intent ?? session.id));
			}
			return;
		}
		case 'customer.subscription.created':
		case 'customer.subscription.updated':
		case 'customer.subscription.deleted':
			await syncSubscription(db, stripe, event.data.object.id, now);
			return;
		case 'invoice.paid': {
			const invoice = event.data.object;
			const subscriptionId = invoiceSubscription(invoice);
			if (!subscriptionId) return;
			const teamId = await syncSubscription(db, stripe, subscriptionId, now);
			if (!teamId) return;
			await db.update(teamBilling).set({ graceUntil: null }).where(eq(teamBilling.teamId, teamId));
			// Keyed by the subscription's period, as the lazy grant is: one grant per period, whoever comes first.
			await credits.grantMonthly(db, teamId, now);
			return;
		}
		case 'invoice.payment_failed': {
			const subscriptionId = invoiceSubscription(event.data.object);
			const teamId = subscriptionId ? await syncSubscription(db, stripe, subscriptionId, now) : null;
			if (teamId) {
				const [row] = await db.select({ graceUntil: teamBilling.graceUntil }).from(teamBilling).where(eq(teamBilling.teamId, teamId));
				if (!row?.graceUntil)
					await db
						.update(teamBilling)
						.set({ graceUntil: new Date(now.getTime() + PAYMENT_GRACE_DAYS * DAY_MS) })
						.where(eq(teamBilling.teamId, teamId));
			}
			return;
		}
		case 'charge.refunded': {
			const charge = event.data.object;
			if (!charge.payment_intent || !charge.amount) return;
			const paymentIntent = idOf(charge.payment_intent);
			const [purchase] = await db
				.select({ teamId: creditLedger.teamId, delta: creditLedger.delta })
				.from(creditLedger)
				.where(and(eq(creditLedger.reason, 'purchase'), eq(creditLedger.reference, paymentIntent)));
			if (!purchase) return; // not a credit pack
			const owed = Math.round((purchase.delta * charge.amount_refunded) / charge.amount);
			const [{ value }] = await db
				.select({ value: sum(creditLedger.delta) })
				.from(creditLedger)
				.where(and(eq(creditLedger.teamId, purchase.teamId), eq(creditLedger.reason, 'refund'), like(creditLedger.reference, `${charge.id}:%`)));
			const alreadyRefunded = -Number(value ?? 0);
			if (owed > alreadyRefunded) await credits.record(db, purchase.teamId, -(owed - alreadyRefunded), 'refund', `${charge.id}:${charge.amount_refunded}`);
			return;
		}
		default:
			return;
	}
}

/**
 * Makes the team's plan match the subscription as Stripe has it now (re-read, not taken from the
 * event), so an older event delivered late cannot overwrite a newer state. Returns the team id.
 */
export async function syncSubscription(db: Queryable, stripe: StripeSettings, subscriptionId: string, now = new Date()): Promise<string | null> {
	const subscription = await stripe.client.subscriptions.retrieve(subscriptionId);
	const teamId = subscription.metadata?.teamId;
	if (!teamId) return null;
	const item = subscription.items.data[0];
	const plan: PlanId = item?.price.id === stripe.prices.team ? 'team' : item?.price.id === stripe.prices.pro ? 'pro' : 'free';
	const ended = subscription.status === 'canceled' || subscription.status === 'incomplete_expired';
	const status = toStatus(subscription.status);
	const [current] = await db.select({ graceUntil: teamBilling.graceUntil }).from(teamBilling).where(eq(teamBilling.teamId, teamId));
	const values = ended
		? { plan: 'free' as const, seats: null, status: 'canceled' as const, stripeSubscriptionId: null, currentPeriodEnd: null, graceUntil: null }
		: {
				plan,
				seats: plan === 'team' ? (item?.quantity ?? 1) : null,
				status,
				stripeSubscriptionId: subscription.id,
				currentPeriodEnd: item?.current_period_end ? new Date(item.current_period_end * 1000) : null,
				graceUntil: status === 'past_due' || status === 'unpaid' ? (current?.graceUntil ?? new Date(now.getTime() + PAYMENT_GRACE_DAYS * DAY_MS)) : null
			};
	const customer = idOf(subscription.customer);
	await db
		.insert(teamBilling)
		.values({ teamId, stripeCustomerId: customer, ...values, updatedAt: now })
		.onConflictDoUpdate({ target: teamBilling.teamId, set: { stripeCustomerId: customer, ...values, updatedAt: now } });
	return teamId;
}

/** Keeps the Team plan's seat quantity equal to the seats in use (prorated), after members change. */
export async function syncSeatQuantity(db: Queryable, stripe: StripeSettings, teamId: string): Promise<void> {
	const [row] = await db
		.select({ plan: teamBilling.plan, subscriptionId: teamBilling.stripeSubscriptionId, seats: teamBilling.seats })
		.from(teamBilling)
		.where(eq(teamBilling.teamId, teamId));
	if (!row || row.plan !== 'team' || !row.subscriptionId) return;
	const wanted = Math.max(1, await billing.seatsUsed(db, teamId));
	if (wanted === row.seats) return;
	const subscription = await stripe.client.subscriptions.retrieve(row.subscriptionId);
	const item = subscription.items.data[0];
	await stripe.client.subscriptions.update(row.subscriptionId, {
		items: [{ id: item.id, quantity: wanted }],
		proration_behavior: 'create_prorations'
	});
	await db.update(teamBilling).set({ seats: wanted }).where(eq(teamBilling.teamId, teamId));
}

function toStatus(status: Stripe.Subscription.Status): SubscriptionStatus {
	return (SUBSCRIPTION_STATUSES as readonly string[]).includes(status) ? (status as SubscriptionStatus) : 'incomplete';
}

function invoiceSubscription(invoice: Stripe.Invoice): string | null {
	const fromParent = invoice.parent?.subscription_details?.subscription;
	return fromParent ? idOf(fromParent) : null;
}

function idOf(value: string | { id: string }): string {
	return typeof value === 'string' ? value : value.id;
}
