// Stripe billing: webhooks with real signatures (stripe.webhooks.generateTestHeaderString), the
// official client against a local Stripe-shaped server, on both databases.
import { afterAll, beforeAll, expect, it } from 'vitest';
import Stripe from 'stripe';
import * as accounts from '../../src/lib/server/accounts.ts';
import * as billing from '../../src/lib/server/billing.ts';
import * as credits from '../../src/lib/server/credits.ts';
import { loadConfig } from '../../src/lib/server/config.ts';
import { stripeSettings, type StripeSettings } from '../../src/lib/server/stripe/client.ts';
import { openPortal, startCheckout } from '../../src/lib/server/stripe/checkout.ts';
import { recordingServices } from '../helpers/services.ts';
import { handleWebhook } from '../../src/lib/server/stripe/webhooks.ts';
import * as teams from '../../src/lib/server/teams.ts';
import type { OpenDatabase } from '../../src/lib/server/db/index.ts';
import { describeEachDatabase, uniqueEmail } from '../helpers/databases.ts';
import { startFakeStripe, STRIPE_TEST_ENV, type FakeStripe } from '../helpers/fake-stripe.ts';

let fake: FakeStripe;
let stripe: StripeSettings;
const signer = new Stripe('sk_test_unused');
let eventCounter = 0;

beforeAll(async () => {
	fake = await startFakeStripe();
	stripe = stripeSettings(loadConfig({ ...STRIPE_TEST_ENV, STRIPE_API_BASE: fake.url }))!;
});
afterAll(() => fake.close());

/** A Stripe event as Stripe would send it, signed with the webhook secret. */
function signed(type: string, object: Record<string, unknown>, secret = STRIPE_TEST_ENV.STRIPE_WEBHOOK_SECRET, id = `evt_${++eventCounter}_${Date.now()}`) {
	const payload = JSON.stringify({
		id,
		object: 'event',
		type,
		created: Math.floor(Date.now() / 1000),
		data: { object },
		api_version: '2025-01-01',
		livemode: false,
		pending_webhooks: 1,
		request: null
	});
	return { payload, signature: signer.webhooks.generateTestHeaderString({ payload, secret }), id };
}

async function ownerTeam(db: OpenDatabase['db']) {
	const user = await accounts.signUp(db, { email: uniqueEmail('payer'), password: 'password123', name: 'Payer' });
	const actor = { kind: 'user' as const, userId: user.id };
	const team = await teams.create(db, actor, 'Paying team');
	return { actor, teamId: team.id };
}

