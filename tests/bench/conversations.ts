// Benchmark: a program pushing an LLM conversation into one canvas while 20 people watch it —
// ingest throughput (messages/s through POST …/messages, deltas/s through POST …/stream, one JSON
// delta per request and all of them in one chunked text/plain request) and the viewers' fan-out
// latency (a delta's POST sent → the viewer's card shows it), beside the bare-Hocuspocus baseline:
// a Yjs client writing the same messages and deltas straight into a document on a Hocuspocus
// with no extensions, watched by as many viewers (the floor: sync with no API, validation,
// database or layout). The built server, 127.0.0.1 only.
// `npm run build` first; `npm run bench -- conversations [--database postgres|pglite] [--viewers 20] [--deltas 2000] [--messages 200]`.
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import { api, connectCanvas, waitFor, type CanvasClient } from '../helpers/clients.ts';
import { documentName } from '../../src/lib/document-names.ts';
import { MESSAGE_CARD_TYPE } from '../../src/lib/conversations/message-card.ts';
import { disposeAll, startBare, startEasel } from './collab/servers.ts';
import { now, quantile } from './collab/stats.ts';

const { values: flags } = parseArgs({
	args: process.argv.slice(3),
	options: {
		database: { type: 'string', default: 'postgres' },
		'postgres-url': { type: 'string', default: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
		viewers: { type: 'string', default: '20' },
		deltas: { type: 'string', default: '2000' },
		messages: { type: 'string', default: '200' }
	}
});
const VIEWERS = Number(flags.viewers);
const DELTAS = Number(flags.deltas);
const MESSAGES = Number(flags.messages);
/** No phase runs longer than this, whatever the counts say. */
const PHASE_BUDGET_MS = 120_000;
const DELTA = 'token '; // ≈ one model token

interface Figures {
	messagesPerSecond: number;
	messageFanoutMs: { p50: number | null; p95: number | null; p99: number | null };
	deltasPerSecond: number;
	deltaFanoutMs: { p50: number | null; p95: number | null; p99: number | null };
	chunkedDeltasPerSecond: number | null;
	/** Every viewer ended with the complete text, once, in order. */
	complete: boolean;
}

function summary(values: number[]) {
	const round = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);
	return { p50: round(quantile(values, 50)), p95: round(quantile(values, 95)), p99: round(quantile(values, 99)) };
}

/** Latencies from a send time to each viewer's first sight of it. */
function latencies(sent: Map<number | string, number>, seen: Map<number | string, number>[]): number[] {
	const out: number[] = [];
	for (const viewer of seen)
		for (const [key, sentAt] of sent) {
			const at = viewer.get(key);
			if (at !== undefined) out.push(at - sentAt);
		}
	return out;
}

