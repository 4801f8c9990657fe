// Benchmark: the live sketch image job queue (pg-boss) on PostgreSQL + Redis, 127.0.0.1 only, with
// the built web server (IN_PROCESS_WORKER=false), two `server/worker.ts` processes and the local
// OpenAI-compatible images server.
//  1. Queue overhead: submit (POST /api/v1/canvases/:id/images sent) → a worker starts the job
//     (image_jobs.started_at), at a fixed rate of jobs without a frame (nothing supersedes), beside
//     bare pg-boss on the same database in the same run (`send` → `work` handler start, two
//     instances, the same worker settings): the difference is what Easel adds (HTTP, auth, plan
//     limits, credits, the sketch blob, rows).
//  2. Supersession: people sketching continuously, each in their own sketch frame, a new sketch
//     every 500 ms ± jitter with its frameId, the provider answering in ~1.5 s: how many sketches
//     reach the provider and how many are dropped (superseded) and charged nothing.
// `npm run build` first; `npm run bench -- jobs [--minutes 1] [--people 10] [--provider-ms 1500]
//  [--rates 10,100] [--seconds 10] [--concurrency 8]`.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { PgBoss } from 'pg-boss';
import { api, connectCanvas, createCanvas, signUp, waitFor, type TestUser } from '../helpers/clients.ts';
import { createScratchPostgres } from '../helpers/databases.ts';
import { freePort, startServer, type RunningServer } from '../helpers/server.ts';
import { seedCanvas } from '../helpers/tldraw-records.ts';
import { addSketchPair, imageEnv, sketchBase64, startWorker } from '../helpers/live-sketch.ts';
import { startOpenAiImagesTestServer } from '../helpers/openai-images-test-server.ts';
import { now, quantile } from './collab/stats.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const { values: flags } = parseArgs({
	args: process.argv.slice(3),
	options: {
		minutes: { type: 'string', default: '1' },
		people: { type: 'string', default: '10' },
		'provider-ms': { type: 'string', default: '1500' },
		rates: { type: 'string', default: '10,100' },
		seconds: { type: 'string', default: '10' },
		concurrency: { type: 'string', default: '8' }
	}
});
const SKETCH_MINUTES = Number(flags.minutes);
const PEOPLE = Number(flags.people);
const SKETCH_PROVIDER_MS = Number(flags['provider-ms']);
const RATES = flags.rates!.split(',').map(Number);
const RATE_SECONDS = Number(flags.seconds);
const CONCURRENCY = Number(flags.concurrency);
const WORKERS = 2;
/** The provider's answer time while the queue overhead is measured: short, so it is never the limit. */
const OVERHEAD_PROVIDER_MS = 50;
/** A live-sketch browser sends at each pause in drawing: about this often, ± the jitter. */
const SKETCH_INTERVAL_MS = 500;
const SKETCH_JITTER_MS = 150;
/** How long jobs may take to drain after a phase stops submitting. */
const DRAIN_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value: number | null, digits = 1) => (value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits);

/** Sketches to send, encoded once (the client's own PNG encoding is not what is measured). */
const SKETCHES = Array.from({ length: 16 }, (_, seed) => sketchBase64(seed));

interface Latencies {
	p50: number | null;
	p99: number | null;
	count: number;
}

function latencies(values: number[]): Latencies {
	return { p50: round(quantile(values, 50)), p99: round(quantile(values, 99)), count: values.length };
}

interface OverheadFigures {
	rate: number;
	/** Submissions actually sent per second (the client's pacing on a busy machine may fall short). */
	sentPerSecond: number;
	/** Submissions answered per second, first send to last answer: what the web server kept up with. */
	answeredPerSecond: number;
	accepted: number;
	refusals: Map<string, number>;
	/** Request sent → image_jobs.started_at. */
	fromSend: Latencies;
	/** image_jobs.created_at (the row written, in the submit's transaction) → started_at. */
	fromRow: Latencies;
	/** image_jobs.created_at → pg-boss's job.started_on: the part of fromRow before the worker's claim. */
	toFetch: Latencies;
	/** Request sent → its 202 answer. */
	answer: Latencies;
	notStarted: number;
}