describeEachDatabase('stripe billing', (database) => {
	it('rejects forged, missing and stale signatures without changing anything', async () => {
		const { db } = database();
		const { teamId } = await ownerTeam(db);
		const subscription = fake.addSubscription({ teamId, priceId: 'price_pro' });
		const forged = signed('customer.subscription.updated', { id: subscription.id }, 'whsec_attacker');
		await expect(handleWebhook(db, stripe, forged.payload, forged.signature)).rejects.toMatchObject({ code: 'INVALID_INPUT', status: 400 });
		await expect(handleWebhook(db, stripe, forged.payload, null)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
		const good = signed('customer.subscription.updated', { id: subscription.id });
		const stale = signer.webhooks.generateTestHeaderString({
			payload: good.payload,
			secret: STRIPE_TEST_ENV.STRIPE_WEBHOOK_SECRET,
			timestamp: Math.floor(Date.now() / 1000) - 3600
		});
		await expect(handleWebhook(db, stripe, good.payload, stale)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
		await expect(handleWebhook(db, stripe, good.payload.replace('"livemode":false', '"livemode":true'), good.signature)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
		expect((await billing.teamPlan(db, teamId)).plan).toBe('free');
		await expect(handleWebhook(db, stripe, good.payload, good.signature)).resolves.toMatchObject({ applied: true });
		expect((await billing.teamPlan(db, teamId)).plan).toBe('pro');
	});

	it('applies each event once, also under concurrent duplicate delivery', async () => {
		const { db } = database();
		const { teamId } = await ownerTeam(db);
		const subscription = fake.addSubscription({ teamId, priceId: 'price_team', quantity: 4 });
		const paid = signed('invoice.paid', { id: `in_${eventCounter}`, object: 'invoice', parent: { subscription_details: { subscription: subscription.id } } });
		const results = await Promise.all(Array.from({ length: 5 }, () => handleWebhook(db, stripe, paid.payload, paid.signature)));
		expect(results.filter((result) => result.applied)).toHaveLength(1);
		expect(await credits.balance(db, teamId)).toBe(4000); // 1,000 per seat, granted once
		await expect(handleWebhook(db, stripe, paid.payload, paid.signature)).resolves.toMatchObject({ applied: false });
		expect(await credits.balance(db, teamId)).toBe(4000);
		expect((await billing.teamPlan(db, teamId)).limits).toMatchObject({ plan: 'team', seats: 4 });
	});

	it('is order-safe: a late, older subscription event cannot overwrite the newer state', async () => {
		const { db } = database();
		const { teamId } = await ownerTeam(db);
		const subscription = fake.addSubscription({ teamId, priceId: 'price_team', quantity: 2 });
		const older = signed('customer.subscription.updated', { id: subscription.id, items: { data: [{ quantity: 2 }] } });
		subscription.items.data[0].quantity = 6; // the customer added seats; Stripe now says 6
		const newer = signed('customer.subscription.updated', { id: subscription.id, items: { data: [{ quantity: 6 }] } });
		await handleWebhook(db, stripe, newer.payload, newer.signature);
		await handleWebhook(db, stripe, older.payload, older.signature); // delivered late
		expect((await billing.teamPlan(db, teamId)).limits.seats).toBe(6);
	});

	it('payment failure keeps the plan through a grace period, then cancellation falls back to free without deleting data', async () => {
		const { db } = database();
		const { teamId } = await ownerTeam(db);
		const subscription = fake.addSubscription({ teamId, priceId: 'price_pro' });
		const created = signed('customer.subscription.created', { id: subscription.id });
		await handleWebhook(db, stripe, created.payload, created.signature);
		subscription.status = 'past_due';
		const failed = signed('invoice.payment_failed', { id: 'in_failed', object: 'invoice', parent: { subscription_details: { subscription: subscription.id } } });
		await handleWebhook(db, stripe, failed.payload, failed.signature);
		const inGrace = await billing.teamPlan(db, teamId);
		expect(inGrace).toMatchObject({ plan: 'pro', status: 'past_due', limits: { plan: 'pro' } });
		expect(inGrace.graceUntil!.getTime()).toBeGreaterThan(Date.now() + 6 * 86_400_000);
		expect((await billing.teamPlan(db, teamId, new Date(Date.now() + 8 * 86_400_000))).limits.plan).toBe('free');
		subscription.status = 'canceled';
		const deleted = signed('customer.subscription.deleted', { id: subscription.id });
		await handleWebhook(db, stripe, deleted.payload, deleted.signature);
		expect(await billing.teamPlan(db, teamId)).toMatchObject({ plan: 'free', status: 'canceled', limits: { plan: 'free' } });
	});

	it('credit packs: a paid checkout adds credits once, a refund takes back its share', async () => {
		const { db } = database();
		const { teamId } = await ownerTeam(db);
		const completed = signed('checkout.session.completed', {
			id: 'cs_pack',
			object: 'checkout.session',
			mode: 'payment',
			payment_status: 'paid',
			payment_intent: `pi_${eventCounter}`,
			metadata: { teamId, credits: '500' }
		});
		await handleWebhook(db, stripe, completed.payload, completed.signature);
		expect(await credits.balance(db, teamId)).toBe(500);
		const paymentIntent = JSON.parse(completed.payload).data.object.payment_intent;
		const halfRefund = signed('charge.refunded', { id: 'ch_1', object: 'charge', payment_intent: paymentIntent, amount: 1000, amount_refunded: 500 });
		await handleWebhook(db, stripe, halfRefund.payload, halfRefund.signature);
		expect(await credits.balance(db, teamId)).toBe(250);
		const fullRefund = signed('charge.refunded', { id: 'ch_1', object: 'charge', payment_intent: paymentIntent, amount: 1000, amount_refunded: 1000 });
		await handleWebhook(db, stripe, fullRefund.payload, fullRefund.signature);
		expect(await credits.balance(db, teamId)).toBe(0);
	});

	it('checkout and portal go through the official client to the Stripe API', async () => {
		const { db } = database();
		const { actor, teamId } = await ownerTeam(db);
		const before = fake.requests.length;
		const { url } = await startCheckout(recordingServices(db, { stripe }), actor, teamId, { plan: 'team', seats: 3 });
		expect(url).toMatch(/^https:\/\/checkout\.stripe\.test\/cs_/);
		const calls = fake.requests.slice(before);
		expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual(['POST /v1/customers', 'POST /v1/checkout/sessions']);
		const session = calls[1].params;
		expect(session.get('mode')).toBe('subscription');
		expect(session.get('line_items[0][price]')).toBe('price_team');
		expect(session.get('line_items[0][quantity]')).toBe('3');
		expect(session.get('subscription_data[metadata][teamId]')).toBe(teamId);

		const pack = await startCheckout(recordingServices(db, { stripe }), actor, teamId, { creditPack: 2000 });
		expect(pack.url).toMatch(/checkout\.stripe\.test/);
		expect(fake.requests.at(-1)!.params.get('line_items[0][price]')).toBe('price_credits2000');
		await expect(startCheckout(recordingServices(db, { stripe }), actor, teamId, { creditPack: 7 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });

		const portal = await openPortal(recordingServices(db, { stripe }), actor, teamId);
		expect(portal.url).toMatch(/^https:\/\/billing\.stripe\.test\//);
		// The team's customer was created once and reused for the pack and the portal.
		expect(fake.requests.slice(before).filter((call) => call.path === '/v1/customers')).toHaveLength(1);

		const member = await accounts.signUp(db, { email: uniqueEmail(), password: 'password123' });
		await expect(startCheckout(recordingServices(db, { stripe }), { kind: 'user', userId: member.id }, teamId, { plan: 'pro' })).rejects.toMatchObject({
			code: 'NOT_FOUND'
		});
	});
});
