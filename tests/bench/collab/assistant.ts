// The assistant scenario's model and driver: a local server speaking OpenAI's streaming protocol
// (tests/helpers/openai-test-server.ts) scripted with a long answer paced like a real model, one
// token per event, with diagram tool calls between its parts; and the driver that asks Easel's
// assistant on the measured canvas while the editors edit, then checks what the editors received.
import { api } from '../../helpers/clients.ts';
import { TOOL_ARGUMENT_CHUNK_SIZE } from '../../helpers/ai-test-server.ts';
import { startOpenAiTestServer, type AiTestServer, type ReplyRule, type ScriptedReply } from '../../helpers/openai-test-server.ts';
import type { DocumentAccess, EaselTarget } from './servers.ts';
import type { CanvasView } from './worker.ts';

export interface AssistantScript {
	/** Tokens of answer text (≈ 4 characters each), streamed one per event. */
	tokens: number;
	/** Seconds the text takes to stream, all parts together (the pacing the model server is asked for). */
	streamS: number;
	/** draw_diagram calls, spread between the parts of the text. */
	diagrams: number;
	/** Boxes and arrows per diagram: each call draws nodes + edges shapes. */
	nodesPerDiagram: number;
	edgesPerDiagram: number;
}

/** What one run did, as the driver and the editors saw it. */
export interface AssistantRunResult {
	runId: string | null;
	status: string;
	error?: string;
	/** From the start of the measurement window: when the run was asked for, and when its answer was done in an editor's chat. */
	askedAtS: number;
	doneAtS: number | null;
	/** POST → answer done, as an editor saw it. */
	durationS: number | null;
	creditsCharged: number | null;
	outputTokens: number | null;
	changes: number | null;
	/** What the first probe editor holds afterwards: the assistant's shapes and answer. */
	view: CanvasView | null;
}

const CHARS_PER_TOKEN = 4;
const PROMPT = 'Explain our order pipeline and draw it on the canvas';
const SENTENCES = [
	'The **web app** sends every order to the API gateway over HTTPS, which checks the session and the rate limit before anything else runs.',
	'Orders are written to PostgreSQL in one transaction with their line items, so a crash never leaves half an order behind.',
	'The API then publishes an `order.created` event to the queue; the billing worker consumes it and charges the card through the payment provider.',
	'A Redis cache in front of the catalogue keeps product reads under a millisecond and absorbs the traffic spikes of a sale.',
	'If the payment fails, the worker retries with exponential backoff and finally marks the order as `payment_failed` for support to follow up.',
	'Shipping listens for `order.paid`, books a carrier and writes the tracking number back, which the web app shows on the order page.',
	'Everything logs to the central collector with a trace id, so one order can be followed across the gateway, the workers and the database.'
];

/** About `chars` characters of Markdown prose: paragraphs and a list, like a model explaining a diagram. */
export function answerText(chars: number): string {
	let text = '';
	for (let i = 0; text.length < chars; i++) {
		const sentence = SENTENCES[i % SENTENCES.length];
		text += i % 5 === 4 ? `\n- ${sentence}` : i % 5 === 0 && i > 0 ? `\n\n${sentence}` : ` ${sentence}`;
	}
	return text.trim().slice(0, chars);
}

/** One diagram of `nodes` boxes and up to `nodes - 1` arrows chaining them; ids unique per diagram. */
export function diagram(index: number, nodes: number, edges: number) {
	const kinds = ['client', 'service', 'database', 'cache', 'queue', 'service'];
	const id = (n: number) => `d${index}n${n}`;
	return {
		nodes: Array.from({ length: nodes }, (_, n) => ({ id: id(n), label: `Step ${index + 1}.${n + 1}`, kind: kinds[n % kinds.length] })),
		edges: Array.from({ length: Math.min(edges, Math.max(0, nodes - 1)) }, (_, e) => ({ from: id(e), to: id(e + 1) })),
		direction: 'RIGHT'
	};
}

