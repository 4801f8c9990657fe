// Orchestration of the collaboration benchmark: starts bare Hocuspocus and Easel side by side, two
// client worker processes, runs every scenario against each server in turn, prints the comparison.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildIfStale } from '../../../server/build-if-stale.ts';
import { readProfile, renderProfiles, summarizeProfile } from './profile.ts';
import { renderReport, type Results } from './report.ts';
import { coldLoad, fanout, idle, persist, type FanoutExtras, type FanoutOptions, type FanoutResult, type Workers } from './scenarios.ts';
import { runAssistant, startAssistantModel, type AssistantRunResult, type AssistantScript } from './assistant.ts';
import { disposeAll, startBare, startEasel, type EaselTarget, type Target } from './servers.ts';
import { chromiumMissing, tabs } from './tabs.ts';
import { startWorker } from './workers.ts';
import { foreignLoad } from './stats.ts';

export const USAGE = `npm run bench [-- collab] [flags]    Easel vs bare Hocuspocus (fan-out, idle sockets, cold load, persistence, browser tabs, assistant)
npm run bench -- versions             version history on a 5,000-shape canvas

  --database postgres|pglite|postgres,pglite   Easel's database (default postgres: a scratch database
                                     created on --postgres-url and dropped afterwards)
  --postgres-url URL                 default $TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test
  --only fanout,idle,coldload,persist,tabs,assistant
  --editors 10,50,200 --probes 10 --rate 20 --warmup 3 --duration 20 --repeat 3
  --stress-rate 200                  one more fan-out at the largest editor count at this rate (0: none)
  --noise-limit 15 --retries 2       a fan-out run during which other processes kept more than 15 % of
                                     the machine busy is repeated (up to 2 times) and marked
  --quiet-wait-s 180                 before each measurement, wait up to this long (--quick: 5 s) for other processes
                                     to use less than --noise-limit % of the machine
  --sockets 1000 --documents 100 --idle 20
  --more-sockets 5000                then grow to this many sockets: RSS per socket past the slack
  --semi-space-mb 16                 idle sockets are measured on fresh servers with V8's semi-space
                                     pinned to this size (see docs/benchmarks.md)
  --records 1000,10000,50000 --trials 5
  --persist-rates 200,1000,2000,4000 --persist-step 8
  --tabs 4 --tabs-window 10 --tabs-rate 10
                                     browser tabs (Easel only): Chromium pages on one canvas, idle (goal: 0 updates/s), then receiving
  --assistant-editors 50 --assistant-tokens 2000 --assistant-stream-s 10 --assistant-diagrams 3 --assistant-window 16
                                     assistant: fan-out to editors who also have the chat open, with and
                                     without an assistant run that streams this many tokens over about that long into the chat and
                                     draws that many diagrams of 6 boxes and 4 arrows, from a local OpenAI-protocol model server
  --assistant-warmup 1               unmeasured runs on each Easel first (0: measure a fresh server, whose first diagram
                                     compiles elkjs's layout code; see docs/benchmarks.md)
  --quick                            a smoke run of a few seconds per scenario (the assistant: one repetition)
  --profile DIR                      run the servers with --cpu-prof (profiles in DIR/bare, DIR/easel-<driver>)
                                     and summarise where their CPU time went
  --json FILE                        also write the raw results as JSON
  --max-run-s 2400                   hard cap on the whole run`;

