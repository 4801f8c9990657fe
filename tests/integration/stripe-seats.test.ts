// Seats on the Team plan follow membership: an owner adding an editor buys a seat (prorated),
// removing one gives it back; through the real server and a local Stripe-shaped server.
import { afterAll, beforeAll, expect, it } from 'vitest';
import Stripe from 'stripe';
import { api, signUp, waitFor, type TestUser } from '../helpers/clients.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { startFakeStripe, STRIPE_TEST_ENV, type FakeStripe } from '../helpers/fake-stripe.ts';

let fake: FakeStripe;
let server: RunningServer;
let owner: TestUser;

beforeAll(async () => {
	fake = await startFakeStripe();
	server = await startServer({ env: { ...STRIPE_TEST_ENV, STRIPE_API_BASE: fake.url } });
	owner = await signUp(server.url, 'Seats');
});
afterAll(async () => {
	await server?.dispose();
	await fake?.close();
});

async function deliver(type: string, object: Record<string, unknown>) {
	const payload = JSON.stringify({ id: `evt_${crypto.randomUUID()}`, object: 'event', type, created: Math.floor(Date.now() / 1000), data: { object } });
	const signature = new Stripe('sk_unused').webhooks.generateTestHeaderString({ payload, secret: STRIPE_TEST_ENV.STRIPE_WEBHOOK_SECRET });
	return fetch(`${server.url}/api/webhooks/stripe`, { method: 'POST', body: payload, headers: { 'content-type': 'application/json', 'stripe-signature': signature } });
}

it('rejects unsigned webhooks with 400 and applies signed ones', async () => {
	const forged = await fetch(`${server.url}/api/webhooks/stripe`, {
		method: 'POST',
		body: '{"id":"evt_x","type":"invoice.paid"}',
		headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' }
	});
	expect(forged.status).toBe(400);
	expect((await forged.json()).error.code).toBe('INVALID_INPUT');
});

it('an owner promoting a viewer on a full Team plan buys a seat; removing a member gives one back', async () => {
	const teamId = (await api(server.url, '/api/v1/teams', { token: owner.token, body: { name: 'Paid' } })).body.id;
	const subscription = fake.addSubscription({ teamId, priceId: 'price_team', quantity: 1 });
	expect((await deliver('customer.subscription.created', { id: subscription.id })).status).toBe(200);
	const billing = await api(server.url, `/api/v1/teams/${teamId}/billing`, { token: owner.token });
	expect(billing.body).toMatchObject({ plan: 'team', seats: { used: 1, bought: 1 }, limits: { monthlyCredits: 1000 } });

	const viewer = await signUp(server.url, 'Promoted');
	const invite = await api(server.url, `/api/v1/teams/${teamId}/invitations`, { token: owner.token, body: { role: 'viewer' } });
	await api(server.url, `/api/v1/invitations/${invite.body.token}/accept`, { method: 'POST', token: viewer.token });
	const editorInvite = await api(server.url, `/api/v1/teams/${teamId}/invitations`, { token: owner.token, body: { role: 'editor' } });
	expect(editorInvite.status).toBe(402);
	expect(editorInvite.body.error).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'seats' } });

	const promoted = await api(server.url, `/api/v1/teams/${teamId}/members/${viewer.id}`, { method: 'PATCH', token: owner.token, body: { role: 'editor' } });
	expect(promoted.status).toBe(200);
	await waitFor(() => subscription.items.data[0].quantity === 2, 5000, 'the quantity to go up');
	const update = fake.requests.filter((request) => request.method === 'POST' && request.path === `/v1/subscriptions/${subscription.id}`).at(-1)!;
	expect(update.params.get('proration_behavior')).toBe('create_prorations');
	expect((await api(server.url, `/api/v1/teams/${teamId}/billing`, { token: owner.token })).body.seats).toEqual({ used: 2, bought: 2 });

	await api(server.url, `/api/v1/teams/${teamId}/members/${viewer.id}`, { method: 'DELETE', token: owner.token });
	await waitFor(() => subscription.items.data[0].quantity === 1, 5000, 'the quantity to go down');
});

it('checkout and portal answer with Stripe URLs for owners, and 404 without Stripe for others', async () => {
	const checkout = await api(server.url, `/api/v1/teams/${owner.personalTeamId}/billing/checkout`, { token: owner.token, body: { plan: 'pro' } });
	expect(checkout.body.url).toMatch(/^https:\/\/checkout\.stripe\.test\//);
	const portal = await api(server.url, `/api/v1/teams/${owner.personalTeamId}/billing/portal`, { method: 'POST', token: owner.token });
	expect(portal.body.url).toMatch(/^https:\/\/billing\.stripe\.test\//);
	const stranger = await signUp(server.url, 'Nosy');
	expect((await api(server.url, `/api/v1/teams/${owner.personalTeamId}/billing/checkout`, { token: stranger.token, body: { plan: 'pro' } })).status).toBe(404);
	expect((await api(server.url, `/api/v1/teams/${owner.personalTeamId}/billing`, { token: stranger.token })).status).toBe(404);
	expect((await api(server.url, `/api/v1/teams/${owner.personalTeamId}/credits`, { token: owner.token })).body).toMatchObject({
		balance: 50,
		entries: [{ delta: 50, reason: 'grant' }] // the Free plan's monthly credits, granted when first needed
	});
});
