// The TypeScript SDK (packages/sdk) against the real server: every namespace's methods, EaselError
// mapping, 429 retries, live() both ways, and both examples run as a user would (child processes
// with an API key made through the API), their results checked through the API.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEasel, EaselError, findShapeByText, richText, shapes, shapeText, type Easel, type PushConversationInput } from '../../packages/sdk/src/index.ts';
import { api, connectCanvas, createCanvas, signUp, waitFor, type CanvasClient, type TestUser } from '../helpers/clients.ts';
import { startOpenAiTestServer, type AiTestServer } from '../helpers/openai-test-server.ts';
import { createResponseValidator } from '../helpers/openapi-validator.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { geoShape, seedCanvas, textShape } from '../helpers/tldraw-records.ts';

const EXAMPLES = fileURLToPath(new URL('../../packages/sdk/examples/', import.meta.url));

interface ExampleRun {
	/** Its exit status and output, once it exits (killed after 60 s). */
	result: Promise<{ status: number | null; stdout: string; output: string }>;
	/** What it has printed so far. */
	stdout(): string;
}

/** Starts an example with Node (type stripping) as a user would. */
function startExample(file: string, args: string[], env: Record<string, string>): ExampleRun {
	const child = spawn(process.execPath, [`${EXAMPLES}${file}`, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk) => (stdout += chunk));
	child.stderr.on('data', (chunk) => (stderr += chunk));
	const result = new Promise<{ status: number | null; stdout: string; output: string }>((resolve, reject) => {
		const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
		child.on('error', reject);
		child.on('close', (status) => {
			clearTimeout(timer);
			resolve({ status, stdout, output: `${stdout}\n${stderr}` });
		});
	});
	return { result, stdout: () => stdout };
}

const runExample = (file: string, args: string[], env: Record<string, string>) => startExample(file, args, env).result;

const validator = createResponseValidator();

/** globalThis.fetch, noting every answer the OpenAPI document (whose types the SDK has) does not describe. */
function documentCheckedFetch(problems: string[]) {
	return async (request: Request) => {
		const { method, url } = request;
		const response = await globalThis.fetch(request);
		const operation = validator.match(method, new URL(url).pathname);
		const body = await response.clone().text();
		const problem = operation
			? validator.check(operation, response.status, response.headers.get('content-type') ?? '', body || undefined)
			: 'no operation in the document';
		if (problem) problems.push(`${method} ${new URL(url).pathname} → ${response.status}: ${problem}`);
		return response;
	};
}

const lastJsonLine = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);

