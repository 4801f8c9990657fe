// Health, readiness and Prometheus metrics of the real server.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectCanvas, createCanvas, signUp, waitFor } from '../helpers/clients.ts';
import { createScratchPostgres, postgresAvailable } from '../helpers/databases.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

let server: RunningServer;

beforeAll(async () => {
	server = await startServer({ env: { METRICS_TOKEN: 'metrics-secret' } });
});
afterAll(() => server?.dispose());

it('answers /healthz and /readyz', async () => {
	expect(await (await fetch(`${server.url}/healthz`)).text()).toBe('ok');
	const ready = await fetch(`${server.url}/readyz`);
	expect(ready.status).toBe(200);
	expect(await ready.json()).toEqual({ ready: true, checks: { database: 'ok' } });
});

it('exposes Prometheus metrics (behind METRICS_TOKEN) that move with use', async () => {
	expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
	const read = async () => (await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer metrics-secret' } })).text();
	const user = await signUp(server.url, 'Metered');
	const canvasId = await createCanvas(server.url, user);
	const client = connectCanvas(server.wsUrl, `canvas:${canvasId}`, user.token);
	await client.synced;
	for (let i = 0; i < 5; i++) client.records.set(`shape:${i}`, { i });
	await waitFor(() => !client.provider.hasUnsyncedChanges);
	const value = (text: string, name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
	await waitFor(async () => value(await read(), 'easel_document_updates_total') >= 5, 5000, 'update counter');
	const text = await read();
	expect(value(text, 'easel_connections')).toBeGreaterThanOrEqual(1);
	expect(value(text, 'easel_documents_loaded')).toBeGreaterThanOrEqual(1);
	expect(text).toMatch(/^easel_update_log_batch_seconds_count \d+$/m);
	expect(text).toMatch(/^easel_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/canvases",status="201"\} \d+$/m);
	expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
	expect(text).not.toContain(user.token);
	client.destroy();
});

it('reports not ready when PostgreSQL goes away', async (context) => {
	if (!(await postgresAvailable())) context.skip();
	const scratch = await createScratchPostgres();
	const pgServer = await startServer({ env: { DATABASE_URL: scratch.url } });
	try {
		expect((await fetch(`${pgServer.url}/readyz`)).status).toBe(200);
		await scratch.drop();
		const answer = await fetch(`${pgServer.url}/readyz`);
		expect(answer.status).toBe(503);
		expect((await answer.json()).ready).toBe(false);
	} finally {
		await pgServer.dispose();
	}
});

it('warns at start, in production, that /metrics is open without METRICS_TOKEN', async () => {
	const warning = '/metrics is open to anyone who can reach this port: set METRICS_TOKEN';
	const open = await startServer({ env: { NODE_ENV: 'production', METRICS_TOKEN: '' } });
	try {
		await expect.poll(() => open.output()).toContain(warning);
		expect((await fetch(`${open.url}/metrics`)).status).toBe(200);
	} finally {
		await open.dispose();
	}
	const guarded = await startServer({ env: { NODE_ENV: 'production', METRICS_TOKEN: 'metrics-secret' } });
	try {
		expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
		expect(guarded.output()).not.toContain(warning);
	} finally {
		await guarded.dispose();
	}
});
