// The Python client (clients/python, standard library only) against the real server: its own
// unittest suite and both examples, with an API key made through the API as a user would.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, createCanvas, signUp } from '../helpers/clients.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const CLIENT_DIR = fileURLToPath(new URL('../../clients/python', import.meta.url));
const python = spawnSync('python3', ['--version']).status === 0 ? 'python3' : null;

function runPython(args: string[], env: Record<string, string>) {
	const result = spawnSync(python!, args, { cwd: CLIENT_DIR, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
	return { status: result.status, output: `${result.stdout}\n${result.stderr}`, stdout: result.stdout };
}

describeEachServerDatabase('Python client', (database) => {
	let server: RunningServer;
	let env: Record<string, string>;
	let sessionToken: string;

	beforeAll(async () => {
		server = await startServer({ env: database().env });
		const owner = await signUp(server.url, 'Py');
		sessionToken = owner.token;
		const canvasId = await createCanvas(server.url, owner, 'Agent runs');
		const key = await api(server.url, `/api/v1/teams/${owner.personalTeamId}/api-keys`, {
			token: owner.token,
			body: { name: 'python tests', scopes: ['canvases:read', 'conversations:write'] }
		});
		expect(key.status).toBe(201);
		env = { EASEL_URL: server.url, EASEL_API_KEY: key.body.token, EASEL_CANVAS_ID: canvasId };
	}, 60_000);

	afterAll(async () => {
		await server?.dispose();
	});

	it.skipIf(!python)(
		'passes its own test suite',
		() => {
			const run = runPython(['-m', 'unittest', 'discover', '-s', 'tests', '-v'], env);
			expect(run.status, run.output).toBe(0);
			expect(run.output).toMatch(/Ran \d+ tests/);
		},
		120_000
	);

	it.skipIf(!python)(
		'runs the OpenAI mirroring example: the tool call and the streamed answer are on the canvas',
		async () => {
			const run = runPython([join('examples', 'mirror_openai.py')], env);
			expect(run.status, run.output).toBe(0);
			const { conversationId, answerId } = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
			const { body } = await api(server.url, `/api/v1/conversations/${conversationId}`, { token: sessionToken });
			const messages = body.conversation.messages as { id: string; role: string; text: string; toolCalls: { name: string; result: string | null }[] }[];
			expect(messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant']);
			expect(messages.find((message) => message.toolCalls.length)?.toolCalls[0].name).toBe('get_weather');
			expect(messages.find((message) => message.id === answerId)?.text).toBe('It will rain in **Lisbon** today (high of 17 °C), so yes: pack an umbrella.');
		},
		120_000
	);

	it.skipIf(!python)(
		'runs the Anthropic retry example: the retry sits beside the first answer',
		async () => {
			const run = runPython([join('examples', 'anthropic_retry.py')], env);
			expect(run.status, run.output).toBe(0);
			const { conversationId, firstAnswerId, retryId } = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
			const { body } = await api(server.url, `/api/v1/conversations/${conversationId}`, { token: sessionToken });
			const byId = new Map(
				(body.conversation.messages as { id: string; parentId: string | null; retryOf: string | null; text: string }[]).map((message) => [message.id, message])
			);
			expect(byId.get(retryId)?.retryOf).toBe(firstAnswerId);
			expect(byId.get(retryId)?.parentId).toBe(byId.get(firstAnswerId)?.parentId);
			expect(byId.get(retryId)?.text.trim()).toBe('There are 3: #12 (CDN), #40 and #41 (query cache).');
		},
		120_000
	);
});
