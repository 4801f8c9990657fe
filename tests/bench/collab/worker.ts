// Client worker process, forked and driven over IPC by the orchestrator (workers.ts). It holds many
// clients, so no client ever shares an event loop with the server under test.
import * as Y from 'yjs';
import { decodeUpdateFrames } from '../../../src/lib/document-state.ts';
import { readMessages } from '../../../src/lib/chat/chat-document.ts';
import { connectFull, connectLight, lightStats, makeShape, PAGE, received, type Endpoint, type FullClient, type LightClient } from './clients.ts';
import { Histogram, now, quantile, median } from './stats.ts';

export interface ClientSpec {
	id: string;
	endpoint: Endpoint;
	light?: boolean;
	/** Also open the endpoint's chat document on the same socket. */
	chat?: boolean;
}

export interface ConnectResult {
	ok: number;
	failed: number;
	errors: [string, number][];
	syncMsMedian: number | null;
	syncMsP99: number | null;
}

export interface LoadResult {
	histogram: ReturnType<Histogram['toJSON']>;
	delivered: number;
	lightMessages: number;
	/** Light receivers' messages by Hocuspocus message type. */
	lightMessagesByType: Record<string, number>;
	lightClosed: number;
	/** Chat document updates from others that the full clients applied in the window (all of them together). */
	chatUpdates: number;
	/** Light receivers' messages for the chat document in the window. */
	lightChatMessages: number;
	sent: number;
	sentInWindow: number;
	targetInWindow: number;
	maxTickLagMs: number;
}

export interface CanvasView {
	/** Shapes the assistant drew, arrows apart. */
	boxes: number;
	arrows: number;
	/** The chat's assistant messages as this client has them. */
	answers: { chars: number; status: string }[];
}

export interface WriterClock {
	document: string;
	clientId: number;
	/** Edits this writer made (its own clock in its state vector). */
	clock: number;
}

const full = new Map<string, FullClient>();
const light = new Map<string, LightClient>();
const documentOf = new Map<string, string>();
let recording = false;
let windowStart = Infinity;
let windowEnd = Infinity;
let histogram = new Histogram();
let delivered = 0;
let chatUpdates = 0;

// A worker never outlives the benchmark, whatever happens to the orchestrator.
setTimeout(() => process.exit(3), Number(process.env.BENCH_WORKER_MAX_LIFE_S ?? 3600) * 1000).unref();
process.on('disconnect', () => process.exit(0));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)));
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Fan-out latency: every remote change to a record carrying `meta.sentAt` is a delivery. */
function observeLatency(client: FullClient): void {
	client.records.observe((event, transaction) => {
		if (transaction.local || !recording) return;
		const at = now();
		for (const key of event.keysChanged) {
			const sentAt = (client.records.get(key) as { meta?: { sentAt?: number } } | undefined)?.meta?.sentAt;
			if (sentAt !== undefined && sentAt >= windowStart) {
				histogram.add(at - sentAt);
				delivered++;
			}
		}
	});
}

/** Counts the chat updates others made that reach this client during the window. */
function observeChat(client: FullClient): void {
	client.chat?.on('update', (_update: Uint8Array, _origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => {
		if (transaction.local || !recording) return;
		const at = now();
		if (at >= windowStart && at < windowEnd) chatUpdates++;
	});
}

async function connect({ clients, concurrency, timeoutMs }: { clients: ClientSpec[]; concurrency: number; timeoutMs: number }): Promise<ConnectResult> {
	const syncMs: number[] = [];
	const errors = new Map<string, number>();
	let failed = 0;
	let next = 0;
	const lane = async () => {
		while (next < clients.length) {
			const spec = clients[next++];
			const started = now();
			const client = spec.light ? connectLight(spec.endpoint, { chat: spec.chat }) : connectFull(spec.endpoint, { chat: spec.chat });
			try {
				await withTimeout('ready' in client ? client.ready : client.synced, timeoutMs, `sync ${spec.endpoint.document}`);
				syncMs.push(now() - started);
				documentOf.set(spec.id, spec.endpoint.document);
				if ('ready' in client) light.set(spec.id, client);
				else {
					ensurePage(client);
					observeLatency(client);
					observeChat(client);
					full.set(spec.id, client);
				}
			} catch (error) {
				failed++;
				const message = error instanceof Error ? error.message : String(error);
				errors.set(message, (errors.get(message) ?? 0) + 1);
				client.destroy();
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, clients.length) }, lane));
	return { ok: clients.length - failed, failed, errors: [...errors].slice(0, 5), syncMsMedian: median(syncMs), syncMsP99: quantile(syncMs, 99) };
}