async function benchEasel(driver: 'postgres' | 'pglite'): Promise<Figures> {
	const target = await startEasel({ driver, postgresUrl: flags['postgres-url']!, env: { API_REQUESTS_PER_MINUTE: '1000000', API_KEY_REQUESTS_PER_MINUTE: '1000000' } });
	try {
		const signup = await api(target.baseUrl, '/api/v1/auth/signup', {
			body: { email: `conv-bench-${Date.now()}@bench.test`, password: 'a long enough bench password', name: 'Bench' }
		});
		const token = signup.body.token as string;
		const canvas = await api(target.baseUrl, '/api/v1/canvases', { token, body: { title: 'Conversation bench' } });
		const canvasId = canvas.body.id as string;
		const viewers: CanvasClient[] = Array.from({ length: VIEWERS }, () => connectCanvas(target.url, documentName('canvas', canvasId), token));
		await Promise.all(viewers.map((viewer) => viewer.synced));

		// Cards by message id, as each viewer sees them.
		const cardText = (viewer: CanvasClient, messageId: string) => {
			for (const record of viewer.records.values()) {
				const card = record as { type?: string; props?: { messageId?: string; text?: string } };
				if (card.type === MESSAGE_CARD_TYPE && card.props?.messageId === messageId) return card.props.text ?? '';
			}
			return undefined;
		};
		const seenMessage = viewers.map(() => new Map<string, number>());
		const watchMessages = (ids: Set<string>) =>
			viewers.map((viewer, v) => {
				const check = () => {
					const at = now();
					for (const record of viewer.records.values()) {
						const card = record as { type?: string; props?: { messageId?: string } };
						const id = card.props?.messageId;
						if (card.type === MESSAGE_CARD_TYPE && id && ids.has(id) && !seenMessage[v].has(id)) seenMessage[v].set(id, at);
					}
				};
				viewer.records.observe(check);
				return () => viewer.records.unobserve(check);
			});

		const created = await api(target.baseUrl, `/api/v1/canvases/${canvasId}/conversations`, {
			token,
			body: { title: 'Bench', messages: [{ role: 'user', content: 'Start' }] }
		});
		const conversationId = created.body.conversation.id as string;
		let parentId = created.body.conversation.messageIds[0] as string;

		// Messages, one after another (a program relaying a long agent run).
		const sentMessage = new Map<string, number>();
		const ids = new Set<string>();
		const unwatch = watchMessages(ids);
		const startedMessages = now();
		for (let i = 0; i < MESSAGES && now() - startedMessages < PHASE_BUDGET_MS; i++) {
			const sentAt = now();
			const answer = await api(target.baseUrl, `/api/v1/conversations/${conversationId}/messages`, {
				token,
				body: { parentId, role: i % 2 ? 'user' : 'assistant', content: `Message ${i}: ${DELTA.repeat(20)}` }
			});
			if (answer.status !== 201) throw new Error(`append failed: ${answer.status} ${JSON.stringify(answer.body)}`);
			parentId = answer.body.message.id;
			ids.add(parentId);
			sentMessage.set(parentId, sentAt);
		}
		const messageSeconds = (now() - startedMessages) / 1000;
		await waitFor(() => seenMessage.every((seen) => seen.size === ids.size), 30_000, 'every viewer to see every message');
		unwatch.forEach((stop) => stop());

		// Deltas into one streaming message, one POST each.
		const streaming = await api(target.baseUrl, `/api/v1/conversations/${conversationId}/messages`, {
			token,
			body: { parentId, role: 'assistant', content: '', status: 'streaming' }
		});
		const messageId = streaming.body.message.id as string;
		const sentDelta = new Map<number, number>();
		const seenLength = viewers.map(() => new Map<number, number>());
		const stops = viewers.map((viewer, v) => {
			const check = () => {
				const length = cardText(viewer, messageId)?.length ?? 0;
				const at = now();
				// Every delta whose end this viewer's text now reaches is seen now (coalesced writes carry several).
				for (let k = Math.floor(length / DELTA.length); k > 0 && !seenLength[v].has(k); k--) seenLength[v].set(k, at);
			};
			viewer.records.observe(check);
			return () => viewer.records.unobserve(check);
		});
		const startedDeltas = now();
		let sent = 0;
		for (; sent < DELTAS && now() - startedDeltas < PHASE_BUDGET_MS; sent++) {
			sentDelta.set(sent + 1, now());
			const answer = await api(target.baseUrl, `/api/v1/conversations/${conversationId}/messages/${messageId}/stream`, { token, body: { delta: DELTA } });
			if (answer.status >= 300) throw new Error(`stream failed: ${answer.status} ${JSON.stringify(answer.body)}`);
		}
		const deltaSeconds = (now() - startedDeltas) / 1000;
		await api(target.baseUrl, `/api/v1/conversations/${conversationId}/messages/${messageId}/complete`, { token, body: {} });
		const expected = DELTA.repeat(sent);
		await waitFor(() => viewers.every((viewer) => cardText(viewer, messageId) === expected), 30_000, 'every viewer to hold the whole text');
		stops.forEach((stop) => stop());
		const complete = viewers.every((viewer) => cardText(viewer, messageId) === expected);

		// The same deltas as one chunked text/plain request.
		const chunked = await api(target.baseUrl, `/api/v1/conversations/${conversationId}/messages`, {
			token,
			body: { parentId, role: 'assistant', content: '', status: 'streaming' }
		});
		const chunkedId = chunked.body.message.id as string;
		const encoder = new TextEncoder();
		let pushed = 0;
		const body = new ReadableStream<Uint8Array>({
			pull(controller) {
				if (pushed++ >= DELTAS) controller.close();
				else controller.enqueue(encoder.encode(DELTA));
			}
		});
		const startedChunked = now();
		const response = await fetch(`${target.baseUrl}/api/v1/conversations/${conversationId}/messages/${chunkedId}/stream`, {
			method: 'POST',
			headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
			body,
			duplex: 'half'
		} as RequestInit);
		await response.text();
		const chunkedSeconds = (now() - startedChunked) / 1000;

		for (const viewer of viewers) viewer.destroy();
		return {
			messagesPerSecond: Math.round(ids.size / messageSeconds),
			messageFanoutMs: summary(latencies(sentMessage, seenMessage)),
			deltasPerSecond: Math.round(sent / deltaSeconds),
			deltaFanoutMs: summary(latencies(sentDelta, seenLength)),
			chunkedDeltasPerSecond: response.ok ? Math.round(DELTAS / chunkedSeconds) : null,
			complete
		};
	} finally {
		await target.dispose();
	}
}

/**
 * Resolves when the server has acknowledged everything the client sent: on the provider's own event,
 * not by polling (a 25 ms poll would cap the baseline at 40 writes a second).
 */
function acknowledged(client: CanvasClient): Promise<void> {
	const { provider } = client;
	if (!provider.hasUnsyncedChanges) return Promise.resolve();
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			provider.off('unsyncedChanges', check);
			reject(new Error('the server did not acknowledge within 10 s'));
		}, 10_000);
		const check = () => {
			if (provider.hasUnsyncedChanges) return;
			clearTimeout(timer);
			provider.off('unsyncedChanges', check);
			resolve();
		};
		provider.on('unsyncedChanges', check);
	});
}

