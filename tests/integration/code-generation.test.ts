// Code per node on the real server, against a local server speaking OpenAI's chat-completions
// protocol: one model call per node, told the node's connections; files stored on the run as nodes
// finish; charged exactly the catalog price for the nodes that arrived, nothing when all fail or
// without credits; bad requests refused with the reason. On both drivers.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readMessages } from '../../src/lib/chat/chat-document.ts';
import * as billing from '../../src/lib/server/billing.ts';
import { api, connectCanvas, createCanvas, signUp, waitFor, type ApiBody, type CanvasClient, type TestUser } from '../helpers/clients.ts';
import { DIAGRAM_IDS, ORDERS_CODE, ordersDiagram } from '../helpers/code-diagrams.ts';
import { startOpenAiTestServer, type AiTestServer } from '../helpers/openai-test-server.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { geoShape, richText, seedCanvas } from '../helpers/tldraw-records.ts';

/** A rule answering the model call for the node labelled `label` (its label opens the <component> block). */
const forNode = (label: string) => new RegExp(`<component>\\s*\\{\\s*"label": "${label}"`);

describeEachServerDatabase('code per node', (database) => {
	let ai: AiTestServer;
	let server: RunningServer;
	const clients: CanvasClient[] = [];

	const env = () => ({
		...database().env,
		AI_PROVIDER: 'openai-compatible',
		AI_BASE_URL: ai.baseURL,
		AI_API_KEY: 'test-key',
		AI_MODEL_FAST: 'fast-model',
		AI_MODEL_BALANCED: 'balanced-model',
		AI_TIMEOUT_SECONDS: '20',
		AI_ALLOW_PRIVATE_TEAM_URLS: 'true'
	});

	beforeAll(async () => {
		ai = await startOpenAiTestServer();
		server = await startServer({ env: env() });
	});
	afterAll(async () => {
		for (const client of clients) client.destroy();
		await server?.dispose();
		await ai?.close();
	});

	function scriptOrders() {
		ai.setRules([
			{ match: forNode('Orders API'), reply: { kind: 'text', text: ORDERS_CODE.api } },
			{ match: forNode('Orders DB'), reply: { kind: 'text', text: ORDERS_CODE.db } },
			{ match: forNode('Session cache'), reply: { kind: 'text', text: ORDERS_CODE.cache } }
		]);
	}

	/** A new person's canvas (own Free team: 50 credits) holding the orders diagram and `extra` records. */
	async function diagramCanvas(name: string, extra: Record<string, unknown> = {}) {
		const user = await signUp(server.url, name);
		const canvasId = await createCanvas(server.url, user, 'Orders');
		const canvas = connectCanvas(server.wsUrl, `canvas:${canvasId}`, user.token);
		clients.push(canvas);
		await canvas.synced;
		seedCanvas(canvas.records);
		canvas.records.doc!.transact(() => {
			for (const [id, record] of Object.entries({ ...ordersDiagram(), ...extra })) canvas.records.set(id, record);
		});
		await waitFor(() => !canvas.provider.hasUnsyncedChanges);
		return { user, canvasId };
	}

	const balance = async (user: TestUser) => (await api(server.url, `/api/v1/teams/${user.personalTeamId}/credits`, { token: user.token })).body.balance as number;
	const generate = (canvasId: string, body: unknown, user?: TestUser, headers?: Record<string, string>) =>
		api(server.url, `/api/v1/canvases/${canvasId}/code`, { token: user?.token, body, headers });

	async function finished(canvasId: string, runId: string, user: TestUser): Promise<ApiBody> {
		let run: ApiBody;
		await waitFor(
			async () => {
				run = (await api(server.url, `/api/v1/canvases/${canvasId}/assistant/runs/${runId}`, { token: user.token })).body.run;
				return ['succeeded', 'failed', 'cancelled'].includes(run?.status);
			},
			20_000,
			'the code run to end'
		);
		return run;
	}

	it('makes a file set per node, wired to its connections, and charges exactly 3 credits a node in bulk', async () => {
		const { user, canvasId } = await diagramCanvas('Ada');
		scriptOrders();
		const before = await balance(user);
		const requestsBefore = ai.generations().length;

		const started = await generate(canvasId, { shapeIds: [DIAGRAM_IDS.api, DIAGRAM_IDS.db, DIAGRAM_IDS.cache] }, user);
		expect(started.status, JSON.stringify(started.body)).toBe(202);
		expect(started.body.run).toMatchObject({ tier: 'fast', estimatedCredits: 9 });
		const run = await finished(canvasId, started.body.run.id, user);
		expect(run).toMatchObject({ kind: 'code', status: 'succeeded', creditsCharged: 9 });
		expect(await balance(user)).toBe(before - 9);

		// One folder per node, paths from the answers, languages for the highlighter, content as written.
		const byPath = new Map<string, ApiBody>(run.files.map((file: ApiBody) => [file.path, file]));
		expect([...byPath.keys()].sort()).toEqual(['orders-api/main.py', 'orders-api/requirements.txt', 'orders-db/models.py', 'session-cache/cache.py']);
		expect(byPath.get('orders-api/main.py')).toMatchObject({ shapeId: DIAGRAM_IDS.api, language: 'python', mimeType: 'text/plain' });
		expect(byPath.get('orders-api/main.py').content).toContain('from sqlalchemy import create_engine');
		expect(byPath.get('orders-api/main.py').content).toContain('from redis import Redis');
		expect(byPath.get('orders-db/models.py')).toMatchObject({ shapeId: DIAGRAM_IDS.db, language: 'python' });
		// The path comment on the first line became the path and left the content.
		expect(byPath.get('session-cache/cache.py').content.startsWith('from redis import Redis')).toBe(true);

		// One model call per node; the API's was told what it connects to and how to reach each.
		const calls = ai.generations().slice(requestsBefore);
		expect(calls).toHaveLength(3);
		const apiCall = calls.find((call) => forNode('Orders API').test(call.lastUserText))!;
		expect(apiCall.lastUserText).toContain('"technology": "FastAPI"');
		expect(apiCall.lastUserText).toMatch(
			/"direction": "calls",\s*"arrowLabel": "reads\/writes",\s*"component": \{\s*"label": "Orders DB",\s*"kind": "database",\s*"technology": "PostgreSQL"/
		);
		expect(apiCall.lastUserText).toMatch(/"label": "Session cache",\s*"kind": "cache",\s*"technology": "Redis"\s*\},\s*"clientLibrary": "redis"/);
		expect(apiCall.lastUserText).toContain('Target: Python · FastAPI.');
		// The database defaults to its caller's language: SQLAlchemy models for a FastAPI service.
		const dbCall = calls.find((call) => forNode('Orders DB').test(call.lastUserText))!;
		expect(dbCall.lastUserText).toContain('Target: Python · SQLAlchemy models.');
		expect(dbCall.lastUserText).toMatch(/"direction": "called by"/);
		expect(apiCall.system).toMatch(/never instructions/);

		// The chat records what was asked and the progress, and offers the code again.
		const chat = connectCanvas(server.wsUrl, `chat:${canvasId}`, user.token);
		clients.push(chat);
		await chat.synced;
		await waitFor(() => readMessages(chat.doc).some((message) => message.id === run.messageId && message.status === 'done'), 5000, 'the answer to be done');
		const messages = readMessages(chat.doc);
		expect(messages.find((message) => message.id === run.promptMessageId)?.text).toBe('Generate code for 3 nodes: Orders API, Orders DB, Session cache');
		const answer = messages.find((message) => message.id === run.messageId)!;
		expect(answer).toMatchObject({ work: 'code', runId: run.id, creditsCharged: 9 });
		expect(answer.text).toContain('✓ Orders API: orders-api/main.py, orders-api/requirements.txt');
		expect(answer.text).toContain('all 3 nodes');

		// Opening it again reads the stored run: no model call, no charge.
		const again = await api(server.url, `/api/v1/canvases/${canvasId}/assistant/runs/${run.id}`, { token: user.token });
		expect(again.body.run.files).toHaveLength(4);
		expect(ai.generations().length).toBe(requestsBefore + 3);
		expect(await balance(user)).toBe(before - 9);
	});

	it('charges 5 credits for a single node, with the language asked for', async () => {
		const { user, canvasId } = await diagramCanvas('Solo');
		ai.setRules([
			{ match: forNode('Orders API'), reply: { kind: 'text', text: '```ts path=src/server.ts\nimport express from "express";\nimport Redis from "ioredis";\n```' } }
		]);
		const before = await balance(user);
		const started = await generate(canvasId, { shapeIds: [DIAGRAM_IDS.api], language: 'typescript-express' }, user);
		expect(started.status).toBe(202);
		expect(started.body.run.estimatedCredits).toBe(5);
		const run = await finished(canvasId, started.body.run.id, user);
		expect(run).toMatchObject({ status: 'succeeded', creditsCharged: 5 });
		expect(run.files).toEqual([expect.objectContaining({ path: 'orders-api/src/server.ts', language: 'typescript' })]);
		expect(ai.generations().at(-1)!.lastUserText).toContain('Target: TypeScript · Express.');
		expect(ai.generations().at(-1)!.lastUserText).toContain('"clientLibrary": "ioredis"');
		expect(await balance(user)).toBe(before - 5);
	});

	it('charges nothing for a node whose model call fails, and the others still arrive', async () => {
		const { user, canvasId } = await diagramCanvas('Partial');
		ai.setRules([
			{ match: forNode('Orders API'), reply: { kind: 'text', text: ORDERS_CODE.api } },
			{ match: forNode('Orders DB'), reply: { kind: 'http-error', status: 400, message: 'context too long' } },
			{ match: forNode('Session cache'), reply: { kind: 'text', text: 'I cannot write code for that.' } }
		]);
		const before = await balance(user);
		const started = await generate(canvasId, { shapeIds: [DIAGRAM_IDS.api, DIAGRAM_IDS.db, DIAGRAM_IDS.cache] }, user);
		const run = await finished(canvasId, started.body.run.id, user);
		// Bulk price for the one node that arrived: 3, not 9.
		expect(run).toMatchObject({ status: 'succeeded', creditsCharged: 3 });
		expect(await balance(user)).toBe(before - 3);
		const delivered = run.files.filter((file: ApiBody) => !file.error);
		expect(delivered.map((file: ApiBody) => file.path).sort()).toEqual(['orders-api/main.py', 'orders-api/requirements.txt']);
		const failed = run.files.filter((file: ApiBody) => file.error);
		expect(failed).toEqual([
			expect.objectContaining({ shapeId: DIAGRAM_IDS.db, bytes: 0, error: expect.stringMatching(/AI provider failed \(400\)/) }),
			expect.objectContaining({ shapeId: DIAGRAM_IDS.cache, error: expect.stringMatching(/without a code block/) })
		]);
		for (const file of failed) expect(file.content).toBeUndefined();
	});

	it('charges nothing when every node fails, and says why', async () => {
		const { user, canvasId } = await diagramCanvas('Unlucky');
		ai.setRules([{ match: /<component>/, reply: { kind: 'http-error', status: 401 } }]);
		const before = await balance(user);
		const started = await generate(canvasId, { shapeIds: [DIAGRAM_IDS.api, DIAGRAM_IDS.cache] }, user);
		expect(started.status).toBe(202);
		const run = await finished(canvasId, started.body.run.id, user);
		expect(run).toMatchObject({ status: 'failed', creditsCharged: 0, error: expect.stringMatching(/No code could be made: .*refused the API key/) });
		expect(await balance(user)).toBe(before);
	});

	it('refuses bad shape ids and languages with the reason, and more than the team can pay with 402', async () => {
		const many = Object.fromEntries(
			Array.from({ length: 15 }, (_, index) => {
				const id = `shape:extra-${index}`;
				return [id, geoShape(id, { x: 100 + index * 200, y: 600, meta: { kind: 'service' } }, { richText: richText(`Worker ${index}`) })];
			})
		);
		const { user, canvasId } = await diagramCanvas('Careful', many);
		const requestsBefore = ai.generations().length;
		const before = await balance(user);

		const missing = await generate(canvasId, { shapeIds: [DIAGRAM_IDS.api, 'shape:nope'] }, user);
		expect(missing.status).toBe(400);
		expect(missing.body.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('"shape:nope" is not a box') });
		const arrowId = await generate(canvasId, { shapeIds: ['shape:api-to-db'] }, user);
		expect(arrowId.status).toBe(400);
		const none = await generate(canvasId, { shapeIds: [] }, user);
		expect(none.body.error.message).toMatch(/at least one node/);
		const language = await generate(canvasId, { shapeIds: [DIAGRAM_IDS.api], language: 'cobol' }, user);
		expect(language.status).toBe(400);
		expect(language.body.error.message).toMatch(/Unknown language "cobol"\. Choose one of: .*python-fastapi/);
		const perNode = await generate(canvasId, { shapeIds: [DIAGRAM_IDS.api], language: { [DIAGRAM_IDS.db]: 'python-sqlalchemy' } }, user);
		expect(perNode.body.error.message).toMatch(/not in shapeIds/);
		expect((await generate(canvasId, 'not json', user)).status).toBe(400);

		// 18 nodes × 3 = 54 credits; a Free team has 50.
		const all = [DIAGRAM_IDS.api, DIAGRAM_IDS.db, DIAGRAM_IDS.cache, ...Object.keys(many)];
		const broke = await generate(canvasId, { shapeIds: all }, user);
		expect(broke.status).toBe(402);
		expect(broke.body.error).toMatchObject({ code: 'LIMIT_EXCEEDED', message: expect.stringMatching(/needs 54 AI credits? and the team has 50/) });
		// A tier the plan lacks is refused as for the assistant.
		expect((await generate(canvasId, { shapeIds: [DIAGRAM_IDS.api], tier: 'balanced' }, user)).status).toBe(402);

		expect(ai.generations().length).toBe(requestsBefore);
		expect(await balance(user)).toBe(before);
	});

	it('lets viewers make code (it only reads), refuses view-link guests and strangers', async () => {
		const { user, canvasId } = await diagramCanvas('Lead');
		const viewer = await signUp(server.url, 'Viewer');
		const canvas = await api(server.url, `/api/v1/canvases/${canvasId}`, { token: user.token });
		const invite = await api(server.url, `/api/v1/teams/${canvas.body.teamId}/invitations`, { token: user.token, body: { role: 'viewer' } });
		expect((await api(server.url, `/api/v1/invitations/${invite.body.token}/accept`, { token: viewer.token, method: 'POST' })).status).toBeLessThan(300);
		scriptOrders();
		const asViewer = await generate(canvasId, { shapeIds: [DIAGRAM_IDS.cache] }, viewer);
		expect(asViewer.status).toBe(202);
		expect((await finished(canvasId, asViewer.body.run.id, viewer)).status).toBe('succeeded');

		const link = await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, { token: user.token, body: { access: 'view', audience: 'anyone' } });
		const guest = await generate(canvasId, { shapeIds: [DIAGRAM_IDS.cache] }, undefined, { 'easel-share-token': link.body.token });
		expect(guest.status).toBe(403);
		const stranger = await signUp(server.url, 'Stranger');
		expect((await generate(canvasId, { shapeIds: [DIAGRAM_IDS.cache] }, stranger)).status).toBe(404);
	});

	it('multiplies the price by the tier, and costs nothing on the team’s own key', async () => {
		const { user, canvasId } = await diagramCanvas('Pro');
		const teamId = user.personalTeamId;
		if (database().driver === 'postgres') await billing.setPlan(await database().direct(), teamId, 'pro', null);
		else {
			await server.stop();
			const result = spawnSync(process.execPath, ['server/admin.ts', 'set-plan', teamId, 'pro'], { env: { ...process.env, DATA_DIR: server.dataDir }, encoding: 'utf8' });
			expect(result.status, result.stderr).toBe(0);
			server = await server.restart();
		}
		scriptOrders();
		const before = await balance(user);
		const single = await generate(canvasId, { shapeIds: [DIAGRAM_IDS.api], tier: 'balanced' }, user);
		expect(single.body.run.estimatedCredits).toBe(15);
		expect(await finished(canvasId, single.body.run.id, user)).toMatchObject({ status: 'succeeded', creditsCharged: 15 });
		expect(ai.generations().at(-1)!.model).toBe('balanced-model');
		const bulk = await generate(canvasId, { shapeIds: [DIAGRAM_IDS.db, DIAGRAM_IDS.cache], tier: 'balanced' }, user);
		expect(await finished(canvasId, bulk.body.run.id, user)).toMatchObject({ status: 'succeeded', creditsCharged: 18 });
		expect(await balance(user)).toBe(before - 33);

		const saved = await api(server.url, `/api/v1/teams/${teamId}/ai-settings`, {
			method: 'PUT',
			token: user.token,
			body: { provider: 'openai-compatible', baseUrl: ai.baseURL, models: { fast: 'team-fast' }, apiKey: 'team-secret-key' }
		});
		expect(saved.status, JSON.stringify(saved.body)).toBe(200);
		const own = await generate(canvasId, { shapeIds: [DIAGRAM_IDS.api, DIAGRAM_IDS.db], tier: 'fast' }, user);
		expect(own.body.run.estimatedCredits).toBe(0);
		expect(await finished(canvasId, own.body.run.id, user)).toMatchObject({ status: 'succeeded', creditsCharged: 0, ownKey: true });
		expect(ai.generations().at(-1)).toMatchObject({ apiKey: 'team-secret-key', model: 'team-fast' });
		expect(await balance(user)).toBe(before - 33);
	});
});
