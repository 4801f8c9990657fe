// The measured scenarios: fan-out latency, idle sockets, cold load and (Easel only) persisted updates;
// browser tabs are in tabs.ts. Each takes a running server and the two client workers, and returns plain numbers.
import { cpus } from 'node:os';
import type { CanvasView, ClientSpec, ConnectResult, LoadResult, WriterClock } from './worker.ts';
import type { Worker } from './workers.ts';
import { monotonicUs } from './profile.ts';
import type { DocumentAccess, EaselTarget, Memory, Target } from './servers.ts';
import { cpuPercent, systemCpuPercent, Histogram, machineBusyPercent, median, sampleMachine, sampleProcess, type LatencySummary } from './stats.ts';

export interface Workers {
	/** Full clients: writers, latency probes, idle sockets, seeders. */
	full: Worker;
	/** Light receivers and cold-load clients. */
	other: Worker;
}

export type Log = (message: string) => void;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function connect(worker: Worker, clients: ClientSpec[], what: string, concurrency = 25): Promise<ConnectResult> {
	if (clients.length === 0) return { ok: 0, failed: 0, errors: [], syncMsMedian: null, syncMsP99: null };
	const result = await worker.call<ConnectResult>('connect', { clients, concurrency, timeoutMs: 30_000 });
	if (result.failed > 0) throw new Error(`${what}: ${result.failed} of ${clients.length} clients could not connect: ${JSON.stringify(result.errors)}`);
	return result;
}

export async function closeAll(workers: Workers): Promise<void> {
	await Promise.all([workers.full.call('close', {}), workers.other.call('close', {})]);
}

// ---------------------------------------------------------------------------------------------- fan-out

export interface FanoutOptions {
	editors: number;
	/** Full providers (the first `probes` editors); they write and measure. The rest are light receivers. */
	probes: number;
	/** Total edits per second across all writers. */
	rate: number;
	warmupS: number;
	durationS: number;
}

export interface FanoutResult extends FanoutOptions {
	latency: LatencySummary;
	editsPerS: number;
	deliveriesPerS: number;
	lightMessagesPerS: number;
	/** Of those, per Hocuspocus message type. */
	lightMessagesPerSByType: Record<string, number>;
	lightClosed: number;
	serverCpuPct: number | null;
	/** Of the server's CPU, the part spent in the kernel. */
	serverSystemCpuPct: number | null;
	clientCpuPct: (number | null)[];
	machineBusyPct: number | null;
	/** Machine busy % not explained by the benchmark's own processes: other people's work on a shared box. */
	foreignBusyPct: number | null;
	maxTickLagMs: number;
	/** The measurement window on the monotonic clock, µs (to cut CPU profiles to it). */
	windowUs: [number, number];
	/** With `chat`: chat updates per second each probe received, and each light receiver. */
	chatUpdatesPerProbePerS?: number;
	chatMessagesPerLightPerS?: number;
}

/** What a fan-out may add: every editor on the chat too, and work that runs beside the editors' edits. */
export interface FanoutExtras<T> {
	/** Every editor also opens the canvas's chat document on its socket, as Easel's browser does. */
	chat?: boolean;
	/** Started when the editors start (the window opens `warmupMs` later), awaited before the clients close; `inspect` reads the first probe. */
	alongside?: (context: { access: DocumentAccess; warmupMs: number; durationMs: number; inspect: () => Promise<CanvasView> }) => Promise<T>;
}