interface BaselineFigures {
	rate: number;
	sentPerSecond: number;
	/** boss.send called → the handler runs. */
	start: Latencies;
	notStarted: number;
}

interface SupersessionFigures {
	people: number;
	seconds: number;
	submitted: number;
	refusals: Map<string, number>;
	providerCalls: number;
	byState: Map<string, number>;
	supersededCharged: number;
	creditsCharged: number;
	/** Jobs that had not finished when the drain window closed. */
	unfinished: number;
}

/** Paces `count` calls of `fire` at `rate` a second (open loop: a slow answer never delays the next send). */
async function paced(rate: number, count: number, fire: (index: number) => Promise<void>): Promise<{ sentPerSecond: number }> {
	const pending: Promise<void>[] = [];
	const started = now();
	for (let i = 0; i < count; i++) {
		const due = started + (i * 1000) / rate;
		const wait = due - now();
		if (wait > 1) await sleep(wait);
		pending.push(fire(i));
	}
	// From the first send to the last: count − 1 intervals.
	const seconds = (now() - started) / 1000;
	await Promise.all(pending);
	return { sentPerSecond: count > 1 && seconds > 0 ? (round((count - 1) / seconds) ?? 0) : count };
}

function countRefusal(refusals: Map<string, number>, status: number, body: { error?: { code?: string; details?: { limit?: string } } } | string) {
	const error = typeof body === 'object' && body ? body.error : undefined;
	const key = `${status} ${error?.code ?? 'error'}${error?.details?.limit ? ` (${error.details.limit})` : ''}`;
	refusals.set(key, (refusals.get(key) ?? 0) + 1);
}

/** A user whose personal team is on the Team plan with credits to spare: plan limits and credits never refuse. */
async function paidUser(server: RunningServer, sql: postgres.Sql, name: string): Promise<TestUser> {
	const user = await signUp(server.url, name);
	await sql`insert into team_billing (team_id, plan, seats, status) values (${user.personalTeamId}, 'team', 10, 'active')
		on conflict (team_id) do update set plan = 'team', seats = 10, status = 'active'`;
	await sql`insert into credit_ledger (team_id, delta, reason, reference) values (${user.personalTeamId}, 1000000, 'adjustment', 'jobs bench')`;
	return user;
}

interface StartedRow {
	id: string;
	created: number;
	/** pg-boss handed the job to a worker (its job.started_on, the fetch). */
	fetched: number | null;
	started: number | null;
}

/** Rows of the given jobs once every one has started (or the wait ran out), with pg-boss's fetch time of each. */
async function startedRows(sql: postgres.Sql, ids: string[]): Promise<StartedRow[]> {
	const read = async () => {
		const rows = await sql<{ id: string; created: string; fetched: string | null; started: string | null }[]>`
			select j.id, extract(epoch from j.created_at) * 1000 as created, extract(epoch from q.started_on) * 1000 as fetched,
				extract(epoch from j.started_at) * 1000 as started
			from image_jobs j left join pgboss.job q on q.id = j.id and q.name = 'image-generation'
			where j.id = any(${ids}::uuid[])`;
		const number = (value: string | null) => (value === null ? null : Number(value));
		return rows.map((row) => ({ id: row.id, created: Number(row.created), fetched: number(row.fetched), started: number(row.started) }));
	};
	const deadline = Date.now() + DRAIN_MS;
	let rows = await read();
	while (rows.some((row) => row.started === null) && Date.now() < deadline) {
		await sleep(250);
		rows = await read();
	}
	return rows;
}