/** The floor: a Yjs client writes the same messages (a Y.Map entry each) and deltas (Y.Text inserts) through bare Hocuspocus. */
async function benchBare(): Promise<Figures> {
	const target = await startBare();
	try {
		const [access] = await target.documents(1);
		const writer = connectCanvas(target.url, access.document, access.token);
		const viewers = Array.from({ length: VIEWERS }, () => connectCanvas(target.url, access.document, access.token));
		await Promise.all([writer.synced, ...viewers.map((viewer) => viewer.synced)]);
		const messages = writer.doc.getMap<Y.Map<unknown>>('messages');
		const seenMessage = viewers.map(() => new Map<string, number>());
		const stopsMessages = viewers.map((viewer, v) => {
			const map = viewer.doc.getMap<Y.Map<unknown>>('messages');
			const check = (event: Y.YMapEvent<Y.Map<unknown>>) => {
				const at = now();
				for (const key of event.keysChanged) if (!seenMessage[v].has(key)) seenMessage[v].set(key, at);
			};
			map.observe(check);
			return () => map.unobserve(check);
		});
		const sentMessage = new Map<string, number>();
		const startedMessages = now();
		for (let i = 0; i < MESSAGES; i++) {
			const id = `m${i}`;
			sentMessage.set(id, now());
			const message = new Y.Map<unknown>();
			message.set('text', new Y.Text(`Message ${i}: ${DELTA.repeat(20)}`));
			messages.set(id, message);
			// A program's request waits for its answer; here: until the server has the update.
			await acknowledged(writer);
		}
		const messageSeconds = (now() - startedMessages) / 1000;
		await waitFor(() => seenMessage.every((seen) => seen.size === MESSAGES), 30_000, 'every viewer to see every message');
		stopsMessages.forEach((stop) => stop());

		const text = writer.doc.getText('stream');
		const seenLength = viewers.map(() => new Map<number, number>());
		const stops = viewers.map((viewer, v) => {
			const viewed = viewer.doc.getText('stream');
			const check = () => {
				const at = now();
				for (let k = Math.floor(viewed.length / DELTA.length); k > 0 && !seenLength[v].has(k); k--) seenLength[v].set(k, at);
			};
			viewed.observe(check);
			return () => viewed.unobserve(check);
		});
		const sentDelta = new Map<number, number>();
		const startedDeltas = now();
		for (let i = 0; i < DELTAS; i++) {
			sentDelta.set(i + 1, now());
			text.insert(text.length, DELTA);
			await acknowledged(writer);
		}
		const deltaSeconds = (now() - startedDeltas) / 1000;
		const expected = DELTA.repeat(DELTAS);
		await waitFor(() => viewers.every((viewer) => viewer.doc.getText('stream').toString() === expected), 30_000, 'every viewer to hold the whole text');
		stops.forEach((stop) => stop());
		writer.destroy();
		for (const viewer of viewers) viewer.destroy();
		return {
			messagesPerSecond: Math.round(MESSAGES / messageSeconds),
			messageFanoutMs: summary(latencies(sentMessage, seenMessage)),
			deltasPerSecond: Math.round(DELTAS / deltaSeconds),
			deltaFanoutMs: summary(latencies(sentDelta, seenLength)),
			chunkedDeltasPerSecond: null,
			complete: true
		};
	} finally {
		await target.dispose();
	}
}

const driver = flags.database === 'pglite' ? 'pglite' : 'postgres';
console.log(`Conversation ingest: ${MESSAGES} messages, ${DELTAS} deltas, ${VIEWERS} viewers on one canvas (${driver})\n`);
try {
	const easel = await benchEasel(driver);
	const bare = await benchBare();
	const row = (label: string, pick: (figures: Figures) => unknown) => console.log(`| ${label} | ${String(pick(easel))} | ${String(pick(bare))} |`);
	console.log(`| figure | Easel (${driver}) | bare Hocuspocus |`);
	console.log('| --- | --- | --- |');
	row('messages/s (one at a time, each answered)', (f) => f.messagesPerSecond);
	row('message fan-out p50 / p95 / p99 ms', (f) => `${f.messageFanoutMs.p50} / ${f.messageFanoutMs.p95} / ${f.messageFanoutMs.p99}`);
	row('deltas/s (one request each)', (f) => f.deltasPerSecond);
	row('delta fan-out p50 / p95 / p99 ms', (f) => `${f.deltaFanoutMs.p50} / ${f.deltaFanoutMs.p95} / ${f.deltaFanoutMs.p99}`);
	row('deltas/s (one chunked request)', (f) => f.chunkedDeltasPerSecond ?? '—');
	row('every viewer holds the whole text once, in order', (f) => (f.complete ? 'yes' : 'NO'));
} finally {
	await disposeAll();
}
process.exit(0);