/** `ownPids`: every process of the benchmark (all servers, the orchestrator), to tell its load from others'. */
export async function fanout<T = never>(
	target: Target,
	workers: Workers,
	options: FanoutOptions,
	ownPids: number[],
	extras: FanoutExtras<T> = {}
): Promise<FanoutResult & { alongside?: T }> {
	const { editors, rate, warmupS, durationS } = options;
	const probes = Math.min(options.probes, editors);
	const [access] = await target.documents(1);
	const endpoint = { url: target.url, ...access };
	const specs = Array.from({ length: editors }, (_, i): ClientSpec => ({ id: `fanout-${i}`, endpoint, light: i >= probes, chat: extras.chat }));
	try {
		await connect(workers.full, specs.slice(0, probes), 'fan-out probes');
		await connect(workers.other, specs.slice(probes), 'fan-out receivers', 50);
		await sleep(1000);
		const measured = [target.pid, workers.full.pid, workers.other.pid];
		const pids = [...measured, ...ownPids.filter((pid) => !measured.includes(pid))];
		let before: ReturnType<typeof snapshot> | undefined;
		let after: ReturnType<typeof snapshot> | undefined;
		const snapshot = () => ({ processes: pids.map(sampleProcess), machine: sampleMachine(), at: monotonicUs() });
		const startTimer = setTimeout(() => (before = snapshot()), warmupS * 1000);
		const endTimer = setTimeout(() => (after = snapshot()), (warmupS + durationS) * 1000);
		const step = { warmupMs: warmupS * 1000, durationMs: durationS * 1000 };
		const inspect = () => workers.full.call<CanvasView>('inspect', { id: specs[0].id });
		const [probeLoad, lightLoad, alongside] = await Promise.all([
			workers.full.call<LoadResult>('load', { ...step, writers: specs.slice(0, probes).map((spec) => spec.id), rate }),
			workers.other.call<LoadResult>('load', { ...step, writers: [], rate: 0 }),
			extras.alongside?.({ access, warmupMs: step.warmupMs, durationMs: step.durationMs, inspect })
		]);
		clearTimeout(startTimer);
		clearTimeout(endTimer);
		const cpu = (i: number) => (before && after ? cpuPercent(before.processes[i], after.processes[i]) : null);
		const machineBusyPct = before && after ? machineBusyPercent(before.machine, after.machine) : null;
		const ownPct = pids.reduce((sum, _, i) => sum + (cpu(i) ?? 0), 0) / cpus().length;
		return {
			...options,
			probes,
			latency: Histogram.fromJSON(probeLoad.histogram).summary(),
			editsPerS: round(probeLoad.sentInWindow / durationS),
			deliveriesPerS: Math.round(probeLoad.delivered / durationS),
			lightMessagesPerS: Math.round(lightLoad.lightMessages / durationS),
			lightMessagesPerSByType: Object.fromEntries(Object.entries(lightLoad.lightMessagesByType).map(([type, n]) => [type, Math.round(n / durationS)])),
			lightClosed: lightLoad.lightClosed,
			serverCpuPct: cpu(0),
			serverSystemCpuPct: before && after ? systemCpuPercent(before.processes[0], after.processes[0]) : null,
			clientCpuPct: [cpu(1), cpu(2)],
			machineBusyPct,
			foreignBusyPct: machineBusyPct === null ? null : round(Math.max(0, machineBusyPct - ownPct)),
			maxTickLagMs: probeLoad.maxTickLagMs,
			windowUs: [before?.at ?? 0, after?.at ?? 0],
			...(extras.chat
				? {
						chatUpdatesPerProbePerS: round(probeLoad.chatUpdates / probes / durationS),
						chatMessagesPerLightPerS: editors > probes ? round(lightLoad.lightChatMessages / (editors - probes) / durationS) : undefined
					}
				: {}),
			...(extras.alongside ? { alongside } : {})
		};
	} finally {
		await closeAll(workers);
	}
}

// ---------------------------------------------------------------------------------------------- idle sockets

export interface IdleOptions {
	sockets: number;
	documents: number;
	idleS: number;
	/** Then grow to this many sockets (0: don't) and report the RSS slope from `sockets` to here. */
	moreSockets: number;
}