async function benchOverhead(server: RunningServer, sql: postgres.Sql, rate: number, seconds = RATE_SECONDS): Promise<OverheadFigures> {
	const user = await paidUser(server, sql, `Overhead${rate}`);
	const canvasId = await createCanvas(server.url, user);
	const count = rate * seconds;
	const sentAt = new Map<string, number>();
	const answered: number[] = [];
	const refusals = new Map<string, number>();
	const firstSend = now();
	let lastAnswer = firstSend;
	const { sentPerSecond } = await paced(rate, count, async (i) => {
		const sent = now();
		const { status, body } = await api(server.url, `/api/v1/canvases/${canvasId}/images`, {
			token: user.token,
			body: { prompt: `overhead ${rate} ${i}`, sketch: SKETCHES[i % SKETCHES.length] }
		});
		lastAnswer = now();
		answered.push(lastAnswer - sent);
		if (status === 202) sentAt.set(body.job.id, sent);
		else countRefusal(refusals, status, body);
	});
	const rows = await startedRows(sql, [...sentAt.keys()]);
	const fromSend: number[] = [];
	const fromRow: number[] = [];
	const toFetch: number[] = [];
	for (const row of rows) {
		if (row.started === null) continue;
		fromSend.push(row.started - sentAt.get(row.id)!);
		fromRow.push(row.started - row.created);
		if (row.fetched !== null) toFetch.push(row.fetched - row.created);
	}
	return {
		rate,
		sentPerSecond,
		answeredPerSecond: round(count / ((lastAnswer - firstSend) / 1000)) ?? 0,
		accepted: sentAt.size,
		refusals,
		fromSend: latencies(fromSend),
		fromRow: latencies(fromRow),
		toFetch: latencies(toFetch),
		answer: latencies(answered),
		notStarted: rows.filter((row) => row.started === null).length
	};
}

/** Bare pg-boss on the same database (its own schema): two instances working one queue, the handler taking as long as the provider. */
async function benchBaseline(databaseUrl: string, rates: number[]): Promise<BaselineFigures[]> {
	const options = {
		connectionString: databaseUrl,
		schema: 'pgboss_baseline',
		max: 4,
		useListenNotify: true,
		superviseIntervalSeconds: 5,
		monitorIntervalSeconds: 10,
		queueCacheIntervalSeconds: 2,
		openTelemetry: { enabled: false }
	};
	const queue = 'baseline';
	const bosses = [new PgBoss(options), new PgBoss(options)];
	for (const boss of bosses) boss.on('error', (error) => console.warn('baseline pg-boss error:', error.message));
	await bosses[0].start();
	await bosses[1].start();
	await bosses[0].createQueue(queue, { retryLimit: 2, heartbeatSeconds: 10, notify: true });
	const startedAt = new Map<number, number>();
	for (const boss of bosses) {
		// As server/worker.ts works: `CONCURRENCY` loops of one job, each fetching again right after a job.
		await boss.work<{ key: number }>(
			queue,
			{ localConcurrency: CONCURRENCY, batchSize: 1, pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 0.5 },
			async ([job]) => {
				startedAt.set(job.data.key, now());
				try {
					await sleep(OVERHEAD_PROVIDER_MS);
				} finally {
					for (const loop of boss.getWipData()) if (loop.name === queue) boss.notifyWorker(loop.id);
				}
			}
		);
	}
	try {
		const figures: BaselineFigures[] = [];
		let key = 0;
		for (const rate of rates) {
			const sentAt = new Map<number, number>();
			const { sentPerSecond } = await paced(rate, rate * RATE_SECONDS, async () => {
				const mine = key++;
				sentAt.set(mine, now());
				await bosses[0].send(queue, { key: mine });
			});
			await waitFor(() => [...sentAt.keys()].every((k) => startedAt.has(k)), DRAIN_MS, 'the baseline jobs to start').catch(() => {});
			const values = [...sentAt].filter(([k]) => startedAt.has(k)).map(([k, sent]) => startedAt.get(k)! - sent);
			figures.push({ rate, sentPerSecond, start: latencies(values), notStarted: sentAt.size - values.length });
		}
		return figures;
	} finally {
		await Promise.all(bosses.map((boss) => boss.stop({ graceful: true, timeout: 5_000, close: true }).catch(() => {})));
	}
}

