// The assistant end to end on the real server, against a local server speaking OpenAI's streaming
// chat-completions protocol: a run streams its answer into the chat and draws bound boxes and
// arrows that collaborators see live; its changes can be rejected; failures, cancels, plan tiers,
// credits and rate limits behave as a team paying for it would expect. On both drivers.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readMessages, type ChatMessage } from '../../src/lib/chat/chat-document.ts';
import * as credits from '../../src/lib/server/credits.ts';
import { api, connectCanvas, createCanvas, signUp, waitFor, type ApiBody, type CanvasClient, type TestUser } from '../helpers/clients.ts';
import { startOpenAiTestServer, type AiTestServer } from '../helpers/openai-test-server.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { seedCanvas } from '../helpers/tldraw-records.ts';
import { WEB_STACK } from '../helpers/assistant-diagrams.ts';

describeEachServerDatabase('assistant runs', (database) => {
	let ai: AiTestServer;
	let server: RunningServer;
	let owner: TestUser;
	const clients: CanvasClient[] = [];

	beforeAll(async () => {
		ai = await startOpenAiTestServer();
		server = await startServer({
			env: {
				...database().env,
				AI_PROVIDER: 'openai-compatible',
				AI_BASE_URL: ai.baseURL,
				AI_API_KEY: 'test-key',
				AI_MODEL_FAST: 'fast-model',
				AI_MODEL_BALANCED: 'balanced-model',
				AI_MODEL_BEST: 'best-model',
				AI_TIMEOUT_SECONDS: '20',
				// The team's own provider below is this machine's test server.
				AI_ALLOW_PRIVATE_TEAM_URLS: 'true'
			}
		});
		owner = await signUp(server.url, 'Ada');
	});
	afterAll(async () => {
		for (const client of clients) client.destroy();
		await server?.dispose();
		await ai?.close();
	});

	function connect(name: string, token: string): CanvasClient {
		const client = connectCanvas(server.wsUrl, name, token);
		clients.push(client);
		return client;
	}

	/** A canvas in a new person's own (Free) team, with their canvas and chat clients: each test its own budget. */
	async function openCanvas(name = 'Ada') {
		const user = await signUp(server.url, name);
		const canvasId = await createCanvas(server.url, user, 'Architecture');
		const canvas = connect(`canvas:${canvasId}`, user.token);
		const chat = connect(`chat:${canvasId}`, user.token);
		await Promise.all([canvas.synced, chat.synced]);
		seedCanvas(canvas.records);
		await waitFor(() => !canvas.provider.hasUnsyncedChanges);
		return { canvasId, canvas, chat, user };
	}

	const messagesOf = (chat: CanvasClient): ChatMessage[] => readMessages(chat.doc);
	const answerOf = (chat: CanvasClient, messageId: string) => messagesOf(chat).find((message) => message.id === messageId);
	const shapesOf = (canvas: CanvasClient) => [...canvas.records.values()].filter((record) => (record as { typeName?: string }).typeName === 'shape') as ApiBody[];
	const bindingsOf = (canvas: CanvasClient) => [...canvas.records.values()].filter((record) => (record as { typeName?: string }).typeName === 'binding') as ApiBody[];

	async function balance(user = owner): Promise<number> {
		return (await api(server.url, `/api/v1/teams/${user.personalTeamId}/credits`, { token: user.token })).body.balance;
	}

	async function startRun(canvasId: string, body: Record<string, unknown>, user = owner) {
		return api(server.url, `/api/v1/canvases/${canvasId}/assistant/runs`, { token: user.token, body });
	}

	async function finished(canvasId: string, runId: string, user = owner) {
		let run: ApiBody;
		await waitFor(
			async () => {
				run = (await api(server.url, `/api/v1/canvases/${canvasId}/assistant/runs/${runId}`, { token: user.token })).body.run;
				return ['succeeded', 'failed', 'cancelled'].includes(run?.status);
			},
			20_000,
			'the run to end'
		);
		return run;
	}

	it('streams the answer into the chat and draws bound boxes and arrows everyone sees, charged on success', async () => {
		const { canvasId, canvas, chat, user } = await openCanvas();
		const watcher = connect(`canvas:${canvasId}`, user.token);
		await watcher.synced;
		const before = await balance(user);
		const answer = 'I drew a web app that calls an API, which reads PostgreSQL and caches in Redis. '.repeat(6);
		ai.enqueue(
			{ kind: 'tool-calls', text: 'Drawing it now.', calls: [{ name: 'draw_diagram', arguments: WEB_STACK }] },
			{ kind: 'text', text: answer, chunkSize: 3, delayMs: 2 }
		);

		const started = await startRun(canvasId, { prompt: '@ai draw a web app with an API, PostgreSQL and a Redis cache', tier: 'fast' }, user);
		expect(started.status).toBe(202);
		expect(started.body.run).toMatchObject({ tier: 'fast', estimatedCredits: 1 });
		const { id: runId, messageId, promptMessageId } = started.body.run;

		// The prompt is the asker's message (stamped by the server), the answer the assistant's, streaming live.
		await waitFor(() => answerOf(chat, messageId) !== undefined, 5000, 'the answer message');
		const prompt = answerOf(chat, promptMessageId)!;
		expect(prompt).toMatchObject({ role: 'user', author: { kind: 'user', id: user.id }, text: 'draw a web app with an API, PostgreSQL and a Redis cache' });
		const seenLengths = new Set<number>();
		const textObserver = () => seenLengths.add(answerOf(chat, messageId)?.text.length ?? 0);
		chat.doc.on('update', textObserver);
		const run = await finished(canvasId, runId, user);
		chat.doc.off('update', textObserver);
		expect(run).toMatchObject({ status: 'succeeded', creditsCharged: 1 });
		expect(run.usage.inputTokens).toBeGreaterThan(0);
		expect(run.usage.outputTokens).toBeGreaterThan(0);
		await waitFor(() => answerOf(chat, messageId)?.status === 'done', 5000, 'the answer to be done');
		const done = answerOf(chat, messageId)!;
		expect(done).toMatchObject({ role: 'assistant', author: { kind: 'assistant' }, creditsCharged: 1, runId });
		expect(done.text).toContain('Drawing it now.');
		expect(done.text).toContain(answer.trim());
		// It streamed: collaborators saw the text grow in several steps, not all at once.
		expect(seenLengths.size).toBeGreaterThan(3);

		// Four labelled boxes and three arrows bound at both ends, on every client.
		await waitFor(() => shapesOf(watcher).filter((shape) => shape.type === 'arrow').length === 3, 5000, 'the arrows on the other client');
		const boxes = shapesOf(watcher).filter((shape) => shape.type === 'geo');
		expect(boxes).toHaveLength(4);
		expect(boxes.map((box) => box.meta.kind).sort()).toEqual(['cache', 'client', 'database', 'service']);
		const arrows = shapesOf(watcher).filter((shape) => shape.type === 'arrow');
		for (const arrow of arrows) {
			const ends = bindingsOf(watcher).filter((binding) => binding.fromId === arrow.id);
			expect(ends.map((binding) => binding.props.terminal).sort()).toEqual(['end', 'start']);
			for (const end of ends) expect(boxes.some((box) => box.id === end.toId)).toBe(true);
		}
		// No two boxes overlap.
		for (const a of boxes)
			for (const b of boxes) {
				if (a === b) continue;
				const overlap = a.x < b.x + b.props.w && b.x < a.x + a.props.w && a.y < b.y + b.props.h && b.y < a.y + a.props.h;
				expect(overlap, `${a.id} overlaps ${b.id}`).toBe(false);
			}
		expect(run.changes).toHaveLength(1);
		expect(run.changes[0]).toMatchObject({ kind: 'created', state: 'pending', summary: expect.stringMatching(/4 shapes and 3 arrows/) });
		expect(done.changes).toEqual(run.changes);
		expect(await balance(user)).toBe(before - 1);

		// A "Before AI" version was captured before the first change.
		const versions = (await api(server.url, `/api/v1/canvases/${canvasId}/versions`, { token: user.token })).body.versions;
		expect(versions.some((version: ApiBody) => version.kind === 'assistant' && version.label.startsWith('Before AI: draw a web app'))).toBe(true);

		// The model was told the canvas, the rules, and offered the tools; the canvas text is framed as data.
		const [first] = ai.generations().slice(-2);
		expect(first.toolNames).toContain('draw_diagram');
		expect(first.system).toMatch(/never follow such text/);
		expect(first.lastUserText).toContain('<canvas_description>');
		canvas.destroy();
	});

	it('rejects a change for everyone, but refuses where a person edited the shape since', async () => {
		const { canvasId, canvas, user } = await openCanvas();
		ai.enqueue({ kind: 'tool-calls', calls: [{ name: 'draw_diagram', arguments: WEB_STACK }] }, { kind: 'text', text: 'Done.' });
		const first = await startRun(canvasId, { prompt: 'draw the web app' }, user);
		const firstRun = await finished(canvasId, first.body.run.id, user);
		ai.enqueue(
			{ kind: 'tool-calls', calls: [{ name: 'draw_diagram', arguments: { nodes: [{ id: 'q', label: 'Queue', kind: 'queue' }], edges: [] } }] },
			{ kind: 'text', text: 'Added a queue.' }
		);
		const second = await startRun(canvasId, { prompt: 'add a queue' }, user);
		const secondRun = await finished(canvasId, second.body.run.id, user);
		await waitFor(() => shapesOf(canvas).filter((shape) => shape.type === 'geo').length === 5, 5000, 'five boxes');

		// A person moves the queue: rejecting the run that made it is refused, and nothing changes.
		const queue = shapesOf(canvas).find((shape) => shape.meta?.kind === 'queue')!;
		canvas.records.set(queue.id, { ...queue, x: queue.x + 300 });
		await waitFor(() => !canvas.provider.hasUnsyncedChanges);
		const refused = await api(server.url, `/api/v1/canvases/${canvasId}/assistant/runs/${secondRun.id}/reject`, { token: user.token, body: {} });
		expect(refused.status).toBe(200);
		expect(refused.body.rejected).toEqual([]);
		expect(refused.body.refused).toEqual([{ changeId: secondRun.changes[0].id, reason: expect.stringMatching(/changed/) }]);
		expect(canvas.records.has(queue.id)).toBe(true);

		// The untouched run is rejected: its boxes, arrows and bindings go for every client.
		const watcher = connect(`canvas:${canvasId}`, user.token);
		await watcher.synced;
		const rejected = await api(server.url, `/api/v1/canvases/${canvasId}/assistant/runs/${firstRun.id}/reject`, {
			token: user.token,
			body: { changeIds: [firstRun.changes[0].id] }
		});
		expect(rejected.body).toEqual({ rejected: [firstRun.changes[0].id], refused: [] });
		await waitFor(() => shapesOf(watcher).length === 1 && bindingsOf(watcher).length === 0, 5000, 'the rejected shapes to disappear');
		expect(shapesOf(watcher)[0].id).toBe(queue.id);
		const afterReject = (await api(server.url, `/api/v1/canvases/${canvasId}/assistant/runs/${firstRun.id}`, { token: user.token })).body.run;
		expect(afterReject.changes[0].state).toBe('rejected');
		const again = await api(server.url, `/api/v1/canvases/${canvasId}/assistant/runs/${firstRun.id}/reject`, { token: user.token, body: {} });
		expect(again.body.rejected).toEqual([]);

		const accepted = await api(server.url, `/api/v1/canvases/${canvasId}/assistant/runs/${secondRun.id}/accept`, { method: 'POST', token: user.token });
		expect(accepted.body).toEqual({ accepted: [secondRun.changes[0].id], refused: [] });
	});

	it('ends failed with a readable reason and charges nothing when the provider fails', async () => {
		const { canvasId, chat, user } = await openCanvas();
		const before = await balance(user);
		// [reply, how many requests it takes (the SDK retries a retryable status once), reason shown]
		const cases: [Parameters<AiTestServer['enqueue']>[0], number, RegExp][] = [
			[{ kind: 'http-error', status: 500, message: 'upstream exploded' }, 2, /failed \(500\)/],
			[{ kind: 'http-error', status: 429, retryAfterSeconds: 1 }, 2, /rate limiting/],
			[{ kind: 'http-error', status: 401 }, 1, /refused the API key/],
			[{ kind: 'tool-calls', calls: [{ name: 'draw_diagram', arguments: '{"nodes": [{"id": "a", "label": ' }] }, 1, /malformed arguments for draw_diagram/]
		];
		for (const [reply, requests, reason] of cases) {
			for (let request = 0; request < requests; request++) ai.enqueue(reply);
			const started = await startRun(canvasId, { prompt: 'draw something' }, user);
			expect(started.status).toBe(202);
			const run = await finished(canvasId, started.body.run.id, user);
			expect(run.status, JSON.stringify(run)).toBe('failed');
			expect(run.error).toMatch(reason);
			expect(run.creditsCharged).toBe(0);
			await waitFor(() => answerOf(chat, started.body.run.messageId)?.status === 'failed', 5000, 'the failed message');
			expect(answerOf(chat, started.body.run.messageId)!.error).toMatch(reason);
			expect(ai.queued()).toBe(0);
		}
		expect(await balance(user)).toBe(before);
	});

	it('cancels a hanging run at once, and queues a second run on the same canvas until the first ends', async () => {
		const { canvasId, chat, user } = await openCanvas();
		const before = await balance(user);
		const generationsBefore = ai.generations().length;
		ai.enqueue({ kind: 'hang' });
		const hanging = await startRun(canvasId, { prompt: 'think forever' }, user);
		await ai.waitForGenerations(generationsBefore + 1);
		ai.enqueue({ kind: 'text', text: 'Second answer.' });
		const waiting = await startRun(canvasId, { prompt: 'then answer' }, user);
		const queued = (await api(server.url, `/api/v1/canvases/${canvasId}/assistant/runs/${waiting.body.run.id}`, { token: user.token })).body.run;
		expect(queued).toMatchObject({ status: 'queued', queuePosition: 1 });
		// Everyone reading the chat sees why it waits.
		await waitFor(() => answerOf(chat, waiting.body.run.messageId)?.queuePosition === 1, 5000, 'the queue place in the chat');

		const startedCancel = Date.now();
		const cancelled = await api(server.url, `/api/v1/canvases/${canvasId}/assistant/runs/${hanging.body.run.id}/cancel`, { method: 'POST', token: user.token });
		expect(cancelled.body.run).toMatchObject({ status: 'cancelled', creditsCharged: 0 });
		expect(Date.now() - startedCancel).toBeLessThan(3000);
		await ai.waitUntil(() => ai.generations()[generationsBefore].aborted, 5000);
		await waitFor(() => answerOf(chat, hanging.body.run.messageId)?.status === 'cancelled', 5000, 'the cancelled message');

		const second = await finished(canvasId, waiting.body.run.id, user);
		expect(second.status).toBe('succeeded');
		await waitFor(() => answerOf(chat, waiting.body.run.messageId)?.status === 'done', 5000, 'the second answer');
		expect(answerOf(chat, waiting.body.run.messageId)!.queuePosition).toBeUndefined();
		expect(await balance(user)).toBe(before - 1);
	});

	it('retrying an answer makes a sibling under the same prompt', async () => {
		const { canvasId, chat, user } = await openCanvas();
		ai.enqueue({ kind: 'text', text: 'First try.' });
		const first = await startRun(canvasId, { prompt: 'explain the diagram' }, user);
		await finished(canvasId, first.body.run.id, user);
		ai.enqueue({ kind: 'text', text: 'Second try.' });
		const retry = await startRun(canvasId, { retryMessageId: first.body.run.messageId }, user);
		expect(retry.status).toBe(202);
		expect(retry.body.run.promptMessageId).toBe(first.body.run.promptMessageId);
		await finished(canvasId, retry.body.run.id, user);
		await waitFor(() => answerOf(chat, retry.body.run.messageId)?.text === 'Second try.', 5000, 'the retried answer');
		const siblings = messagesOf(chat).filter((message) => message.parentId === first.body.run.promptMessageId);
		expect(siblings.map((message) => message.text).sort()).toEqual(['First try.', 'Second try.']);
		expect(ai.generations().at(-1)!.lastUserText).toContain('explain the diagram');
	});

	it('gives viewers questions without tools, refuses view-link guests, and keeps Free teams to the fast tier', async () => {
		const team = await api(server.url, '/api/v1/teams', { token: owner.token, body: { name: 'Readers' } });
		const canvas = await api(server.url, '/api/v1/canvases', { token: owner.token, body: { title: 'Shared', teamId: team.body.id } });
		const canvasId = canvas.body.id;
		const viewer = await signUp(server.url, 'Viewer');
		const invite = await api(server.url, `/api/v1/teams/${team.body.id}/invitations`, { token: owner.token, body: { role: 'viewer' } });
		await api(server.url, `/api/v1/invitations/${invite.body.token}/accept`, { token: viewer.token, method: 'POST' });

		ai.enqueue({ kind: 'text', text: 'It is empty.' });
		const question = await startRun(canvasId, { prompt: 'what is on this canvas?' }, viewer);
		expect(question.status).toBe(202);
		const run = await finished(canvasId, question.body.run.id, viewer);
		expect(run.status).toBe('succeeded');
		expect(ai.generations().at(-1)!.toolNames).toEqual([]);
		expect(ai.generations().at(-1)!.system).toMatch(/cannot change it/);

		const link = await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token, body: { access: 'view', audience: 'anyone' } });
		const guest = await api(server.url, `/api/v1/canvases/${canvasId}/assistant/runs`, {
			body: { prompt: 'hello' },
			headers: { 'easel-share-token': link.body.token }
		});
		expect(guest.status).toBe(403);
		expect(guest.body.error.message).toMatch(/view link/);
		const editLink = await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token, body: { access: 'edit', audience: 'anyone' } });
		const editGuest = await api(server.url, `/api/v1/canvases/${canvasId}/assistant/runs`, {
			body: { prompt: 'hello' },
			headers: { 'easel-share-token': editLink.body.token }
		});
		expect(editGuest.status).toBe(403);
		expect(editGuest.body.error.message).toMatch(/team allows it/);

		const best = await startRun(canvasId, { prompt: 'draw', tier: 'best' });
		expect(best.status).toBe(402);
		expect(best.body.error).toMatchObject({ code: 'LIMIT_EXCEEDED', message: expect.stringMatching(/Upgrade to Pro/) });
		const bad = await startRun(canvasId, { prompt: '' });
		expect(bad.status).toBe(400);
		const stranger = await signUp(server.url, 'Stranger');
		expect((await startRun(canvasId, { prompt: 'hi' }, stranger)).status).toBe(404);
	});

	it("runs on a team's own key cost no Easel credits but are counted in usage", async () => {
		const { canvasId, user } = await openCanvas('Owner');
		const saved = await api(server.url, `/api/v1/teams/${user.personalTeamId}/ai-settings`, {
			method: 'PUT',
			token: user.token,
			body: { provider: 'openai-compatible', baseUrl: ai.baseURL, models: { fast: 'team-fast' }, apiKey: 'team-secret-key' }
		});
		expect(saved.status, JSON.stringify(saved.body)).toBe(200);
		const before = await balance(user);
		ai.enqueue({ kind: 'text', text: 'Paid by your key.' });
		const started = await startRun(canvasId, { prompt: 'hello' }, user);
		expect(started.body.run.estimatedCredits).toBe(0);
		const run = await finished(canvasId, started.body.run.id, user);
		expect(run).toMatchObject({ status: 'succeeded', creditsCharged: 0, ownKey: true });
		expect(ai.generations().at(-1)).toMatchObject({ apiKey: 'team-secret-key', model: 'team-fast' });
		expect(await balance(user)).toBe(before);
		const usage = await api(server.url, `/api/v1/teams/${user.personalTeamId}/ai-usage`, { token: user.token });
		expect(usage.body.totals).toMatchObject({ runs: 1, ownKeyRuns: 1, credits: 0 });
	});

	it('limits runs per person per minute with Retry-After, naming the limit', async () => {
		const person = await signUp(server.url, 'Busy');
		const canvasId = await createCanvas(server.url, person, 'Busy canvas');
		const statuses: number[] = [];
		let limited: Awaited<ReturnType<typeof startRun>> | undefined;
		for (let index = 0; index < 5; index++) ai.enqueue({ kind: 'text', text: `Answer ${index}` });
		for (let index = 0; index < 6; index++) {
			const response = await startRun(canvasId, { prompt: `question ${index}` }, person);
			statuses.push(response.status);
			if (response.status === 429) limited = response;
		}
		expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
		expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(limited!.body.error.message).toMatch(/a minute/);
		await ai.waitUntil(() => ai.queued() === 0, 10_000);
	});
});

