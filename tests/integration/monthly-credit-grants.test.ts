// Every team gets its plan's monthly credits once per period, with or without Stripe: lazily where the
// balance matters, and from a paid invoice, under the same period key; on both databases.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import Stripe from 'stripe';
import * as accounts from '../../src/lib/server/accounts.ts';
import * as billing from '../../src/lib/server/billing.ts';
import * as billingOverview from '../../src/lib/server/billing-overview.ts';
import * as credits from '../../src/lib/server/credits.ts';
import * as teams from '../../src/lib/server/teams.ts';
import { loadConfig } from '../../src/lib/server/config.ts';
import { creditLedger } from '../../src/lib/server/db/schema.ts';
import { stripeSettings, type StripeSettings } from '../../src/lib/server/stripe/client.ts';
import { handleWebhook } from '../../src/lib/server/stripe/webhooks.ts';
import type { Database } from '../../src/lib/server/db/index.ts';
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

function signed(type: string, object: Record<string, unknown>) {
	const payload = JSON.stringify({
		id: `evt_grant_${++eventCounter}_${Date.now()}`,
		object: 'event',
		type,
		created: Math.floor(Date.now() / 1000),
		data: { object },
		api_version: '2025-01-01',
		livemode: false,
		pending_webhooks: 1,
		request: null
	});
	return { payload, signature: signer.webhooks.generateTestHeaderString({ payload, secret: STRIPE_TEST_ENV.STRIPE_WEBHOOK_SECRET }) };
}

async function deliver(db: Database, type: string, object: Record<string, unknown>) {
	const event = signed(type, object);
	return handleWebhook(db, stripe, event.payload, event.signature);
}

const invoicePaid = (subscriptionId: string) => ({
	id: `in_grant_${++eventCounter}`,
	object: 'invoice',
	parent: { subscription_details: { subscription: subscriptionId } }
});

async function freshTeam(db: Database) {
	const user = await accounts.signUp(db, { email: uniqueEmail('grant'), password: 'password123', name: 'Grace' });
	const actor = { kind: 'user' as const, userId: user.id };
	const team = await teams.create(db, actor, 'Grant team');
	return { actor, teamId: team.id };
}

async function grants(db: Database, teamId: string) {
	const rows = await db
		.select({ delta: creditLedger.delta, reference: creditLedger.reference })
		.from(creditLedger)
		.where(and(eq(creditLedger.teamId, teamId), eq(creditLedger.reason, 'grant')))
		.orderBy(creditLedger.id);
	return rows;
}

/** The first instant of the month `offset` months after `date` (UTC), plus an hour. */
function monthStart(date: Date, offset: number): Date {
	return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + offset, 1, 1));
}