async function benchSupersession(server: RunningServer, sql: postgres.Sql, provider: { requests: unknown[] }): Promise<SupersessionFigures> {
	const people = [];
	for (let p = 0; p < PEOPLE; p++) {
		const user = await paidUser(server, sql, `Sketcher${p}`);
		const canvasId = await createCanvas(server.url, user);
		const client = connectCanvas(server.wsUrl, `canvas:${canvasId}`, user.token);
		await client.synced;
		seedCanvas(client.records);
		people.push({ user, canvasId, client, frameId: addSketchPair(client, `p${p}`).sketchId });
	}
	// The frames are in the server's document before the first sketch names them.
	await sleep(500);
	const callsBefore = provider.requests.length;
	const ids: string[] = [];
	const refusals = new Map<string, number>();
	const pending: Promise<void>[] = [];
	const seconds = SKETCH_MINUTES * 60;
	const stopAt = now() + seconds * 1000;
	await Promise.all(
		people.map(async (person, p) => {
			await sleep(Math.random() * SKETCH_INTERVAL_MS);
			for (let i = 0; now() < stopAt; i++) {
				pending.push(
					api(server.url, `/api/v1/canvases/${person.canvasId}/images`, {
						token: person.user.token,
						body: { prompt: `sketch of person ${p}`, sketch: SKETCHES[(p + i) % SKETCHES.length], frameId: person.frameId }
					}).then(({ status, body }) => {
						if (status === 202) ids.push(body.job.id);
						else countRefusal(refusals, status, body);
					})
				);
				await sleep(SKETCH_INTERVAL_MS + (Math.random() * 2 - 1) * SKETCH_JITTER_MS);
			}
		})
	);
	await Promise.all(pending);
	const unfinishedCount = async () =>
		Number((await sql`select count(*)::int as n from image_jobs where id = any(${ids}::uuid[]) and state in ('queued', 'generating')`)[0].n);
	await waitFor(async () => (await unfinishedCount()) === 0, DRAIN_MS, 'the sketch jobs to finish').catch(() => {});
	const states = await sql<{ state: string; n: number; charged: number }[]>`
		select state, count(*)::int as n, coalesce(sum(credits_charged), 0)::int as charged
		from image_jobs where id = any(${ids}::uuid[]) group by state`;
	for (const person of people) person.client.destroy();
	return {
		people: PEOPLE,
		seconds,
		submitted: ids.length,
		refusals,
		providerCalls: provider.requests.length - callsBefore,
		byState: new Map(states.map((row) => [row.state, row.n])),
		supersededCharged: states.find((row) => row.state === 'superseded')?.charged ?? 0,
		creditsCharged: states.reduce((total, row) => total + row.charged, 0),
		unfinished: await unfinishedCount()
	};
}

function gitCommit(): string {
	try {
		const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
		const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
		return dirty ? `${commit} (with uncommitted changes)` : commit;
	} catch {
		return 'unknown';
	}
}

const refusalText = (refusals: Map<string, number>) => ([...refusals].length === 0 ? '0' : [...refusals].map(([key, n]) => `${n} × ${key}`).join(', '));
const pair = (figures: Latencies) => `${figures.p50} / ${figures.p99}`;

console.log(
	`Image job queue: ${WORKERS} workers × WORKER_CONCURRENCY ${CONCURRENCY}, PostgreSQL + Redis. ` +
		`Overhead at ${RATES.join(' and ')} jobs/s for ${RATE_SECONDS} s each (provider ${OVERHEAD_PROVIDER_MS} ms); ` +
		`supersession: ${PEOPLE} people for ${SKETCH_MINUTES} min (provider ${SKETCH_PROVIDER_MS} ms)`
);
console.log(`Machine: ${cpus().length} cpus (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}; commit ${gitCommit()}`);
console.log(
	`Load average at start: ${loadavg()
		.map((x) => x.toFixed(2))
		.join(' ')}\n`
);

