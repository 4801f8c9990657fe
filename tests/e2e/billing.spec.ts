// Plans and limits in the UI: the canvas and seat limits with their upgrade prompts, the billing page
// with Stripe (a local Stripe-shaped server) and without it (self-hosted, plans set by the operator).
import { mkdirSync } from 'node:fs';
import type { APIRequestContext, Page } from '@playwright/test';
import Stripe from 'stripe';
import { startFakeStripe, STRIPE_TEST_ENV, type FakeStripe } from '../helpers/fake-stripe.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { uniqueEmail } from '../helpers/unique.ts';
import { expect, isReadonly, PASSWORD, SCREENS, signUpThroughUi, test as base, waitForCanvas, sameOrigin } from './fixtures.ts';

mkdirSync(SCREENS, { recursive: true });

/** This file's server sells plans through the fake Stripe. */
const test = base.extend<Record<never, never>, { fakeStripe: FakeStripe; server: { current: RunningServer } }>({
	fakeStripe: [
		async ({}, use) => {
			const fake = await startFakeStripe();
			await use(fake);
			await fake.close();
		},
		{ scope: 'worker' }
	],
	server: [
		async ({ fakeStripe }, use) => {
			const holder = { current: await startServer({ env: { ...STRIPE_TEST_ENV, STRIPE_API_BASE: fakeStripe.url } }) };
			await use(holder);
			await holder.current.dispose();
		},
		{ scope: 'worker' }
	]
});

const signer = new Stripe('sk_x');
let eventCounter = 0;

/** Sends a signed Stripe event to the server's webhook, as Stripe would (no browser cookie: not `page.request`). */
async function sendWebhook(request: APIRequestContext, type: string, object: Record<string, unknown>) {
	const payload = JSON.stringify({
		id: `evt_e2e_${++eventCounter}_${Date.now()}`,
		object: 'event',
		type,
		created: Math.floor(Date.now() / 1000),
		data: { object },
		api_version: '2025-01-01',
		livemode: false,
		pending_webhooks: 1,
		request: null
	});
	const signature = signer.webhooks.generateTestHeaderString({ payload, secret: STRIPE_TEST_ENV.STRIPE_WEBHOOK_SECRET });
	const response = await request.post('/api/webhooks/stripe', { data: payload, headers: { 'content-type': 'application/json', 'stripe-signature': signature } });
	expect(response.status(), await response.text()).toBeLessThan(300);
}

async function personalTeamId(page: Page): Promise<string> {
	const response = await page.request.get('/api/v1/me');
	const body = (await response.json()) as { teams: { id: string }[] };
	expect(body.teams).toHaveLength(1);
	return body.teams[0].id;
}

/** Signs a new account up through the API and makes it join the team with `role`. */
async function addMember(request: APIRequestContext, owner: Page, teamId: string, role: 'editor' | 'admin' | 'viewer') {
	const invited = await owner.request.post(`/api/v1/teams/${teamId}/invitations`, { data: { role }, headers: sameOrigin(owner) });
	expect(invited.status(), await invited.text()).toBe(201);
	const { token } = (await invited.json()) as { token: string };
	const signup = await request.post('/api/v1/auth/signup', { data: { email: uniqueEmail('member'), name: 'Member', password: PASSWORD } });
	expect(signup.status(), await signup.text()).toBe(201);
	const session = ((await signup.json()) as { token: string }).token;
	const accepted = await request.post(`/api/v1/invitations/${token}/accept`, { headers: { authorization: `Bearer ${session}` } });
	expect(accepted.status(), await accepted.text()).toBe(200);
}

test('a Free team: the 11th canvas and a 4th seat show the upgrade prompt', async ({ page, playwright, baseURL }) => {
	await signUpThroughUi(page, 'Fran');
	const teamId = await personalTeamId(page);
	for (let index = 1; index <= 10; index++) {
		const response = await page.request.post('/api/v1/canvases', { data: { title: `Canvas ${index}`, teamId }, headers: sameOrigin(page) });
		expect(response.status()).toBe(201);
	}
	await page.goto(`/teams/${teamId}`);
	await expect(page.getByText('10 canvases')).toBeVisible();
	await page.getByLabel('New canvas title').fill('One too many');
	await page.getByRole('button', { name: 'New canvas' }).click();
	const prompt = page.getByTestId('limit-notice');
	await expect(prompt).toContainText('The Free plan includes 10 canvases and this team has 10. Upgrade to Pro for more.');
	await expect(prompt.getByRole('link', { name: 'Upgrade' })).toHaveAttribute('href', `/teams/${teamId}/billing`);
	await page.screenshot({ path: `${SCREENS}/limit-canvases.png` });
	await page.setViewportSize({ width: 390, height: 800 });
	await page.screenshot({ path: `${SCREENS}/limit-canvases-390.png` });
	await page.setViewportSize({ width: 1280, height: 800 });

	// Seats: the owner and two editors fill Free's 3 seats; inviting another editor is refused.
	const request = await playwright.request.newContext({ baseURL });
	await addMember(request, page, teamId, 'editor');
	await addMember(request, page, teamId, 'editor');
	await page.goto(`/teams/${teamId}/members`);
	await page.getByRole('button', { name: /Create invitation link|Send invitation/ }).click();
	const seats = page.getByTestId('limit-notice');
	await expect(seats).toContainText('All 3 seats of the Free plan are taken (viewers are free). Upgrade to Pro for more.');
	await expect(seats.getByRole('link', { name: 'Upgrade' })).toBeVisible();
	await page.screenshot({ path: `${SCREENS}/limit-seats.png` });
	await request.dispose();
});