/** The model's replies, one per step: a part of the text with a draw_diagram call, …, then the last part. */
export function assistantReplies(script: AssistantScript): ScriptedReply[] {
	const text = answerText(script.tokens * CHARS_PER_TOKEN);
	const parts = script.diagrams + 1;
	const partLength = Math.ceil(text.length / parts);
	const part = (i: number) => text.slice(i * partLength, (i + 1) * partLength);
	const diagrams = Array.from({ length: script.diagrams }, (_, i) => diagram(i, script.nodesPerDiagram, script.edgesPerDiagram));
	// The test server sends tool arguments paced too, TOOL_ARGUMENT_CHUNK_SIZE characters an event: they share the time.
	const argumentEvents = diagrams.reduce((sum, each) => sum + Math.ceil(JSON.stringify(each).length / TOOL_ARGUMENT_CHUNK_SIZE) + 1, 0);
	const pacing = { chunkSize: CHARS_PER_TOKEN, delayMs: Math.max(1, Math.floor((script.streamS * 1000) / (script.tokens + argumentEvents))) };
	return [
		...diagrams.map((each, i): ScriptedReply => ({ kind: 'tool-calls', text: part(i), calls: [{ name: 'draw_diagram', arguments: each }], ...pacing })),
		{ kind: 'text', text: part(script.diagrams), ...pacing }
	];
}

/** The model server, answering the bench's prompt with the script at every step; and the env that points Easel at it. */
export async function startAssistantModel(script: AssistantScript): Promise<{ server: AiTestServer; env: NodeJS.ProcessEnv }> {
	const rules: ReplyRule[] = [{ match: PROMPT, reply: assistantReplies(script) }];
	const server = await startOpenAiTestServer({ rules, defaultReply: { kind: 'text', text: 'Done.' } });
	return {
		server,
		env: {
			AI_PROVIDER: 'openai-compatible',
			AI_BASE_URL: server.baseURL,
			AI_API_KEY: 'bench-key',
			AI_MODEL_FAST: 'fast-model',
			AI_MAX_STEPS: String(script.diagrams + 2)
		}
	};
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Asks the assistant on `access`'s canvas `askAfterMs` after the measurement window opens and waits
 * until an editor's chat shows the answer finished (`inspect` reads the first probe: no extra
 * requests to the server while it is measured), then reads the run once.
 */
export async function runAssistant(
	target: EaselTarget,
	access: DocumentAccess,
	timing: { warmupMs: number; askAfterMs: number; timeoutMs: number },
	inspect: () => Promise<CanvasView>
): Promise<AssistantRunResult> {
	const windowOpens = performance.now() + timing.warmupMs;
	await sleep(timing.warmupMs + timing.askAfterMs);
	const sinceWindow = () => Math.round((performance.now() - windowOpens) / 100) / 10;
	const askedAtS = sinceWindow();
	const asked = performance.now();
	const token = access.token;
	const base = `/api/v1/canvases/${access.canvasId}/assistant/runs`;
	const started = await api(target.baseUrl, base, { token, body: { prompt: PROMPT, tier: 'fast' } });
	const failed = (error: string): AssistantRunResult => ({
		runId: null,
		status: 'not started',
		error,
		askedAtS,
		doneAtS: null,
		durationS: null,
		creditsCharged: null,
		outputTokens: null,
		changes: null,
		view: null
	});
	if (started.status !== 202) return failed(`POST ${base}: ${started.status} ${JSON.stringify(started.body)}`);
	const runId = started.body.run.id as string;
	const deadline = performance.now() + timing.timeoutMs;
	let view: CanvasView | null = null;
	let doneAtS: number | null = null;
	let finishedAt: number | null = null;
	while (performance.now() < deadline) {
		view = await inspect();
		if (view.answers.some((answer) => answer.status !== 'streaming')) {
			finishedAt = performance.now();
			doneAtS = sinceWindow();
			break;
		}
		await sleep(50);
	}
	const { body } = await api(target.baseUrl, `${base}/${runId}`, { token });
	const run = body?.run;
	return {
		runId,
		status: run?.status ?? 'unknown',
		...(run?.error ? { error: run.error as string } : finishedAt === null ? { error: `no finished answer within ${timing.timeoutMs} ms` } : {}),
		askedAtS,
		doneAtS,
		durationS: finishedAt === null ? null : Math.round((finishedAt - asked) / 100) / 10,
		creditsCharged: run?.creditsCharged ?? null,
		outputTokens: run?.usage?.outputTokens ?? null,
		changes: Array.isArray(run?.changes) ? run.changes.length : null,
		view
	};
}