describeEachDatabase('monthly credit grants', (database, driver, anotherPool) => {
	it('a fresh Free team has 50 credits, on the billing page too', async () => {
		const { db } = database();
		const { actor, teamId } = await freshTeam(db);
		expect(await credits.currentBalance(db, teamId)).toBe(50);
		const overview = await billingOverview.overview(db, actor, teamId);
		expect(overview.credits.balance).toBe(50);
		expect(overview.limits.monthlyCredits).toBe(50);
		expect(overview.credits.entries).toEqual([expect.objectContaining({ delta: 50, reason: 'grant' })]);
		expect(await grants(db, teamId)).toEqual([{ delta: 50, reference: `period:${new Date().toISOString().slice(0, 7)}` }]);
	});

	it(`granting again, or 25 times at once, still gives 50 [${driver}${driver === 'postgres' ? ': two pools' : ''}]`, async () => {
		const { db } = database();
		const other = (await anotherPool()).db;
		const { teamId } = await freshTeam(db);
		const added = await Promise.all(Array.from({ length: 25 }, (_, index) => credits.ensureMonthlyGrant(index % 2 ? other : db, teamId)));
		expect(added.filter((amount) => amount > 0)).toEqual([50]);
		expect(await credits.ensureMonthlyGrant(db, teamId)).toBe(0);
		expect(await credits.balance(db, teamId)).toBe(50);
		expect(await grants(db, teamId)).toHaveLength(1);
	});

	it('the next month adds 50 more; unused credits stay', async () => {
		const { db } = database();
		const { teamId } = await freshTeam(db);
		const now = new Date();
		await credits.ensureMonthlyGrant(db, teamId, now);
		const reservation = await credits.reserve(db, teamId, 5, { now });
		await credits.commit(db, teamId, reservation, 5, now);
		expect(await credits.balance(db, teamId)).toBe(45);
		expect(await credits.ensureMonthlyGrant(db, teamId, monthStart(now, 1))).toBe(50);
		expect(await credits.ensureMonthlyGrant(db, teamId, monthStart(now, 1))).toBe(0);
		expect(await credits.balance(db, teamId)).toBe(95);
		expect(await credits.ensureMonthlyGrant(db, teamId, monthStart(now, 3))).toBe(50); // a skipped month is not back-filled
		expect(await credits.balance(db, teamId)).toBe(145);
	});

	it('a reservation on a team never granted before gets the grant first', async () => {
		const { db } = database();
		const { teamId } = await freshTeam(db);
		await credits.reserve(db, teamId, 3);
		expect(await credits.balance(db, teamId)).toBe(47);
		await expect(credits.reserve(db, teamId, 48)).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', details: { available: 47 } });
	});

	it('set-plan pro mid-month tops the month up to 1,000; a downgrade takes nothing back; seats bought add their share', async () => {
		const { db } = database();
		const { teamId } = await freshTeam(db);
		const now = new Date();
		expect(await credits.ensureMonthlyGrant(db, teamId, now)).toBe(50);
		await billing.setPlan(db, teamId, 'pro', null);
		expect(await credits.ensureMonthlyGrant(db, teamId, now)).toBe(950);
		expect(await credits.currentBalance(db, teamId, now)).toBe(1000);
		await billing.setPlan(db, teamId, 'free', null);
		expect(await credits.currentBalance(db, teamId, now)).toBe(1000);
		await billing.setPlan(db, teamId, 'team', 3);
		expect(await credits.ensureMonthlyGrant(db, teamId, now)).toBe(2000);
		await billing.setPlan(db, teamId, 'team', 5);
		expect(await credits.ensureMonthlyGrant(db, teamId, now)).toBe(2000);
		expect(await credits.currentBalance(db, teamId, now)).toBe(5000);
		const period = `period:${now.toISOString().slice(0, 7)}`;
		expect(await grants(db, teamId)).toEqual([
			{ delta: 50, reference: period },
			{ delta: 950, reference: `${period}:1000` },
			{ delta: 2000, reference: `${period}:3000` },
			{ delta: 2000, reference: `${period}:5000` }
		]);
		expect(await credits.ensureMonthlyGrant(db, teamId, monthStart(now, 1))).toBe(5000);
	});

	it('a paid invoice and the lazy grant in one Stripe period grant once, in either order', async () => {
		const { db } = database();
		const invoiceFirst = await freshTeam(db);
		const proFirst = fake.addSubscription({ teamId: invoiceFirst.teamId, priceId: 'price_pro' });
		await deliver(db, 'invoice.paid', invoicePaid(proFirst.id));
		expect(await credits.balance(db, invoiceFirst.teamId)).toBe(1000);
		expect(await credits.ensureMonthlyGrant(db, invoiceFirst.teamId)).toBe(0);
		await deliver(db, 'invoice.paid', invoicePaid(proFirst.id)); // e.g. a proration invoice in the same period
		expect(await credits.currentBalance(db, invoiceFirst.teamId)).toBe(1000);
		const periodEnd = new Date(proFirst.items.data[0].current_period_end * 1000).toISOString();
		expect(await grants(db, invoiceFirst.teamId)).toEqual([{ delta: 1000, reference: `period:stripe:${periodEnd}` }]);

		const lazyFirst = await freshTeam(db);
		const proLater = fake.addSubscription({ teamId: lazyFirst.teamId, priceId: 'price_pro' });
		await deliver(db, 'customer.subscription.created', { id: proLater.id });
		expect(await credits.currentBalance(db, lazyFirst.teamId)).toBe(1000);
		await deliver(db, 'invoice.paid', invoicePaid(proLater.id));
		expect(await credits.balance(db, lazyFirst.teamId)).toBe(1000);

		// Five deliveries of different invoices at once for one period still grant once.
		const concurrent = await freshTeam(db);
		const teamPlan = fake.addSubscription({ teamId: concurrent.teamId, priceId: 'price_team', quantity: 2 });
		await Promise.all(Array.from({ length: 5 }, () => deliver(db, 'invoice.paid', invoicePaid(teamPlan.id))));
		await Promise.all(Array.from({ length: 5 }, () => credits.ensureMonthlyGrant(db, concurrent.teamId)));
		expect(await credits.balance(db, concurrent.teamId)).toBe(2000);
	});

	it("subscribing through Stripe starts a new billing period with the plan's full grant; an unpaid period waits for its invoice", async () => {
		const { db } = database();
		const { teamId } = await freshTeam(db);
		expect(await credits.currentBalance(db, teamId)).toBe(50); // the Free month
		const subscription = fake.addSubscription({ teamId, priceId: 'price_pro' });
		await deliver(db, 'invoice.paid', invoicePaid(subscription.id));
		expect(await credits.balance(db, teamId)).toBe(1050);

		// The next period began but its payment failed: nothing is granted until the invoice is paid.
		const nextPeriodEnd = Math.floor(Date.now() / 1000) + 60 * 86400;
		subscription.items.data[0].current_period_end = nextPeriodEnd;
		subscription.status = 'past_due';
		await deliver(db, 'customer.subscription.updated', { id: subscription.id });
		expect(await credits.currentBalance(db, teamId)).toBe(1050);
		subscription.status = 'active';
		await deliver(db, 'invoice.paid', invoicePaid(subscription.id));
		expect(await credits.currentBalance(db, teamId)).toBe(2050);
		expect((await grants(db, teamId)).map((row) => row.reference)).toEqual([
			`period:${new Date().toISOString().slice(0, 7)}`,
			expect.stringMatching(/^period:stripe:/),
			`period:stripe:${new Date(nextPeriodEnd * 1000).toISOString()}`
		]);
	});
});