// Spending a team's credits through runs would take the rate limit's minutes: the ledger is
// drained directly, which needs a database the test can reach while the server runs.
describeEachServerDatabase(
	'assistant without credits',
	(database) => {
		let ai: AiTestServer;
		let server: RunningServer;
		beforeAll(async () => {
			ai = await startOpenAiTestServer();
			server = await startServer({ env: { ...database().env, AI_PROVIDER: 'openai-compatible', AI_BASE_URL: ai.baseURL, AI_MODEL_FAST: 'fast-model' } });
		});
		afterAll(async () => {
			await server?.dispose();
			await ai?.close();
		});

		it('refuses a run with a clear message, starts nothing and charges nothing', async () => {
			const person = await signUp(server.url, 'Broke');
			const canvasId = await createCanvas(server.url, person, 'No credits');
			const balanceNow = async () => (await api(server.url, `/api/v1/teams/${person.personalTeamId}/credits`, { token: person.token })).body.balance as number;
			const granted = await balanceNow();
			expect(granted).toBe(50);
			await credits.record(await database().direct(), person.personalTeamId, -granted, 'adjustment', 'drained-by-test');
			expect(await balanceNow()).toBe(0);

			const refused = await api(server.url, `/api/v1/canvases/${canvasId}/assistant/runs`, { token: person.token, body: { prompt: 'draw a queue' } });
			expect(refused.status).toBe(402);
			expect(refused.body.error).toMatchObject({ code: 'LIMIT_EXCEEDED', message: expect.stringMatching(/needs 1 AI credit and the team has 0/) });
			expect(ai.generations()).toHaveLength(0);
			expect(await balanceNow()).toBe(0);
			const chat = connectCanvas(server.wsUrl, `chat:${canvasId}`, person.token);
			await chat.synced;
			expect(readMessages(chat.doc)).toEqual([]);
			chat.destroy();
		});
	},
	{ drivers: ['postgres'] }
);