test('an editor at the canvas limit is told to ask an owner', async ({ browser }) => {
	const owner = await (await browser.newContext()).newPage();
	await signUpThroughUi(owner, 'Olivia');
	const teamId = await personalTeamId(owner);
	for (let index = 1; index <= 10; index++) await owner.request.post('/api/v1/canvases', { data: { title: `Canvas ${index}`, teamId }, headers: sameOrigin(owner) });
	const invited = await owner.request.post(`/api/v1/teams/${teamId}/invitations`, { data: { role: 'editor' }, headers: sameOrigin(owner) });
	const { url } = (await invited.json()) as { url: string };
	const editor = await (await browser.newContext()).newPage();
	await signUpThroughUi(editor, 'Eddie');
	await editor.goto(new URL(url).pathname);
	await editor.getByRole('button', { name: /^Join / }).click();
	await editor.waitForURL((target) => !target.pathname.startsWith('/invite'));
	await editor.goto(`/teams/${teamId}`);
	await editor.getByRole('button', { name: 'New canvas' }).click();
	const prompt = editor.getByTestId('limit-notice');
	await expect(prompt).toContainText('The Free plan includes 10 canvases');
	await expect(prompt).toContainText('Ask a team owner to upgrade the plan.');
	await expect(prompt.getByRole('link')).toHaveCount(0);
	// Only owners have the Billing tab.
	await expect(editor.getByRole('link', { name: 'Billing' })).toHaveCount(0);
});

test('the owner sees plan, seats and credits, and upgrading goes to Stripe Checkout', async ({ page, request, fakeStripe }) => {
	await signUpThroughUi(page, 'Paula');
	const teamId = await personalTeamId(page);
	await page.goto(`/teams/${teamId}`);
	await page.getByRole('link', { name: 'Billing' }).click();
	await expect(page.getByRole('heading', { name: 'Billing' })).toBeVisible();
	await expect(page.getByTestId('plan-name')).toHaveText('Free');
	await expect(page.getByTestId('seats')).toHaveText('1 of 3 used');
	await expect(page.getByRole('button', { name: 'Upgrade to Pro' })).toBeVisible();
	await expect(page.getByRole('button', { name: 'Buy 500 credits' })).toBeVisible();
	await page.screenshot({ path: `${SCREENS}/billing-free.png`, fullPage: true });

	// Checkout: the form answers with a redirect to the Checkout page Stripe made.
	let checkoutUrl: string | null = null;
	await page.route('https://checkout.stripe.test/**', async (route) => {
		checkoutUrl = route.request().url();
		await route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>Stripe Checkout (test)</h1>' });
	});
	await page.getByLabel('Seats for the Team plan').fill('4');
	await page.getByRole('button', { name: 'Upgrade to Team (seats: 4)' }).click();
	await expect(page.getByRole('heading', { name: 'Stripe Checkout (test)' })).toBeVisible();
	expect(checkoutUrl).toMatch(/^https:\/\/checkout\.stripe\.test\/cs_/);
	const session = fakeStripe.requests.filter((request) => request.path === '/v1/checkout/sessions').at(-1)!;
	expect(session.params.get('line_items[0][price]')).toBe('price_team');
	expect(session.params.get('line_items[0][quantity]')).toBe('4');

	// Back from Checkout; Stripe's webhook puts the team on Team with 5 seats.
	const subscription = fakeStripe.addSubscription({ teamId, priceId: 'price_team', quantity: 5 });
	await sendWebhook(request, 'customer.subscription.updated', { id: subscription.id });
	await page.goto(`/teams/${teamId}/billing?checkout=success`);
	await expect(page.getByText('Thank you! Your payment went through.')).toBeVisible();
	await expect(page.getByTestId('plan-name')).toHaveText('Team');
	await expect(page.getByTestId('seats')).toHaveText('1 of 5 used');
	await expect(page.getByRole('button', { name: 'Manage billing' })).toBeVisible();
	await expect(page.getByRole('button', { name: /Upgrade to/ })).toHaveCount(0);
	await page.screenshot({ path: `${SCREENS}/billing-team.png`, fullPage: true });

	// The portal button goes to Stripe's Customer Portal.
	await page.route('https://billing.stripe.test/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>Stripe portal (test)</h1>' }));
	await page.getByRole('button', { name: 'Manage billing' }).click();
	await expect(page.getByRole('heading', { name: 'Stripe portal (test)' })).toBeVisible();

	// A failed payment: a banner on every team page for the owner, with the grace date.
	fakeStripe.subscriptions.get(subscription.id)!.status = 'past_due';
	await sendWebhook(request, 'customer.subscription.updated', { id: subscription.id });
	await page.goto(`/teams/${teamId}`);
	const banner = page.getByTestId('payment-banner');
	await expect(banner).toContainText(/Payment failed — update your card by .+ to keep Team\./);
	await page.screenshot({ path: `${SCREENS}/billing-payment-failed-banner.png` });
	await page.goto(`/teams/${teamId}/billing?checkout=cancelled`);
	await expect(page.getByText('Checkout was cancelled; nothing was charged.')).toBeVisible();
	await expect(page.getByTestId('plan-status')).toHaveText('Payment failed');
	await page.setViewportSize({ width: 390, height: 900 });
	await page.screenshot({ path: `${SCREENS}/billing-past-due-390.png`, fullPage: true });
});

