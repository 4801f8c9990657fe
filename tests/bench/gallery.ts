// Benchmark: the public gallery with 1,000 publications of realistic text — time to first byte of
// /gallery, /gallery?q=, GET /api/v1/gallery (goal: p95 < 50 ms on PostgreSQL) next to the same
// server's /healthz and a static file, the query plans on PostgreSQL, and a published page answered
// from a cache's validator (304) vs rendered in full (200). The built server, 127.0.0.1 only.
// `npm run build` first; `npm run bench -- gallery [--database postgres|pglite] [--requests N]`.
import { request, Agent } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execSync } from 'node:child_process';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import * as accounts from '../../src/lib/server/accounts.ts';
import * as gallery from '../../src/lib/server/gallery.ts';
import { openDatabase, type Database } from '../../src/lib/server/db/index.ts';
import { canvases, teams, memberships } from '../../src/lib/server/db/schema.ts';
import { MIGRATIONS_FOLDER } from '../../server/bootstrap.ts';
import { createScratchPostgres } from '../helpers/databases.ts';
import { insertTestPublication } from '../helpers/publications.ts';
import { geoShape, richText } from '../helpers/tldraw-records.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const args = process.argv.slice(3);
const flag = (name: string, fallback: string) => {
	const index = args.indexOf(`--${name}`);
	return index >= 0 && args[index + 1] ? args[index + 1] : fallback;
};
const DRIVER = flag('database', 'postgres') as 'postgres' | 'pglite';
const PUBLICATIONS = Number(flag('publications', '1000'));
const REQUESTS = Number(flag('requests', '400'));
const WARMUP = 40;
/** No scenario runs longer than this, whatever REQUESTS says. */
const SCENARIO_BUDGET_MS = 30_000;
const GOAL_MS = 50;