export interface IdleResult extends IdleOptions {
	rssMb: { base: number; afterDocuments: number; afterAll: number };
	/** (RSS with all sockets − RSS with one socket per document) / the extra sockets. */
	rssPerSocketKb: number;
	/** What a document with its first socket adds, less one socket. */
	rssPerDocumentKb: number;
	heapPerSocketKb: number | null;
	/** Heap a document with its first socket adds, less one socket's heap. */
	heapPerDocumentKb: number | null;
	idleServerCpuPct: number | null;
	connectMs: number;
	/** RSS per socket from `sockets` to `moreSockets`: past the memory the process already held free. */
	marginalRssPerSocketKb: number | null;
	marginalHeapPerSocketKb: number | null;
	rssMbWithMoreSockets: number | null;
}

export async function idle(target: Target, workers: Workers, options: IdleOptions, log: Log): Promise<IdleResult> {
	const { sockets, documents, idleS } = options;
	const accesses = await target.documents(documents);
	const spec = (i: number): ClientSpec => ({ id: `idle-${i}`, endpoint: { url: target.url, ...accesses[i % documents] } });
	try {
		await sleep(1000);
		const base = await target.memory();
		const started = performance.now();
		await connect(
			workers.full,
			Array.from({ length: documents }, (_, i) => spec(i)),
			'idle: one socket per document'
		);
		await sleep(5000);
		const afterDocuments = await target.memory();
		await connect(
			workers.full,
			Array.from({ length: sockets - documents }, (_, i) => spec(documents + i)),
			'idle: the other sockets'
		);
		const connectMs = Math.round(performance.now() - started);
		await sleep(3000);
		// The idle window: what keeping the sockets open costs; memory is read after it (connect-time buffers are transient).
		const cpuBefore = sampleProcess(target.pid);
		await sleep(idleS * 1000);
		const cpuAfter = sampleProcess(target.pid);
		const afterAll = await target.memory();
		let more: Memory | null = null;
		if (options.moreSockets > sockets) {
			await connect(
				workers.full,
				Array.from({ length: options.moreSockets - sockets }, (_, i) => spec(sockets + i)),
				'idle: more sockets'
			);
			await sleep(5000);
			more = await target.memory();
		}
		const both = (memory: Memory) =>
			`${mb(memory.rssKb)} MiB RSS (heap used ${mbOf(memory.heapUsedKb)} of ${mbOf(memory.heapTotalKb)}, young generation ${mbOf(memory.youngGenerationKb)}, external ${mbOf(memory.externalKb)})`;
		log(
			`  base ${both(base)}, ${documents} documents ${both(afterDocuments)}, ${sockets} sockets ${both(afterAll)}${more ? `, ${options.moreSockets} sockets ${both(more)}` : ''}`
		);
		const extra = sockets - documents;
		const rssPerSocketKb = (afterAll.rssKb - afterDocuments.rssKb) / extra;
		const heapPerSocket =
			afterAll.heapUsedKb !== null && afterDocuments.heapUsedKb !== null && base.heapUsedKb !== null ? (afterAll.heapUsedKb - afterDocuments.heapUsedKb) / extra : null;
		return {
			...options,
			rssMb: { base: mb(base.rssKb), afterDocuments: mb(afterDocuments.rssKb), afterAll: mb(afterAll.rssKb) },
			rssPerSocketKb: round(rssPerSocketKb),
			rssPerDocumentKb: round((afterDocuments.rssKb - base.rssKb) / documents - rssPerSocketKb),
			heapPerSocketKb: heapPerSocket === null ? null : round(heapPerSocket),
			heapPerDocumentKb: heapPerSocket === null ? null : round((afterDocuments.heapUsedKb! - base.heapUsedKb!) / documents - heapPerSocket),
			idleServerCpuPct: cpuPercent(cpuBefore, cpuAfter),
			connectMs,
			marginalRssPerSocketKb: more ? round((more.rssKb - afterAll.rssKb) / (options.moreSockets - sockets)) : null,
			marginalHeapPerSocketKb:
				more && more.heapUsedKb !== null && afterAll.heapUsedKb !== null ? round((more.heapUsedKb - afterAll.heapUsedKb) / (options.moreSockets - sockets)) : null,
			rssMbWithMoreSockets: more ? mb(more.rssKb) : null
		};
	} finally {
		await closeAll(workers);
	}
}