/** Shapes sit on `page:page`; a server that checks references (Easel) reverts shapes whose page is missing. */
function ensurePage(client: FullClient): void {
	if (!client.records.has(PAGE.id)) client.records.set(PAGE.id, PAGE);
}

/** Writes `rate` edits/s, round-robin over `writers`, each cycling over a few records it owns (dragging shapes). */
async function load(args: { writers: string[]; rate: number; warmupMs: number; durationMs: number; drainMs?: number; recordsPerWriter?: number }): Promise<LoadResult> {
	const { rate, warmupMs, durationMs, drainMs = 1500, recordsPerWriter = 4 } = args;
	const writers = args.writers.map((id) => full.get(id)).filter((client): client is FullClient => client !== undefined);
	histogram = new Histogram();
	delivered = 0;
	chatUpdates = 0;
	lightStats.chatMessages = 0;
	lightStats.messages = 0;
	lightStats.bytes = 0;
	lightStats.byType = {};
	lightStats.closed = 0;
	const start = now();
	windowStart = start + warmupMs;
	const end = windowStart + durationMs;
	windowEnd = end;
	recording = true;
	const countOn = setTimeout(() => (lightStats.counting = true), warmupMs);
	const countOff = setTimeout(() => (lightStats.counting = false), warmupMs + durationMs);
	let sent = 0;
	let sentInWindow = 0;
	let maxTickLag = 0;
	const seqs = new Map<FullClient, number>();
	if (writers.length > 0 && rate > 0) {
		await new Promise<void>((resolve) => {
			let last = now();
			const tick = setInterval(() => {
				const at = now();
				maxTickLag = Math.max(maxTickLag, at - last - 2);
				last = at;
				if (at >= end) {
					clearInterval(tick);
					resolve();
					return;
				}
				const due = Math.floor(((at - start) * rate) / 1000);
				let burst = Math.max(1, Math.ceil(rate / 50)); // never more than ~20 ms of edits in one tick
				while (sent < due && burst-- > 0) {
					const writer = writers[sent % writers.length];
					const seq = (seqs.get(writer) ?? 0) + 1;
					seqs.set(writer, seq);
					const id = `shape:w${writer.doc.clientID}-${seq % recordsPerWriter}`;
					const sentAt = now();
					writer.records.set(id, makeShape(id, seq, { sentAt, seq }));
					sent++;
					if (sentAt >= windowStart) sentInWindow++;
				}
			}, 2);
		});
	} else {
		await sleep(warmupMs + durationMs);
	}
	await sleep(drainMs);
	recording = false;
	clearTimeout(countOn);
	clearTimeout(countOff);
	lightStats.counting = false;
	return {
		histogram: histogram.toJSON(),
		delivered,
		lightMessages: lightStats.messages,
		lightMessagesByType: lightStats.byType,
		lightClosed: lightStats.closed,
		chatUpdates,
		lightChatMessages: lightStats.chatMessages,
		sent,
		sentInWindow,
		targetInWindow: Math.round((rate * durationMs) / 1000),
		maxTickLagMs: Math.round(maxTickLag)
	};
}

/** Fills a document with `count` shapes, `chunk` per transaction, waiting for the server's ack between chunks. */
async function seed({ id, endpoint, count, chunk }: { id: string; endpoint: Endpoint; count: number; chunk: number }) {
	const client = connectFull(endpoint);
	await withTimeout(client.synced, 60_000, 'seed sync');
	full.set(id, client);
	documentOf.set(id, endpoint.document);
	ensurePage(client);
	const started = now();
	for (let from = 0; from < count; from += chunk) {
		client.doc.transact(() => {
			for (let i = from; i < Math.min(count, from + chunk); i++) client.records.set(`shape:seed${i}`, makeShape(`shape:seed${i}`, i));
		});
		const deadline = now() + 60_000;
		while (client.unsynced() > 0 && now() < deadline) await sleep(5);
		if (client.unsynced() > 0) throw new Error(`seeding ${endpoint.document}: the server did not acknowledge a chunk within 60 s`);
	}
	return {
		records: client.records.size,
		seedMs: Math.round(now() - started),
		stateBytes: Y.encodeStateAsUpdate(client.doc).byteLength,
		jsonBytes: JSON.stringify(client.records.toJSON()).length
	};
}