// A deterministic generator, so every run measures the same corpus.
let seed = 0x9e3779b9;
function random(): number {
	seed = (seed + 0x6d2b79f5) | 0;
	let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
	t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
	return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const some = <T>(items: readonly T[], min: number, max: number): T[] => {
	const wanted = min + Math.floor(random() * (max - min + 1));
	return [...new Set(Array.from({ length: wanted }, () => pick(items)))];
};

const SUBJECTS = [
	'Checkout',
	'Payments',
	'Search',
	'Onboarding',
	'Billing',
	'Inventory',
	'Notifications',
	'Analytics',
	'Auth',
	'Chat',
	'Video',
	'Shipping',
	'Recommendations',
	'Fraud detection',
	'Reporting',
	'Feature flags',
	'Media upload',
	'CI/CD',
	'Data lake',
	'Mobile sync'
];
const KINDS = [
	'architecture',
	'flow',
	'sequence',
	'overview',
	'pipeline',
	'system design',
	'deployment',
	'data model',
	'sketch',
	'state machine',
	'runbook',
	'migration plan'
];
const COMPONENTS = [
	'API gateway',
	'load balancer',
	'Postgres primary',
	'read replica',
	'Redis cache',
	'Kafka topic',
	'worker pool',
	'S3 bucket',
	'CDN',
	'auth service',
	'web client',
	'mobile app',
	'webhook relay',
	'search index',
	'Elasticsearch',
	'cron scheduler',
	'payment provider',
	'email sender',
	'feature store',
	'model server',
	'GraphQL layer',
	'rate limiter',
	'audit log',
	'metrics pipeline',
	'dead letter queue',
	'blob storage',
	'session store',
	'notification hub',
	'identity provider',
	'ledger'
];
const VERBS = ['reads from', 'writes to', 'publishes to', 'subscribes to', 'calls', 'caches', 'replicates to', 'streams into', 'retries against', 'validates with'];
const TAGS = [
	'architecture',
	'backend',
	'frontend',
	'aws',
	'kubernetes',
	'postgres',
	'redis',
	'kafka',
	'ml',
	'payments',
	'security',
	'mobile',
	'devops',
	'data',
	'startup',
	'microservices',
	'serverless',
	'event-driven',
	'observability',
	'ux'
];
const AUTHORS = ['Ada Lovelace', 'Grace Hopper', 'Linus T.', 'Margaret H.', 'Ken T.', 'Barbara L.', 'Edsger D.', 'Radia P.', 'Dennis R.', 'Frances A.'];
/** Words a visitor searches for: common ones (in many canvases) and rare ones (in a few). */
const SEARCHES = ['redis', 'kafka', 'checkout', 'gateway', 'ledger', 'replica', 'webhook', 'postgres cache', 'fraud', 'deployment'];

function labelled(index: number, text: string) {
	return geoShape(`shape:${index}`, { x: (index % 8) * 160, y: Math.floor(index / 8) * 110 }, { richText: richText(text) });
}

async function seedGallery(db: Database): Promise<{ slugs: string[] }> {
	const owner = await accounts.signUp(db, { email: `bench-author-${Date.now()}@bench.test`, password: 'a long enough bench password', name: 'Bench Author' });
	const [team] = await db.insert(teams).values({ name: 'Bench publishers' }).returning({ id: teams.id });
	await db.insert(memberships).values({ teamId: team.id, userId: owner.id, role: 'owner' });
	const now = Date.now();
	const slugs: string[] = [];
	for (let i = 0; i < PUBLICATIONS; i++) {
		const subject = pick(SUBJECTS);
		const title = `${subject} ${pick(KINDS)}${random() < 0.3 ? ` v${1 + Math.floor(random() * 4)}` : ''}`;
		const parts = some(COMPONENTS, 4, 14);
		// A word and a tag only a few canvases have, for the selective queries.
		if (i % 200 === 7) parts.push('zeppelin hangar');
		const shapes = parts.map((part, n) => labelled(n, n > 0 && random() < 0.6 ? `${part} ${pick(VERBS)} ${parts[n - 1]}` : part));
		const description = `How ${subject.toLowerCase()} works end to end: ${parts.slice(0, 3).join(', ')} and what happens when one of them fails.`;
		const [canvas] = await db.insert(canvases).values({ teamId: team.id, title, createdBy: owner.id }).returning({ id: canvases.id });
		const publication = await insertTestPublication(db, {
			canvasId: canvas.id,
			title,
			description,
			tags: [...some(TAGS, 1, 4), ...(i % 250 === 3 ? ['retro'] : [])],
			records: shapes,
			authorId: owner.id,
			authorName: pick(AUTHORS),
			publishedAt: new Date(now - Math.floor(random() * 90 * 86_400_000)),
			// Few canvases get most of the views and remixes.
			viewCount: Math.floor(20_000 * random() ** 6),
			remixCount: Math.floor(200 * random() ** 8),
			moderation: random() < 0.02 ? 'hidden' : 'visible'
		});
		slugs.push(publication.slug);
	}
	return { slugs };
}

/**
 * The plan PostgreSQL picks for each gallery query, as the index names it uses (or "Seq Scan"), and
 * the plan it falls back to with sequential scans off: the index that can serve the query when the
 * table is too big to read whole (at 1,000 rows reading it whole is often cheaper).
 */
async function explainPlans(url: string, db: Database): Promise<{ query: string; uses: string; ms: number; indexed: string }[]> {
	const client = postgres(url, { max: 1, onnotice: () => {} });
	const first = await gallery.listGallery(db, { sort: 'views' });
	const queries: [string, gallery.GalleryQuery][] = [
		['newest', {}],
		['most viewed', { sort: 'views' }],
		['most remixed', { sort: 'remixes' }],
		['most viewed, 2nd page', { sort: 'views', cursor: first.nextCursor ?? undefined }],
		['q=redis (common)', { q: 'redis' }],
		['q=ledger replica (two words)', { q: 'ledger replica' }],
		['q=zeppelin (in 5 canvases)', { q: 'zeppelin' }],
		['q=check (prefix of checkout)', { q: 'check' }],
		['tag=kafka', { tag: 'kafka' }],
		['tag=retro (4 canvases)', { tag: 'retro' }],
		['q=cache, tag=aws, by views', { q: 'cache', tag: 'aws', sort: 'views' }]
	];
	const plans = [];
	for (const [name, query] of queries) {
		const { sql: text, params } = gallery.galleryPageQuery(db, query).toSQL();
		const explain = async () => {
			const [row] = await client.unsafe(`explain (analyze, format json) ${text}`, params as never[]);
			return (row as unknown as { 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] })['QUERY PLAN'][0];
		};
		const chosen = await explain();
		await client.unsafe('set enable_seqscan = off');
		const indexed = await explain();
		await client.unsafe('reset enable_seqscan');
		plans.push({ query: name, uses: describePlan(chosen.Plan), ms: chosen['Execution Time'], indexed: describePlan(indexed.Plan) });
	}
	await client.end();
	return plans;
}