// ---------------------------------------------------------------------------------------------- cold load

export interface ColdLoadOptions {
	records: number[];
	trials: number;
	chunk: number;
}

export interface ColdLoadResult {
	records: number;
	/** Where the server took the document from. */
	source: 'memory' | 'database';
	trialsMs: number[];
	medianMs: number;
	minMs: number;
	maxMs: number;
	syncMsMedian: number;
	/** Connect → the frame holding the document has arrived (the server's part; the rest is the client applying it). */
	documentArrivedMsMedian: number;
	/** Connect → the server's answer to the token (authentication, before the document is loaded). */
	authenticatedMsMedian: number;
	stateBytes: number;
	receivedBytes: number;
	seedMs: number;
	/** The trials on the monotonic clock, µs (to cut CPU profiles to them). */
	windowsUs: [number, number][];
}

export async function coldLoad(target: Target, workers: Workers, options: ColdLoadOptions, log: Log): Promise<ColdLoadResult[]> {
	const results: ColdLoadResult[] = [];
	const fromDatabase = target.unloaded !== undefined;
	for (const count of options.records) {
		const [access] = await target.documents(1);
		const endpoint = { url: target.url, ...access };
		try {
			const seeded = await workers.full.call<{ records: number; seedMs: number; stateBytes: number }>('seed', { id: 'seeder', endpoint, count, chunk: options.chunk });
			log(`  seeded ${seeded.records} records (${mb(seeded.stateBytes / 1024)} MB of Yjs state) in ${seeded.seedMs} ms`);
			// A server with a database loads from it: the seeder leaves and the server unloads the document first.
			if (fromDatabase) {
				await workers.full.call('close', {});
				await waitUnloaded(target);
			}
			const trials: { syncMs: number; fullMs: number; documentArrivedMs: number; authenticatedMs: number; receivedBytes: number }[] = [];
			const windowsUs: [number, number][] = [];
			for (let trial = 0; trial < options.trials; trial++) {
				const from = monotonicUs();
				trials.push(await workers.other.call('coldLoad', { endpoint, expect: count, timeoutMs: 120_000 }));
				windowsUs.push([from, monotonicUs()]);
				if (fromDatabase) await waitUnloaded(target);
				else await sleep(300);
			}
			const fullMs = trials.map((trial) => trial.fullMs);
			results.push({
				records: count,
				source: fromDatabase ? 'database' : 'memory',
				trialsMs: fullMs,
				medianMs: median(fullMs)!,
				minMs: Math.min(...fullMs),
				maxMs: Math.max(...fullMs),
				syncMsMedian: median(trials.map((trial) => trial.syncMs))!,
				documentArrivedMsMedian: median(trials.map((trial) => trial.documentArrivedMs))!,
				authenticatedMsMedian: median(trials.map((trial) => trial.authenticatedMs))!,
				stateBytes: seeded.stateBytes,
				receivedBytes: median(trials.map((trial) => trial.receivedBytes))!,
				seedMs: seeded.seedMs,
				windowsUs
			});
			log(
				`  ${count} records: ${fullMs.join(', ')} ms (authenticated after ${trials.map((trial) => trial.authenticatedMs).join(', ')} ms, document arrived after ${trials.map((trial) => trial.documentArrivedMs).join(', ')} ms)`
			);
		} finally {
			await closeAll(workers);
		}
	}
	return results;
}

/** Waits until Easel holds no document in memory and has nothing left to write. */
async function waitUnloaded(target: Target, timeoutMs = 120_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (await target.unloaded?.()) return;
		if (Date.now() > deadline) throw new Error(`${target.label} did not unload its documents within ${timeoutMs} ms`);
		await sleep(50);
	}
}

// ---------------------------------------------------------------------------------------------- persisted updates

export interface PersistOptions {
	documents: number;
	writersPerDocument: number;
	/** Total edit rates to step through, edits/s. */
	rates: number[];
	stepS: number;
}

