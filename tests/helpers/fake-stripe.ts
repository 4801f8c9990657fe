// A local HTTP server speaking the small part of the Stripe API that Easel uses, so the official
// `stripe` client runs unchanged against it (host/port/protocol options). It records requests and
// holds subscriptions whose current state tests can change, like Stripe's own dashboard would.
import { createServer, type Server } from 'node:http';

export interface FakeSubscription {
	id: string;
	customer: string;
	status: string;
	metadata: Record<string, string>;
	items: { data: { id: string; quantity: number; price: { id: string }; current_period_end: number }[] };
}

export interface FakeStripe {
	url: string;
	requests: { method: string; path: string; params: URLSearchParams }[];
	subscriptions: Map<string, FakeSubscription>;
	addSubscription(input: { teamId: string; priceId: string; quantity?: number; status?: string; customer?: string }): FakeSubscription;
	close(): Promise<void>;
}

export async function startFakeStripe(): Promise<FakeStripe> {
	const requests: FakeStripe['requests'] = [];
	const subscriptions = new Map<string, FakeSubscription>();
	let counter = 0;
	const nextId = (prefix: string) => `${prefix}_test${++counter}`;

	const server: Server = createServer((request, response) => {
		let body = '';
		request.on('data', (chunk) => (body += chunk));
		request.on('end', () => {
			const url = new URL(request.url ?? '/', 'http://localhost');
			const params = new URLSearchParams(request.method === 'GET' ? url.search : body);
			requests.push({ method: request.method ?? 'GET', path: url.pathname, params });
			const send = (status: number, payload: unknown) => {
				response.writeHead(status, { 'content-type': 'application/json', 'request-id': nextId('req') });
				response.end(JSON.stringify(payload));
			};
			if (request.headers.authorization !== 'Bearer sk_test_easel') {
				return send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
			}
			const path = url.pathname;
			if (request.method === 'POST' && path === '/v1/customers') {
				return send(200, { id: nextId('cus'), object: 'customer', name: params.get('name'), metadata: { teamId: params.get('metadata[teamId]') } });
			}
			if (request.method === 'POST' && path === '/v1/checkout/sessions') {
				const id = nextId('cs');
				return send(200, { id, object: 'checkout.session', mode: params.get('mode'), url: `https://checkout.stripe.test/${id}` });
			}
			if (request.method === 'POST' && path === '/v1/billing_portal/sessions') {
				const id = nextId('bps');
				return send(200, { id, object: 'billing_portal.session', url: `https://billing.stripe.test/${id}` });
			}
			const subscription = /^\/v1\/subscriptions\/([\w]+)$/.exec(path);
			if (subscription) {
				const found = subscriptions.get(subscription[1]);
				if (!found) return send(404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such subscription' } });
				if (request.method === 'POST') {
					const quantity = params.get('items[0][quantity]');
					if (quantity) found.items.data[0].quantity = Number(quantity);
				}
				return send(200, { object: 'subscription', ...found });
			}
			send(404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${request.method}: ${path})` } });
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as { port: number }).port;
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		subscriptions,
		addSubscription({ teamId, priceId, quantity = 1, status = 'active', customer = nextId('cus') }) {
			const id = nextId('sub');
			const created: FakeSubscription = {
				id,
				customer,
				status,
				metadata: { teamId },
				items: { data: [{ id: nextId('si'), quantity, price: { id: priceId }, current_period_end: Math.floor(Date.now() / 1000) + 30 * 86400 }] }
			};
			subscriptions.set(id, created);
			return created;
		},
		close: () => new Promise((resolve) => server.close(() => resolve()))
	};
}

export const STRIPE_TEST_ENV = {
	STRIPE_SECRET_KEY: 'sk_test_easel',
	STRIPE_WEBHOOK_SECRET: 'whsec_test_easel',
	STRIPE_PRICE_PRO: 'price_pro',
	STRIPE_PRICE_TEAM: 'price_team',
	STRIPE_CREDIT_PACKS: '500:price_credits500,2000:price_credits2000'
};