interface PlanNode {
	'Node Type': string;
	'Index Name'?: string;
	Plans?: PlanNode[];
}

function describePlan(node: PlanNode): string {
	const found: string[] = [];
	const walk = (current: PlanNode) => {
		if (current['Index Name']) found.push(`${current['Node Type']} on ${current['Index Name']}`);
		else if (current['Node Type'] === 'Seq Scan') found.push('Seq Scan');
		for (const child of current.Plans ?? []) walk(child);
	};
	walk(node);
	return [...new Set(found)].join(' + ') || node['Node Type'];
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** One GET: time to the response's first byte (headers) and to its last, in ms. */
function timedGet(
	url: string,
	headers: Record<string, string> = {}
): Promise<{ status: number; ttfb: number; total: number; headers: Record<string, string | string[] | undefined> }> {
	return new Promise((resolve, reject) => {
		const started = performance.now();
		const req = request(url, { agent, headers: { 'accept-encoding': 'gzip', ...headers } }, (response) => {
			const ttfb = performance.now() - started;
			response.on('data', () => {});
			response.on('end', () => resolve({ status: response.statusCode ?? 0, ttfb, total: performance.now() - started, headers: response.headers }));
		});
		req.on('error', reject);
		req.end();
	});
}

interface Scenario {
	name: string;
	/** The path of the i-th request (varying the search word, say). */
	path: (i: number) => string;
	headers?: Record<string, string>;
	status: number;
	goal?: boolean;
}

interface Result {
	name: string;
	requests: number;
	p50: number;
	p95: number;
	p99: number;
	totalP95: number;
	bytes?: string;
	goal?: boolean;
}

const quantile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];

async function run(server: RunningServer, scenario: Scenario): Promise<Result> {
	for (let i = 0; i < WARMUP; i++) await timedGet(`${server.url}${scenario.path(i)}`, scenario.headers);
	const ttfb: number[] = [];
	const total: number[] = [];
	const deadline = performance.now() + SCENARIO_BUDGET_MS;
	for (let i = 0; i < REQUESTS && performance.now() < deadline; i++) {
		const response = await timedGet(`${server.url}${scenario.path(i)}`, scenario.headers);
		if (response.status !== scenario.status) throw new Error(`${scenario.name}: ${scenario.path(i)} answered ${response.status}, expected ${scenario.status}`);
		ttfb.push(response.ttfb);
		total.push(response.total);
	}
	ttfb.sort((a, b) => a - b);
	total.sort((a, b) => a - b);
	return {
		name: scenario.name,
		requests: ttfb.length,
		p50: quantile(ttfb, 0.5),
		p95: quantile(ttfb, 0.95),
		p99: quantile(ttfb, 0.99),
		totalP95: quantile(total, 0.95),
		goal: scenario.goal
	};
}

// ---- run ----

const commit = execSync('git rev-parse --short HEAD').toString().trim();
const dirty = execSync('git status --porcelain --untracked-files=no').toString().trim() !== '';
console.log(
	`\nGallery benchmark: ${PUBLICATIONS} publications, ${DRIVER}, ${REQUESTS} requests per scenario (commit ${commit}${dirty ? ', with uncommitted changes' : ''}, node ${process.version})`
);

let server: RunningServer;
let cleanup: () => Promise<void>;
let slugs: string[];
let plans: Awaited<ReturnType<typeof explainPlans>> = [];
const seedStarted = performance.now();
if (DRIVER === 'postgres') {
	const scratch = await createScratchPostgres();
	const opened = await openDatabase({ url: scratch.url, migrationsFolder: MIGRATIONS_FOLDER, maxConnections: 4 });
	({ slugs } = await seedGallery(opened.db));
	// What autovacuum does after a thousand inserts: it also moves the GIN indexes' pending entries into the index proper.
	await opened.db.execute(sql`vacuum analyze publications`);
	plans = await explainPlans(scratch.url, opened.db);
	await opened.close();
	server = await startServer({ env: { DATABASE_URL: scratch.url, LOG_LEVEL: 'error' } });
	cleanup = async () => {
		await server.dispose();
		await scratch.drop();
	};
} else {
	const dataDir = mkdtempSync(join(tmpdir(), 'easel-bench-gallery-'));
	const opened = await openDatabase({ dataDir: join(dataDir, 'pg'), migrationsFolder: MIGRATIONS_FOLDER });
	({ slugs } = await seedGallery(opened.db));
	await opened.db.execute(sql`vacuum analyze publications`);
	await opened.close();
	server = await startServer({ dataDir, env: { LOG_LEVEL: 'error' } });
	cleanup = async () => {
		await server.dispose();
		rmSync(dataDir, { recursive: true, force: true });
	};
}
console.log(`Seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s.\n`);