export interface PersistStep {
	targetRate: number;
	sentPerS: number;
	/** Updates appended to the update log per second, counting the time to drain the queue after the last edit. */
	persistedPerS: number;
	/** From the last edit until the database held every update. */
	drainMs: number;
	updatesLogged: number;
	sent: number;
	batches: number;
	batchMsMean: number | null;
	serverCpuPct: number | null;
	failures: number;
}

export interface PersistResult extends PersistOptions {
	steps: PersistStep[];
	/** Every writer's edits found in the database (snapshot + update log), read back after the run. */
	verified: { edits: number; found: number; how: string };
}

export async function persist(target: EaselTarget, workers: Workers, options: PersistOptions, log: Log): Promise<PersistResult> {
	const accesses = await target.documents(options.documents);
	const specs = accesses.flatMap((access, d) =>
		Array.from({ length: options.writersPerDocument }, (_, w): ClientSpec => ({ id: `persist-${d}-${w}`, endpoint: { url: target.url, ...access } }))
	);
	const ids = specs.map((spec) => spec.id);
	await connect(workers.full, specs, 'persist writers');
	const steps: PersistStep[] = [];
	for (const rate of options.rates) {
		const m0 = await target.metrics();
		const cpu0 = sampleProcess(target.pid);
		const started = performance.now();
		const load = await workers.full.call<LoadResult>('load', { writers: ids, rate, warmupMs: 0, durationMs: options.stepS * 1000, drainMs: 0 });
		const sendingEnded = performance.now();
		const deadline = Date.now() + 60_000;
		while ((await target.metrics()).get('easel_documents_unsaved') !== 0 && Date.now() < deadline) await sleep(10);
		const drained = performance.now();
		const cpu1 = sampleProcess(target.pid);
		const m1 = await target.metrics();
		const delta = (name: string) => (m1.get(name) ?? 0) - (m0.get(name) ?? 0);
		const logged = delta('easel_document_updates_total');
		const batches = delta('easel_update_log_batch_seconds_count');
		const step: PersistStep = {
			targetRate: rate,
			sentPerS: round(load.sent / ((sendingEnded - started) / 1000)),
			persistedPerS: round(logged / ((drained - started) / 1000)),
			drainMs: Math.round(drained - sendingEnded),
			updatesLogged: logged,
			sent: load.sent,
			batches,
			batchMsMean: batches > 0 ? round((delta('easel_update_log_batch_seconds_sum') * 1000) / batches) : null,
			serverCpuPct: cpuPercent(cpu0, cpu1),
			failures: delta('easel_update_log_failures_total')
		};
		log(
			`  ${rate}/s: sent ${step.sentPerS}/s, persisted ${step.persistedPerS}/s, drained ${step.drainMs} ms after the last edit, ${batches} batches (mean ${step.batchMsMean} ms), server CPU ${step.serverCpuPct}%`
		);
		steps.push(step);
	}
	// Read back what the database holds. PostgreSQL can be read beside the running server; the
	// embedded database serves one process, so the server is killed first (SIGKILL: nothing more is written).
	const clocks = await workers.full.call<WriterClock[]>('clocks', { ids });
	let how = 'read from PostgreSQL while the server ran';
	if (target.driver === 'pglite') {
		await target.stop('SIGKILL');
		how = 'read from PGlite after SIGKILL of the server';
	}
	const stored = await target.readStored(accesses.map((access) => access.document));
	const edits = clocks.reduce((sum, writer) => sum + writer.clock, 0);
	const found = clocks.reduce((sum, writer) => sum + Math.min(writer.clock, stored.get(writer.document)?.get(writer.clientId) ?? 0), 0);
	await closeAll(workers);
	return { ...options, steps, verified: { edits, found, how } };
}

const round = (x: number) => Math.round(x * 10) / 10;
const mb = (kb: number) => Math.round(kb / 102.4) / 10;
const mbOf = (kb: number | null) => (kb === null ? '?' : mb(kb));