const scratch = await createScratchPostgres();
const provider = await startOpenAiImagesTestServer({ delayMs: OVERHEAD_PROVIDER_MS });
const sql = postgres(scratch.url, { max: 4, onnotice: () => {} });
const workers: ReturnType<typeof startWorker>[] = [];
let server: RunningServer | undefined;
try {
	const env = {
		DATABASE_URL: scratch.url,
		REDIS_URL: 'redis://127.0.0.1:6379',
		REDIS_PREFIX: `easel-jobs-bench-${Date.now().toString(36)}`,
		SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
		...imageEnv(provider)
	};
	server = await startServer({ env: { ...env, IN_PROCESS_WORKER: 'false' } });
	for (let i = 0; i < WORKERS; i++) {
		workers.push(startWorker({ ...env, DATA_DIR: server.dataDir, WORKER_PORT: String(await freePort()), WORKER_CONCURRENCY: String(CONCURRENCY) }));
	}
	const running = server;
	await waitFor(async () => (await api(running.url, '/api/v1/images/service')).body.service?.workers === WORKERS, 60_000, 'the workers to report').catch((error) => {
		throw new Error(`${(error as Error).message}\n${workers.map((worker) => worker.output()).join('\n')}`);
	});

	// A warm-up (not reported): the first jobs after start pay for JIT compilation and new connections.
	await benchOverhead(server, sql, 10, 2);
	const overhead: OverheadFigures[] = [];
	for (const rate of RATES) overhead.push(await benchOverhead(server, sql, rate));
	const baseline = await benchBaseline(scratch.url, RATES);
	console.log('Queue overhead (ms, p50 / p99): submit → a worker starts the job\n');
	console.log(
		`| rate | Easel: request sent → started_at | Easel: created_at → started_at | of which created_at → pg-boss fetch | Easel: request → 202 answer | bare pg-boss: send → handler |`
	);
	console.log('| --- | --- | --- | --- | --- | --- |');
	for (const [i, easel] of overhead.entries()) {
		const bare = baseline[i];
		console.log(
			`| ${easel.rate} jobs/s (sent ${easel.sentPerSecond}/s, answered ${easel.answeredPerSecond}/s; bare sent ${bare.sentPerSecond}/s) | ${pair(easel.fromSend)} | ${pair(easel.fromRow)} | ${pair(easel.toFetch)} | ${pair(easel.answer)} | ${pair(bare.start)} |`
		);
	}
	console.log('');
	for (const [i, easel] of overhead.entries()) {
		console.log(
			`${easel.rate} jobs/s: ${easel.accepted} accepted, refusals ${refusalText(easel.refusals)}, ${easel.notStarted} not started within ${DRAIN_MS / 1000} s; bare pg-boss ${baseline[i].start.count} started, ${baseline[i].notStarted} not`
		);
	}

	provider.setBehaviour({ delayMs: SKETCH_PROVIDER_MS });
	const sketching = await benchSupersession(server, sql, provider);
	const superseded = sketching.byState.get('superseded') ?? 0;
	const saved = sketching.submitted - sketching.providerCalls;
	const percent = (n: number) => (sketching.submitted ? `${round((100 * n) / sketching.submitted)} %` : '—');
	console.log(
		`\nSupersession: ${sketching.people} people, a sketch every ${SKETCH_INTERVAL_MS} ± ${SKETCH_JITTER_MS} ms each for ${sketching.seconds} s, provider ${SKETCH_PROVIDER_MS} ms\n`
	);
	console.log('| figure | value |');
	console.log('| --- | --- |');
	console.log(`| sketches submitted (accepted) | ${sketching.submitted} |`);
	console.log(`| refusals | ${refusalText(sketching.refusals)} |`);
	console.log(`| jobs that reached the provider | ${sketching.providerCalls} |`);
	console.log(`| superseded (nothing charged) | ${superseded} (${percent(superseded)}; charged ${sketching.supersededCharged}) |`);
	console.log(`| provider calls saved (submitted − provider calls) | ${saved} (${percent(saved)}) |`);
	console.log(`| credits charged vs submitted | ${sketching.creditsCharged} vs ${sketching.submitted} |`);
	console.log(`| jobs by state | ${[...sketching.byState].map(([state, n]) => `${state} ${n}`).join(', ')} |`);
	console.log(`| unfinished after the ${DRAIN_MS / 1000} s drain | ${sketching.unfinished} |`);
	console.log(
		`\nLoad average at end: ${loadavg()
			.map((x) => x.toFixed(2))
			.join(' ')}`
	);
} finally {
	for (const worker of workers) if (worker.process.exitCode === null) worker.process.kill('SIGTERM');
	await Promise.race([Promise.all(workers.map((worker) => worker.exited)), sleep(35_000)]);
	for (const worker of workers) if (worker.process.exitCode === null && worker.process.signalCode === null) worker.process.kill('SIGKILL');
	await server?.dispose();
	await sql.end({ timeout: 2 });
	await provider.close();
	await scratch.drop();
}
process.exit(0);