try {
	const secondPage = (await (await fetch(`${server.url}/api/v1/gallery?sort=views`)).json()).nextCursor as string;
	const scenarios: Scenario[] = [
		{ name: 'baseline: GET /healthz', path: () => '/healthz', status: 200 },
		{ name: 'baseline: static file /favicon.svg', path: () => '/favicon.svg', status: 200 },
		{ name: 'GET /gallery', path: () => '/gallery', status: 200, goal: true },
		{ name: 'GET /gallery?q=<word> (10 words in turn)', path: (i) => `/gallery?q=${encodeURIComponent(SEARCHES[i % SEARCHES.length])}`, status: 200, goal: true },
		{ name: 'GET /gallery?tag=<tag>&sort=views', path: (i) => `/gallery?tag=${TAGS[i % TAGS.length]}&sort=views`, status: 200, goal: true },
		{ name: 'GET /api/v1/gallery', path: () => '/api/v1/gallery', status: 200, goal: true },
		{ name: 'GET /api/v1/gallery?q=<word>', path: (i) => `/api/v1/gallery?q=${encodeURIComponent(SEARCHES[i % SEARCHES.length])}`, status: 200, goal: true },
		{ name: 'GET /api/v1/gallery?sort=views&cursor=<2nd page>', path: () => `/api/v1/gallery?sort=views&cursor=${secondPage}`, status: 200, goal: true }
	];
	const results: Result[] = [];
	for (const scenario of scenarios) results.push(await run(server, scenario));

	// The published page (h4's /p/<slug>): a full render against a revalidation answered 304 from its ETag.
	const slug = slugs[0];
	const probe = await timedGet(`${server.url}/p/${slug}`);
	const etag = typeof probe.headers.etag === 'string' ? probe.headers.etag : null;
	let published =
		'not measured: /p/<slug> answered ' + probe.status + (probe.status === 200 && !etag ? ' without an ETag' : ' (the published page is not on this branch)');
	if (probe.status === 200 && etag) {
		results.push(await run(server, { name: 'published page /p/<slug>, full 200', path: () => `/p/${slug}`, status: 200 }));
		results.push(await run(server, { name: 'published page /p/<slug>, If-None-Match → 304', path: () => `/p/${slug}`, headers: { 'if-none-match': etag }, status: 304 }));
		published = '';
	}

	const ms = (value: number) => value.toFixed(1);
	const baseline = results[0].p95;
	console.log('| scenario | requests | TTFB p50 ms | TTFB p95 ms | TTFB p99 ms | whole response p95 ms | p95 ÷ /healthz p95 | goal p95 < 50 ms |');
	console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
	for (const result of results) {
		const goal = result.goal ? (result.p95 < GOAL_MS ? '✓' : '✗') : '';
		console.log(
			`| ${result.name} | ${result.requests} | ${ms(result.p50)} | ${ms(result.p95)} | ${ms(result.p99)} | ${ms(result.totalP95)} | ${(result.p95 / baseline).toFixed(1)}× | ${goal} |`
		);
	}
	if (published) console.log(`\nPublished page: ${published}.`);
	if (plans.length > 0) {
		console.log('\nQuery plans on PostgreSQL (EXPLAIN ANALYZE of the page query, after VACUUM ANALYZE):\n');
		console.log('| query | plan chosen | execution ms | with sequential scans off |');
		console.log('| --- | --- | --- | --- |');
		for (const plan of plans) console.log(`| ${plan.query} | ${plan.uses} | ${plan.ms.toFixed(2)} | ${plan.indexed} |`);
	}
	const missed = results.filter((result) => result.goal && result.p95 >= GOAL_MS);
	if (missed.length > 0) process.exitCode = 1;
} finally {
	agent.destroy();
	await cleanup();
}