test('after a downgrade, canvases beyond the Free limit open read-only with an upgrade link', async ({ page, request, fakeStripe }) => {
	await signUpThroughUi(page, 'Dora');
	const teamId = await personalTeamId(page);
	const subscription = fakeStripe.addSubscription({ teamId, priceId: 'price_pro' });
	await sendWebhook(request, 'customer.subscription.updated', { id: subscription.id });
	const ids: string[] = [];
	for (let index = 1; index <= 11; index++) {
		const response = await page.request.post('/api/v1/canvases', { data: { title: `Pro canvas ${index}`, teamId }, headers: sameOrigin(page) });
		expect(response.status()).toBe(201);
		ids.push(((await response.json()) as { id: string }).id);
	}
	fakeStripe.subscriptions.get(subscription.id)!.status = 'canceled';
	await sendWebhook(request, 'customer.subscription.deleted', { id: subscription.id });

	await page.goto(`/c/${ids[10]}`);
	await waitForCanvas(page);
	const badge = page.getByTestId('plan-limit');
	await expect(badge).toContainText("Read-only: over the Free plan's 10 canvases");
	await expect(badge.getByRole('link', { name: 'upgrade' })).toHaveAttribute('href', `/teams/${teamId}/billing`);
	await expect.poll(() => isReadonly(page)).toBe(true);
	await page.screenshot({ path: `${SCREENS}/canvas-plan-limit.png` });
	await page.setViewportSize({ width: 390, height: 760 });
	await page.screenshot({ path: `${SCREENS}/canvas-plan-limit-390.png` });

	// The oldest ten stay editable.
	await page.setViewportSize({ width: 1280, height: 800 });
	await page.goto(`/c/${ids[0]}`);
	await waitForCanvas(page);
	await expect(page.getByTestId('plan-limit')).toHaveCount(0);
	await expect.poll(() => isReadonly(page)).toBe(false);
});

test('without Stripe the billing page shows the plan but no purchase buttons', async ({ browser }) => {
	const plain = await startServer();
	try {
		const context = await browser.newContext({ baseURL: plain.url });
		const page = await context.newPage();
		await signUpThroughUi(page, 'Sam');
		const teamId = await personalTeamId(page);
		await page.goto(`/teams/${teamId}/billing`);
		await expect(page.getByTestId('plan-name')).toHaveText('Free');
		await expect(page.getByTestId('seats')).toHaveText('1 of 3 used');
		await expect(page.getByTestId('credit-balance')).toBeVisible();
		await expect(page.getByTestId('operator-note')).toContainText('npm run admin -- set-plan');
		await expect(page.getByRole('button', { name: /Upgrade|Manage billing|Buy/ })).toHaveCount(0);
		await page.screenshot({ path: `${SCREENS}/billing-self-hosted.png`, fullPage: true });
		await page.setViewportSize({ width: 390, height: 900 });
		await page.screenshot({ path: `${SCREENS}/billing-self-hosted-390.png`, fullPage: true });
		await context.close();
	} finally {
		await plain.dispose();
	}
});