/**
 * One cold load: a fresh client opens the document and holds all `expect` records, synced. Against
 * Easel it opens as the browser does: download the stored state, apply it, then connect.
 */
async function coldLoad({ endpoint, expect, timeoutMs }: { endpoint: Endpoint; expect: number; timeoutMs: number }) {
	received.bytes = 0;
	received.largestBytes = 0;
	const started = now();
	const download = endpoint.stateUrl ? await withTimeout(downloadState(endpoint.stateUrl, endpoint.token), timeoutMs, 'state download') : null;
	const client = connectFull(endpoint, { countBytes: true, doc: download?.doc });
	try {
		await withTimeout(client.synced, timeoutMs, 'cold load');
		const syncMs = now() - started;
		const deadline = now() + timeoutMs;
		while (client.records.size < expect && now() < deadline) await sleep(1);
		if (client.records.size < expect) throw new Error(`only ${client.records.size} of ${expect} records arrived`);
		return {
			syncMs: round(syncMs),
			fullMs: round(now() - started),
			// Opened by download: the server's answer is the response's headers, the document its body.
			documentArrivedMs: round((download?.bodyAt ?? received.largestAt) - started),
			authenticatedMs: round((download?.headersAt ?? received.firstAt) - started),
			receivedBytes: received.bytes + (download?.bytes ?? 0)
		};
	} finally {
		client.destroy();
	}
}

/** Downloads and applies a document's stored state (the format of src/lib/document-state.ts). */
async function downloadState(stateUrl: string, token: string) {
	const response = await fetch(stateUrl, { headers: { authorization: `Bearer ${token}` } });
	const headersAt = now();
	if (!response.ok) throw new Error(`state download failed: ${response.status} ${await response.text()}`);
	const body = new Uint8Array(await response.arrayBuffer());
	const bodyAt = now();
	const doc = new Y.Doc();
	Y.transact(doc, () => {
		for (const update of decodeUpdateFrames(body)) Y.applyUpdate(doc, update);
	});
	return { doc, headersAt, bodyAt, bytes: body.byteLength };
}

/** What one full client holds of the assistant's: the shapes its runs drew (`meta.createdByRun`) and its chat answers. */
function inspect({ id }: { id: string }): CanvasView {
	const client = full.get(id);
	if (!client) throw new Error(`no client ${id}`);
	type Shape = { typeName?: string; type: string; meta?: { createdByRun?: string } };
	const shapes = [...client.records.values()].filter((record): record is Shape => (record as Shape).typeName === 'shape' && !!(record as Shape).meta?.createdByRun);
	const answers = client.chat ? readMessages(client.chat).filter((message) => message.role === 'assistant') : [];
	return {
		boxes: shapes.filter((shape) => shape.type !== 'arrow').length,
		arrows: shapes.filter((shape) => shape.type === 'arrow').length,
		answers: answers.map((message) => ({ chars: message.text.length, status: message.status }))
	};
}

/** Each writer's own clock: how many edits it made, to compare with what the database holds. */
function clocks({ ids }: { ids: string[] }): WriterClock[] {
	return ids.flatMap((id) => {
		const client = full.get(id);
		if (!client) return [];
		const clientId = client.doc.clientID;
		return [{ document: documentOf.get(id)!, clientId, clock: Y.decodeStateVector(Y.encodeStateVector(client.doc)).get(clientId) ?? 0 }];
	});
}

function close({ ids }: { ids?: string[] }) {
	for (const [id, client] of [...full, ...light]) {
		if (ids && !ids.includes(id)) continue;
		client.destroy();
		full.delete(id);
		light.delete(id);
		documentOf.delete(id);
	}
	return { open: full.size + light.size };
}

const round = (x: number) => Math.round(x * 10) / 10;

// Each operation takes its own arguments; the orchestrator (workers.ts) sends the matching ones over IPC.
const operations: Record<string, (args: never) => unknown> = { connect, load, seed, coldLoad, clocks, inspect, close };

process.on('message', async (message: { id: number; op: string; args: unknown }) => {
	try {
		const result = await (operations[message.op] as (args: unknown) => unknown)(message.args);
		process.send!({ id: message.id, ok: true, result });
	} catch (error) {
		process.send!({ id: message.id, ok: false, error: error instanceof Error ? error.stack : String(error) });
	}
});
process.send!({ ready: true });