const { values: flags } = parseArgs({
	args: process.argv.slice(2).filter((arg) => arg !== 'collab'),
	options: {
		database: { type: 'string', default: 'postgres' },
		'postgres-url': { type: 'string', default: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
		only: { type: 'string', default: 'fanout,idle,coldload,persist,tabs,assistant' },
		editors: { type: 'string' },
		probes: { type: 'string', default: '10' },
		rate: { type: 'string', default: '20' },
		'stress-rate': { type: 'string' },
		'semi-space-mb': { type: 'string' },
		'more-sockets': { type: 'string' },
		warmup: { type: 'string' },
		duration: { type: 'string' },
		repeat: { type: 'string' },
		retries: { type: 'string', default: '2' },
		'noise-limit': { type: 'string', default: '15' },
		'quiet-wait-s': { type: 'string' },
		sockets: { type: 'string' },
		documents: { type: 'string' },
		idle: { type: 'string' },
		records: { type: 'string' },
		trials: { type: 'string' },
		'persist-rates': { type: 'string' },
		'persist-step': { type: 'string' },
		tabs: { type: 'string' },
		'tabs-window': { type: 'string' },
		'tabs-rate': { type: 'string' },
		'assistant-editors': { type: 'string' },
		'assistant-tokens': { type: 'string' },
		'assistant-stream-s': { type: 'string' },
		'assistant-diagrams': { type: 'string' },
		'assistant-window': { type: 'string' },
		'assistant-warmup': { type: 'string' },
		quick: { type: 'boolean', default: false },
		profile: { type: 'string' },
		json: { type: 'string' },
		'max-run-s': { type: 'string', default: '2400' },
		help: { type: 'boolean', default: false }
	}
});
if (flags.help) {
	console.log(USAGE);
	process.exit(0);
}

const quick = flags.quick;
const numbers = (value: string | undefined, fallback: number[]) => (value ? value.split(',').map(Number) : fallback);
const number = (value: string | undefined, fallback: number) => (value === undefined ? fallback : Number(value));
const settings = {
	editors: numbers(flags.editors, quick ? [10, 50] : [10, 50, 200]),
	probes: number(flags.probes, 10),
	rate: number(flags.rate, 20),
	warmupS: number(flags.warmup, quick ? 1 : 3),
	durationS: number(flags.duration, quick ? 4 : 20),
	repeat: number(flags.repeat, quick ? 1 : 3),
	stressRate: number(flags['stress-rate'], quick ? 0 : 200),
	semiSpaceMb: number(flags['semi-space-mb'], 16),
	moreSockets: number(flags['more-sockets'], quick ? 0 : 5000),
	retries: number(flags.retries, 2),
	noiseLimit: number(flags['noise-limit'], 15),
	quietWaitS: number(flags['quiet-wait-s'], quick ? 5 : 180),
	sockets: number(flags.sockets, quick ? 100 : 1000),
	documents: number(flags.documents, quick ? 10 : 100),
	idleS: number(flags.idle, quick ? 3 : 20),
	records: numbers(flags.records, quick ? [1000] : [1000, 10_000, 50_000]),
	trials: number(flags.trials, quick ? 2 : 5),
	persistRates: numbers(flags['persist-rates'], quick ? [200] : [200, 1000, 2000, 4000]),
	persistStepS: number(flags['persist-step'], quick ? 3 : 8),
	tabs: number(flags.tabs, quick ? 2 : 4),
	tabsWindowS: number(flags['tabs-window'], quick ? 3 : 10),
	tabsRate: number(flags['tabs-rate'], 10),
	assistantEditors: number(flags['assistant-editors'], 50),
	assistantScript: {
		tokens: number(flags['assistant-tokens'], 2000),
		streamS: number(flags['assistant-stream-s'], 10),
		diagrams: number(flags['assistant-diagrams'], 3),
		nodesPerDiagram: 6,
		edgesPerDiagram: 4
	} satisfies AssistantScript,
	assistantWindowS: number(flags['assistant-window'], 16),
	assistantWarmup: number(flags['assistant-warmup'], 1)
};
const scenarios = new Set(flags.only.split(','));
const drivers = flags.database.split(',') as ('postgres' | 'pglite')[];
for (const driver of drivers) if (driver !== 'postgres' && driver !== 'pglite') throw new Error(`--database: unknown driver ${driver}`);
// Checked before anything starts, so a long run does not fail at its last scenario.
const missingBrowser = scenarios.has('tabs') ? chromiumMissing() : null;
if (missingBrowser) {
	console.error(`${missingBrowser}; or leave it out: --only fanout,idle,coldload,persist,assistant`);
	process.exit(2);
}

const started = Date.now();
const log = (message: string) => console.error(`[${new Date().toISOString().slice(11, 19)} +${Math.round((Date.now() - started) / 1000)}s] ${message}`);

// The run always ends by itself: servers and workers are killed with it (see servers.ts and worker.ts).
const maxRunS = Number(flags['max-run-s']);
const abort = (why: string, code: number) => {
	log(`${why}: stopping the servers and dropping scratch databases`);
	void disposeAll().finally(() => process.exit(code));
};
setTimeout(() => abort(`the run exceeded --max-run-s ${maxRunS}`, 4), maxRunS * 1000).unref();
process.once('SIGINT', () => abort('interrupted', 130));
process.once('SIGTERM', () => abort('terminated', 143));

/** Waits (up to --quiet-wait-s) until other people's processes leave the machine mostly idle. */
async function waitForQuiet(ownPids: number[]): Promise<void> {
	const deadline = Date.now() + settings.quietWaitS * 1000;
	let load = await foreignLoad(ownPids, 1000, cpus().length);
	if (load <= settings.noiseLimit) return;
	log(`  waiting for other processes to quieten down (they use ${load.toFixed(0)}% of the machine)`);
	while (Date.now() < deadline) {
		load = await foreignLoad(ownPids, 2000, cpus().length);
		if (load <= settings.noiseLimit) return;
	}
	log(`  still ${load.toFixed(0)}% busy with other work after ${settings.quietWaitS} s: measuring anyway`);
}

function git(...args: string[]): string {
	try {
		return execFileSync('git', args, { encoding: 'utf8' }).trim();
	} catch {
		return 'unknown';
	}
}

buildIfStale();
const main = git('rev-parse', '--short', 'main');
const commit =
	`${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? ' (with uncommitted changes)' : ''}` +
	(main !== 'unknown' ? (git('merge-base', '--is-ancestor', 'main', 'HEAD') !== 'unknown' ? `, which includes main at ${main}` : `, behind main (${main})`) : '');
const results: Results = {
	date: new Date().toISOString().slice(0, 10),
	node: process.version,
	machine: `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB`,
	commit,
	command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim().replace(/ --$/, ''),
	targets: [],
	fanout: [],
	idle: {},
	coldLoad: {},
	persist: {},
	tabs: {},
	assistant: null,
	discarded: [],
	rejectedRecords: {}
};

const targets: Target[] = [];
const workers: Workers = { full: await startWorker(), other: await startWorker() };
// The assistant's model: in this process, so it never shares an event loop with the server under test.
const assistantModel = scenarios.has('assistant') ? await startAssistantModel(settings.assistantScript) : undefined;

/** One fan-out measurement, repeated (up to --retries times) when other processes kept the machine busy. */
async function measuredFanout<T>(target: Target, what: string, options: FanoutOptions, extras?: FanoutExtras<T>): Promise<FanoutResult & { alongside?: T }> {
	const ownPids = () => [process.pid, workers.full.pid, workers.other.pid, ...targets.map((each) => each.pid)];
	for (let attempt = 0; ; attempt++) {
		log(what);
		await waitForQuiet(ownPids());
		const result = await fanout(target, workers, options, ownPids(), extras);
		log(
			`  p50 ${result.latency.p50} p95 ${result.latency.p95} p99 ${result.latency.p99} ms, server CPU ${result.serverCpuPct}% (kernel ${result.serverSystemCpuPct}%), ${result.editsPerS} edits/s, light receivers got ${JSON.stringify(result.lightMessagesPerSByType)} msgs/s, ${result.lightClosed} closed, other load ${result.foreignBusyPct}%`
		);
		const noisy = (result.foreignBusyPct ?? 0) > settings.noiseLimit;
		if (noisy && attempt < settings.retries) {
			log(`  other processes kept ${result.foreignBusyPct}% of the machine busy: discarded, repeating`);
			results.discarded.push({ editors: options.editors, target: target.label, result });
			continue;
		}
		return result;
	}
}

try {
	log('starting bare Hocuspocus');
	targets.push(await startBare({ profileDir: flags.profile && join(flags.profile, 'bare') }));
	for (const driver of drivers) {
		log(`starting Easel on ${driver}`);
		targets.push(
			await startEasel({ driver, postgresUrl: flags['postgres-url'], profileDir: flags.profile && join(flags.profile, `easel-${driver}`), env: assistantModel?.env })
		);
	}
	results.targets = targets.map((target) => ({ label: target.label, kind: target.kind }));
	const easels = targets.filter((target): target is EaselTarget => target.kind === 'easel');
	const ownPids = () => [process.pid, workers.full.pid, workers.other.pid, ...targets.map((target) => target.pid)];

	if (scenarios.has('fanout')) {
		const configurations = settings.editors.map((editors) => ({ editors, rate: settings.rate }));
		if (settings.stressRate > 0) configurations.push({ editors: Math.max(...settings.editors), rate: settings.stressRate });
		for (const { editors, rate } of configurations) {
			const runs: Record<string, Awaited<ReturnType<typeof fanout>>[]> = {};
			for (let repetition = 0; repetition < settings.repeat; repetition++) {
				// Alternate the order, so neither server always runs first.
				const order = repetition % 2 === 0 ? targets : [...targets].reverse();
				for (const target of order) {
					const what = `fan-out: ${editors} editors, ${rate} edits/s on ${target.label} (repetition ${repetition + 1}/${settings.repeat})`;
					const options = { editors, probes: settings.probes, rate, warmupS: settings.warmupS, durationS: settings.durationS };
					(runs[target.label] ??= []).push(await measuredFanout(target, what, options));
				}
			}
			results.fanout.push({ editors, rate, runs });
		}
	}
	if (scenarios.has('assistant')) {
		// Every editor has the chat open in all three cases, so they differ only by the assistant's work.
		const editors = settings.assistantEditors;
		const options = { editors, probes: settings.probes, rate: settings.rate, warmupS: settings.warmupS, durationS: settings.assistantWindowS };
		const script = settings.assistantScript;
		const assistant: NonNullable<Results['assistant']> = { editors, rate: settings.rate, script, warmupRuns: settings.assistantWarmup, without: {}, with: {} };
		results.assistant = assistant;
		const ask =
			(target: Target) =>
			({ access, warmupMs, inspect }: Parameters<NonNullable<FanoutExtras<AssistantRunResult>['alongside']>>[0]) =>
				runAssistant(target as EaselTarget, access, { warmupMs, askAfterMs: 500, timeoutMs: (settings.assistantWindowS + 60) * 1000 }, inspect);
		for (const target of easels) {
			for (let i = 0; i < settings.assistantWarmup; i++) {
				// Not measured: the first run in a process loads and compiles the AI SDK's and elkjs's code.
				const started = performance.now();
				const warmup = await fanout(target, workers, { editors: 2, probes: 2, rate: 5, warmupS: 0, durationS: 1 }, ownPids(), { chat: true, alongside: ask(target) });
				log(
					`assistant warm-up on ${target.label}: the run ${warmup.alongside?.status}${warmup.alongside?.error ? ` (${warmup.alongside.error})` : ''} in ${Math.round((performance.now() - started) / 100) / 10} s`
				);
			}
		}
		const cases = [...targets.map((target) => ({ target, withAssistant: false })), ...easels.map((target) => ({ target: target as Target, withAssistant: true }))];
		for (let repetition = 0; repetition < settings.repeat; repetition++) {
			for (const { target, withAssistant } of repetition % 2 === 0 ? cases : [...cases].reverse()) {
				const what = `assistant: ${editors} editors on a canvas and its chat, ${settings.rate} edits/s on ${target.label}, ${withAssistant ? `the assistant streaming ${script.tokens} tokens and drawing ${script.diagrams} diagrams` : 'no assistant'} (repetition ${repetition + 1}/${settings.repeat})`;
				if (!withAssistant) {
					(assistant.without[target.label] ??= []).push(await measuredFanout(target, what, options, { chat: true }));
					continue;
				}
				const result = await measuredFanout<AssistantRunResult>(target, what, options, { chat: true, alongside: ask(target) });
				const run = result.alongside!;
				log(
					`  the run ${run.status}${run.error ? ` (${run.error})` : ''}: asked at ${run.askedAtS} s into the window, answer done at ${run.doneAtS} s (window ${settings.assistantWindowS} s); an editor saw ${run.view?.boxes} boxes, ${run.view?.arrows} arrows, answers of ${JSON.stringify(run.view?.answers)} characters; ${result.chatUpdatesPerProbePerS} chat updates/s per probe`
				);
				if (run.status !== 'succeeded') log(`WARNING: the assistant run on ${target.label} did not succeed: its figures do not measure a streaming assistant`);
				if (run.doneAtS !== null && run.doneAtS > settings.assistantWindowS) log(`WARNING: the answer finished after the window closed: raise --assistant-window`);
				(assistant.with[target.label] ??= []).push(result);
			}
		}
	}
	if (scenarios.has('idle')) {
		// Memory is measured on fresh processes whose young generation V8 may not resize: otherwise RSS
		// follows the nursery (it grows to 128 MiB during Easel's start-up and to 32 MiB in bare Hocuspocus
		// under connection bursts, and shrinks at will) and what the process did before, not the sockets.
		const nodeArgs = [`--min-semi-space-size=${settings.semiSpaceMb}`, `--max-semi-space-size=${settings.semiSpaceMb}`];
		for (const kind of ['bare', ...drivers] as const) {
			const target = kind === 'bare' ? await startBare({ nodeArgs }) : await startEasel({ driver: kind, postgresUrl: flags['postgres-url'], nodeArgs });
			try {
				log(`idle: ${settings.sockets} sockets over ${settings.documents} documents on a fresh ${target.label}`);
				await waitForQuiet([...ownPids(), target.pid]);
				results.idle[target.label] = await idle(
					target,
					workers,
					{ sockets: settings.sockets, documents: settings.documents, idleS: settings.idleS, moreSockets: settings.moreSockets },
					log
				);
				log(`  ${results.idle[target.label].rssPerSocketKb} KiB RSS and ${results.idle[target.label].heapPerSocketKb} KiB heap per socket`);
			} finally {
				await target.stop('SIGTERM').catch(() => {});
				if (target.kind === 'easel') await (target as EaselTarget).dispose().catch((error) => log(`cleanup: ${error}`));
			}
		}
	}
	if (scenarios.has('coldload')) {
		const coldLoadOptions = { records: settings.records, trials: settings.trials, chunk: 1000 };
		for (const target of targets) {
			log(`cold load on ${target.label}`);
			await waitForQuiet(ownPids());
			results.coldLoad[target.label] = await coldLoad(target, workers, coldLoadOptions, log);
		}
		// What loading from the database costs without Easel: the reference, not the goal's baseline.
		if (drivers.includes('postgres')) {
			const reference = await startBare({ postgresUrl: flags['postgres-url'] });
			try {
				log(`cold load on ${reference.label} (reference)`);
				await waitForQuiet([...ownPids(), reference.pid]);
				results.coldLoadReference = { label: reference.label, results: await coldLoad(reference, workers, coldLoadOptions, log) };
			} finally {
				await reference.dispose();
			}
		}
	}
	// The bench writes valid tldraw records; had Easel reverted any, its latencies would mean something else.
	for (const target of easels) {
		const rejected = (await target.metrics()).get('easel_records_rejected_total') ?? 0;
		results.rejectedRecords[target.label] = rejected;
		if (rejected > 0) log(`WARNING: ${target.label} reverted ${rejected} record changes written by the bench`);
	}
	// After the check above: the tabs' own writes (which the server may revert) must not show up in it.
	// Before persisted updates, which kill an embedded-database server at its end.
	if (scenarios.has('tabs')) {
		for (const target of easels) {
			log(`browser tabs: ${settings.tabs} Chromium tabs on one canvas of ${target.label}`);
			await waitForQuiet(ownPids());
			results.tabs[target.label] = await tabs(
				target,
				workers,
				{ tabs: settings.tabs, idleS: settings.tabsWindowS, rate: settings.tabsRate, receiveS: settings.tabsWindowS },
				ownPids(),
				log
			);
		}
	}
	if (scenarios.has('persist')) {
		for (const target of easels) {
			log(`persisted updates on ${target.label}`);
			await waitForQuiet(ownPids());
			results.persist[target.label] = await persist(
				target,
				workers,
				{ documents: 10, writersPerDocument: 2, rates: settings.persistRates, stepS: settings.persistStepS },
				log
			);
		}
	}
} finally {
	await Promise.all([workers.full.stop(), workers.other.stop()]);
	await assistantModel?.server.close();
	for (const target of targets) {
		// SIGTERM lets Easel store its documents and write a CPU profile when asked for one.
		await target.stop('SIGTERM').catch(() => {});
		if (target.kind === 'easel') await (target as EaselTarget).dispose().catch((error) => log(`cleanup: ${error}`));
	}
}

const report = renderReport(results);
console.log(`\n${report}\n`);
if (flags.profile) {
	// CPU profiles cut to the measurement windows: no start-up, connecting, seeding or idle time.
	const directories = ['bare', ...drivers.map((driver) => `easel-${driver}`)];
	const loaded = results.targets.map((target, i) => ({ target, profile: readProfile(join(flags.profile!, directories[i])) }));
	const windowsOf: Record<string, (label: string) => [number, number][]> = {
		'fan-out': (label) => results.fanout.flatMap(({ runs }) => (runs[label] ?? []).map((run) => run.windowUs)),
		'cold load': (label) => (results.coldLoad[label] ?? []).flatMap((result) => result.windowsUs),
		'assistant scenario without the assistant': (label) => (results.assistant?.without[label] ?? []).map((run) => run.windowUs),
		'assistant scenario while the assistant streams and draws': (label) => (results.assistant?.with[label] ?? []).map((run) => run.windowUs)
	};
	for (const [scenario, windows] of Object.entries(windowsOf)) {
		const profiles = loaded.flatMap(({ target, profile }) =>
			profile && windows(target.label).length ? [{ label: target.label, summary: summarizeProfile(profile, windows(target.label)) }] : []
		);
		if (profiles.length)
			console.log(`CPU profiles during the ${scenario} measurements (${flags.profile}; wall-clock samples, idle excluded):\n\n${renderProfiles(profiles)}\n`);
	}
}
if (flags.json) {
	mkdirSync(dirname(flags.json), { recursive: true });
	writeFileSync(flags.json, JSON.stringify({ settings, ...results }, null, 2));
	log(`raw results in ${flags.json}`);
}
log('done');
process.exit(0);