describeEachServerDatabase('TypeScript SDK', (database) => {
	let ai: AiTestServer;
	let server: RunningServer;
	let owner: TestUser;
	/** As the person (session token): canvases, versions and share links refuse API keys on this base. */
	let asOwner: Easel;
	/** As a team API key with every scope the SDK's calls need. */
	let asKey: Easel;
	let apiKey: string;
	let readOnlyKey: string;
	let canvasId: string;
	const clients: CanvasClient[] = [];
	const problems: string[] = [];

	beforeAll(async () => {
		ai = await startOpenAiTestServer();
		server = await startServer({
			env: { ...database().env, AI_PROVIDER: 'openai-compatible', AI_BASE_URL: ai.baseURL, AI_API_KEY: 'test-key', AI_MODEL_FAST: 'fast-model', AI_TIMEOUT_SECONDS: '20' }
		});
		owner = await signUp(server.url, 'Sdk');
		canvasId = await createCanvas(server.url, owner, 'SDK canvas');
		const seeder = connectCanvas(server.wsUrl, `canvas:${canvasId}`, owner.token);
		clients.push(seeder);
		await seeder.synced;
		seedCanvas(seeder.records);
		await waitFor(() => !seeder.provider.hasUnsyncedChanges, 10_000, 'the seeded page');
		const makeKey = async (name: string, scopes: string[]) => {
			const key = await api(server.url, `/api/v1/teams/${owner.personalTeamId}/api-keys`, { token: owner.token, body: { name, scopes } });
			expect(key.status, JSON.stringify(key.body)).toBe(201);
			return key.body.token as string;
		};
		apiKey = await makeKey('sdk tests', ['canvases:read', 'canvases:write', 'conversations:write', 'assistant:run']);
		readOnlyKey = await makeKey('sdk read-only', ['canvases:read']);
		asOwner = createEasel({ baseUrl: server.url, token: owner.token, fetch: documentCheckedFetch(problems) });
		asKey = createEasel({ baseUrl: server.url, token: apiKey, fetch: documentCheckedFetch(problems) });
	}, 60_000);

	afterAll(async () => {
		for (const client of clients) client.destroy();
		await server?.dispose();
		await ai?.close();
	});

	it('manages canvases and versions with an API key, and share links as a person (no key may share)', async () => {
		const created = await asKey.canvases.create({ title: 'Roadmap' });
		expect(created).toMatchObject({ title: 'Roadmap', teamId: owner.personalTeamId });
		expect((await asKey.canvases.list()).map((canvas) => canvas.id)).toContain(created.id);
		expect(await asKey.canvases.get(created.id)).toMatchObject({ id: created.id, role: null, canEdit: true });
		expect((await asKey.canvases.rename(created.id, 'Roadmap 2027')).title).toBe('Roadmap 2027');
		const copy = await asKey.canvases.duplicate(created.id);
		expect(copy.id).not.toBe(created.id);
		expect(copy.title).toContain('Roadmap 2027');
		// The library: a folder, filing, and a search within it.
		const folder = await asKey.folders.create(owner.personalTeamId, 'Plans');
		expect((await asKey.canvases.file(created.id, folder.id)).folderId).toBe(folder.id);
		expect((await asKey.canvases.list({ q: 'roadm', folderId: folder.id })).map((canvas) => [canvas.title, canvas.starred])).toEqual([['Roadmap 2027', false]]);
		expect((await asKey.folders.list(owner.personalTeamId)).map(({ name, canvasCount }) => [name, canvasCount])).toEqual([['Plans', 1]]);
		await asKey.folders.delete(folder.id);
		expect((await asKey.canvases.get(created.id)).folderId).toBeNull();

		const document = await asKey.canvases.document(canvasId);
		expect(document).toMatchObject({ id: canvasId, title: 'SDK canvas' });
		expect(document.records['page:page']).toMatchObject({ typeName: 'page' });

		const saved = await asKey.versions.save(canvasId, 'Before the review');
		expect(saved).toMatchObject({ label: 'Before the review' });
		const { versions } = await asKey.versions.list(canvasId);
		expect(versions.map((version) => version.id)).toContain(saved.id);
		const version = await asKey.versions.get(canvasId, saved.id);
		expect(version.records['page:page']).toMatchObject({ typeName: 'page' });
		const restored = await asKey.versions.restore(canvasId, saved.id);
		expect(restored.kind).toBe('restore');

		const refused = await asKey.shareLinks.create(canvasId, { access: 'view', audience: 'anyone' }).catch((error: unknown) => error);
		expect(refused).toMatchObject({ status: 403, code: 'FORBIDDEN' });
		const link = await asOwner.shareLinks.create(canvasId, { access: 'view', audience: 'anyone' });
		expect(link.url).toContain(link.token);
		expect((await asOwner.shareLinks.list(canvasId)).map((listed) => listed.id)).toContain(link.id);
		await asOwner.shareLinks.revoke(link.id);
		expect((await asOwner.shareLinks.list(canvasId)).map((listed) => listed.id)).not.toContain(link.id);

		const trashed = await asKey.canvases.delete(copy.id);
		expect(trashed).toMatchObject({ id: copy.id });
		const gone = await asKey.canvases.get(copy.id).catch((error: unknown) => error);
		expect(gone).toBeInstanceOf(EaselError);
		expect(gone).toMatchObject({ status: 404, code: 'NOT_FOUND' });
		expect((await asKey.canvases.trash(copy.teamId)).map((canvas) => canvas.id)).toContain(copy.id);
		expect(await asKey.canvases.restore(copy.id)).toMatchObject({ id: copy.id });
		await asOwner.canvases.deleteForever(copy.id);
		expect((await asOwner.canvases.trash(copy.teamId)).map((canvas) => canvas.id)).not.toContain(copy.id);
	});

	it('pushes, appends, streams and completes conversations with an API key', async () => {
		const input: PushConversationInput = {
			externalId: 'sdk-run-1',
			title: 'Agent',
			messages: [
				{ role: 'system', content: 'Be brief.' },
				{ role: 'user', content: 'Name three colours.' }
			]
		};
		const pushed = await asKey.conversations.push(canvasId, input);
		expect(pushed).toMatchObject({ created: true, messageIds: [expect.any(String), expect.any(String)] });
		const again = await asKey.conversations.push(canvasId, input);
		expect(again).toMatchObject({ created: false, id: pushed.id, messageIds: pushed.messageIds });

		const open = await asKey.conversations.append(pushed.id, { role: 'assistant', status: 'streaming', model: 'test-model' });
		expect(open).toMatchObject({ status: 'streaming', parentId: pushed.messageIds[1] });
		expect(await asKey.conversations.streamDelta(pushed.id, open.id, 'Red, ')).toMatchObject({ textLength: 5 });
		const chunks = ['green ', 'and ', 'blue', '.'];
		const stream = new ReadableStream<string>({
			async pull(controller) {
				await new Promise((resolve) => setTimeout(resolve, 5));
				const next = chunks.shift();
				if (next === undefined) controller.close();
				else controller.enqueue(next);
			}
		});
		expect(await asKey.conversations.streamResponse(pushed.id, open.id, stream)).toMatchObject({ id: open.id, textLength: 'Red, green and blue.'.length });
		const done = await asKey.conversations.complete(pushed.id, open.id, { usage: { prompt_tokens: 10, completion_tokens: 6 }, latencyMs: 42 });
		expect(done).toMatchObject({ status: 'complete', text: 'Red, green and blue.', usage: { inputTokens: 10, outputTokens: 6 }, latencyMs: 42 });

		// An async generator works as a source too.
		const retry = await asKey.conversations.append(pushed.id, { role: 'assistant', retryOf: open.id, status: 'streaming' });
		await asKey.conversations.streamResponse(
			pushed.id,
			retry.id,
			(async function* () {
				yield 'Cyan, ';
				yield 'magenta, yellow.';
			})()
		);
		await asKey.conversations.complete(pushed.id, retry.id);

		const tree = await asKey.conversations.get(pushed.id);
		expect(tree.rootIds).toEqual([pushed.messageIds[0]]);
		expect(tree.messages.find((message) => message.id === pushed.messageIds[1])?.childIds).toEqual([open.id, retry.id]);
		expect(tree.messages.find((message) => message.id === retry.id)).toMatchObject({ retryOf: open.id, text: 'Cyan, magenta, yellow.' });
		expect((await asKey.conversations.list(canvasId)).find((summary) => summary.id === pushed.id)).toMatchObject({ externalId: 'sdk-run-1', messageCount: 4 });
	});

	it('throws EaselError with the server’s status, code and message', async () => {
		const readOnly = createEasel({ baseUrl: server.url, token: readOnlyKey, fetch: documentCheckedFetch(problems) });
		const refused = await readOnly.conversations.push(canvasId, { messages: [{ role: 'user', content: 'hi' }] }).catch((error: unknown) => error);
		expect(refused).toBeInstanceOf(EaselError);
		expect(refused).toMatchObject({ status: 403, code: 'FORBIDDEN' });
		expect((refused as EaselError).message).toMatch(/\S/);

		const invalid = await asKey.conversations.push(canvasId, { messages: [] }).catch((error: unknown) => error);
		expect(invalid).toMatchObject({ status: 400, code: 'INVALID_INPUT' });
		expect((invalid as EaselError).message).toContain('at least one message');

		const badToken = createEasel({ baseUrl: server.url, token: 'easel_not_a_real_key' });
		expect(await badToken.conversations.list(canvasId).catch((error: unknown) => error)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
		expect(() => createEasel({ baseUrl: 'localhost:5173', token: apiKey })).toThrow(/http\(s\) URL/);
	});

	describe('429 answers', () => {
		/** The real server behind a fetch that first answers `tooMany` 429s with Retry-After: 0. */
		function throttled(tooMany: number) {
			const seen = { requests: 0 };
			const fetch = async (request: Request) => {
				seen.requests += 1;
				if (seen.requests <= tooMany) {
					return Response.json(
						{ error: { code: 'RATE_LIMITED', message: 'Slow down.', details: { retryAfterSeconds: 0 } } },
						{ status: 429, headers: { 'retry-after': '0' } }
					);
				}
				return globalThis.fetch(request);
			};
			return { seen, fetch };
		}

		it('are retried, the request sent whole each time', async () => {
			const { seen, fetch } = throttled(2);
			const easel = createEasel({ baseUrl: server.url, token: apiKey, fetch });
			const pushed = await easel.conversations.push(canvasId, { messages: [{ role: 'user', content: 'retried' }] });
			expect(seen.requests).toBe(3);
			expect((await asKey.conversations.get(pushed.id)).messages[0].text).toBe('retried');
		});

		it('end in EaselError RATE_LIMITED past the bound, or at once with retry: false', async () => {
			const bounded = throttled(10);
			const error = await createEasel({ baseUrl: server.url, token: apiKey, fetch: bounded.fetch, retry: { maxRetries: 2 } })
				.conversations.list(canvasId)
				.catch((caught: unknown) => caught);
			expect(error).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryAfterSeconds: 0 });
			expect(bounded.seen.requests).toBe(3);

			const off = throttled(10);
			await expect(createEasel({ baseUrl: server.url, token: apiKey, fetch: off.fetch, retry: false }).conversations.list(canvasId)).rejects.toMatchObject({
				code: 'RATE_LIMITED'
			});
			expect(off.seen.requests).toBe(1);
		});
	});

	it('starts an assistant run, reads it and reviews its changes', async () => {
		ai.enqueue({ kind: 'text', text: 'Nothing to draw; the canvas looks fine.' });
		const run = await asKey.assistant.start(canvasId, { prompt: 'Does this canvas look fine?', tier: 'fast' });
		expect(run).toMatchObject({ tier: 'fast', messageId: expect.any(String) });
		await waitFor(async () => ['succeeded', 'failed', 'cancelled'].includes((await asKey.assistant.get(canvasId, run.id)).status), 20_000, 'the run to end');
		expect(await asKey.assistant.get(canvasId, run.id)).toMatchObject({ id: run.id, status: 'succeeded' });
		expect(await asKey.assistant.accept(canvasId, run.id)).toMatchObject({ refused: [] });
		expect(await asKey.assistant.reject(canvasId, run.id)).toMatchObject({ refused: [] });
		// Cancelling a finished run leaves it as it was; cancelling one still answering stops it.
		expect(await asKey.assistant.cancel(canvasId, run.id)).toMatchObject({ id: run.id, status: 'succeeded' });
		ai.enqueue({ kind: 'text', text: 'A very slow answer. '.repeat(20), chunkSize: 1, delayMs: 50 });
		const slow = await asKey.assistant.start(canvasId, { prompt: 'Take your time.', tier: 'fast' });
		await waitFor(async () => (await asKey.assistant.get(canvasId, slow.id)).status === 'running', 10_000, 'the slow run to start');
		expect(await asKey.assistant.cancel(canvasId, slow.id)).toMatchObject({ id: slow.id, status: 'cancelled', creditsCharged: 0 });
	});

	it('live(): sees another client’s change, and its own change is stored on the server', async () => {
		const canvas = asKey.live(canvasId);
		await canvas.synced;
		expect(canvas.readOnly()).toBe(false);
		expect(canvas.doc.getMap('records').get('page:page')).toBeTruthy();

		const other = connectCanvas(server.wsUrl, `canvas:${canvasId}`, owner.token);
		clients.push(other);
		await other.synced;
		other.records.set('shape:from-browser', textShape('shape:from-browser', 'Hello from a browser'));
		await waitFor(() => findShapeByText(canvas.doc, 'Hello from a browser') !== undefined, 10_000, 'the other client’s shape');
		expect(shapes(canvas.doc, 'text').map(shapeText)).toContain('Hello from a browser');

		canvas.doc.getMap('records').set('shape:from-sdk', geoShape('shape:from-sdk', { x: 300 }, { richText: richText('Written by the SDK') }));
		await canvas.saved();
		const stored = await asOwner.canvases.document(canvasId);
		expect(stored.records['shape:from-sdk']).toMatchObject({ type: 'geo', x: 300 });
		await waitFor(() => other.records.has('shape:from-sdk'), 10_000, 'the SDK’s shape on the other client');
		canvas.destroy();

		const readOnly = createEasel({ baseUrl: server.url, token: readOnlyKey }).live(canvasId);
		await readOnly.synced;
		expect(readOnly.readOnly()).toBe(true);
		readOnly.destroy();

		const missing = asKey.live('00000000-0000-4000-8000-000000000000');
		await expect(missing.synced).rejects.toMatchObject({ code: 'NOT_FOUND' });
		missing.destroy();
	});

	it('runs the streaming example: the tool call and the streamed answer are on the canvas', async () => {
		const run = await runExample('stream-conversation.ts', [], { EASEL_URL: server.url, EASEL_API_KEY: apiKey, EASEL_CANVAS_ID: canvasId });
		expect(run.status, run.output).toBe(0);
		const { conversationId, answerId } = lastJsonLine(run.stdout);
		const tree = await asOwner.conversations.get(conversationId);
		expect(tree.messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant']);
		expect(tree.messages[2].toolCalls[0]).toMatchObject({ id: 'call_build_1', name: 'get_build_log' });
		expect(tree.messages.find((message) => message.id === answerId)).toMatchObject({
			status: 'complete',
			model: 'gpt-4o-mini',
			text: 'The build failed in **lint**: `src/app.ts` has an unused import. Remove it and push again.'
		});
	}, 90_000);

	it('runs the watching example: it reports the shape once someone draws it', async () => {
		const env = { EASEL_URL: server.url, EASEL_API_KEY: readOnlyKey, EASEL_CANVAS_ID: canvasId };
		const watching = runExample('watch-canvas.ts', ['Deploy to production', '--seconds', '30'], env);
		const drawer = connectCanvas(server.wsUrl, `canvas:${canvasId}`, owner.token);
		clients.push(drawer);
		await drawer.synced;
		drawer.records.set('shape:deploy', textShape('shape:deploy', 'Deploy to production', { x: 600 }));
		const run = await watching;
		expect(run.status, run.output).toBe(0);
		expect(lastJsonLine(run.stdout)).toEqual({ found: true, shape: { id: 'shape:deploy', type: 'text', text: 'Deploy to production' } });

		const timedOut = await runExample('watch-canvas.ts', ['No such text anywhere', '--seconds', '1'], env);
		expect(timedOut.status).toBe(1);
		expect(lastJsonLine(timedOut.stdout)).toEqual({ found: false, shape: null });

		// Without a text it prints each change while it watches, then how many it saw.
		const changes = startExample('watch-canvas.ts', ['--seconds', '4'], env);
		await waitFor(() => changes.stdout().includes('"watching":true'), 20_000, 'the example to be watching');
		drawer.records.set('shape:later', textShape('shape:later', 'Drawn while watched', { x: 900 }));
		drawer.records.delete('shape:deploy');
		const watched = await changes.result;
		expect(watched.status, watched.output).toBe(0);
		const lines = watched.stdout
			.trim()
			.split('\n')
			.map((line) => JSON.parse(line));
		expect(lines[0]).toMatchObject({ watching: true });
		expect(lines).toContainEqual({ change: 'add', id: 'shape:later', type: 'text', text: 'Drawn while watched' });
		expect(lines).toContainEqual({ change: 'delete', id: 'shape:deploy' });
		expect(lines.at(-1)).toEqual({ changes: 2 });
	}, 90_000);

	it('got only answers the OpenAPI document describes, so the SDK’s types held for every call above', () => {
		expect(problems).toEqual([]);
	});
});
