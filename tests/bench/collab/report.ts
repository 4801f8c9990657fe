// Markdown tables for the collaboration benchmark: Easel next to bare Hocuspocus, ratios and goal verdicts.
import type { ColdLoadResult, FanoutResult, IdleResult, PersistResult } from './scenarios.ts';
import type { AssistantRunResult, AssistantScript } from './assistant.ts';
import type { TabsResult, TabsWindow } from './tabs.ts';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { median } from './stats.ts';

export interface TargetInfo {
	label: string;
	kind: 'bare' | 'easel';
}

export interface Results {
	date: string;
	node: string;
	machine: string;
	commit: string;
	command: string;
	targets: TargetInfo[];
	/** Per editor count, per target label: one result per repetition. */
	fanout: { editors: number; rate: number; runs: Record<string, FanoutResult[]> }[];
	idle: Record<string, IdleResult>;
	coldLoad: Record<string, ColdLoadResult[]>;
	/** Cold load on the smallest persistent Hocuspocus (same PostgreSQL): no goal, it prices the database. */
	coldLoadReference?: { label: string; results: ColdLoadResult[] };
	persist: Record<string, PersistResult>;
	/** Browser tabs on one canvas (Easel only); absent from --json files written before the scenario existed. */
	tabs: Record<string, TabsResult>;
	/**
	 * Fan-out to editors who also have the chat open, per target label: without the assistant (bare
	 * Hocuspocus and Easel) and, on Easel, while an assistant run streams and draws. Absent from older --json files.
	 */
	assistant?: {
		editors: number;
		rate: number;
		script: AssistantScript;
		/** Unmeasured runs on each Easel before the measurements (absent: 0). */
		warmupRuns?: number;
		without: Record<string, FanoutResult[]>;
		with: Record<string, (FanoutResult & { alongside?: AssistantRunResult })[]>;
	} | null;
	/** Fan-out runs thrown away because other processes loaded the machine; repeated. */
	discarded: { editors: number; target: string; result: FanoutResult }[];
	/** Record changes Easel's validation reverted (should be 0: the bench writes valid tldraw records). */
	rejectedRecords: Record<string, number>;
}

/**
 * Goals: Easel's figure may be at most this many times bare Hocuspocus's; idle tabs write nothing at all;
 * editors' p99 while the assistant streams at most this many times Easel's own without it.
 */
export const GOALS = { fanoutP99: 1.2, rssPerSocket: 1.5, coldLoad: 1.5, idleTabUpdatesPerS: 0, assistantFanoutP99: 1.2 };

/** Median of each percentile over the repetitions of one fan-out configuration. */
export function fanoutMedians(runs: FanoutResult[]) {
	const pick = (key: 'p50' | 'p95' | 'p99') => median(runs.map((run) => run.latency[key]).filter((x): x is number => x !== null));
	return { p50: pick('p50'), p95: pick('p95'), p99: pick('p99') };
}

const fmt = (x: number | null | undefined, digits = 1) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(digits));
const ratio = (easel: number | null | undefined, bare: number | null | undefined) => (easel === null || easel === undefined || !bare ? null : easel / bare);
const verdict = (value: number | null, goal: number) =>
	value === null ? '–' : value <= 0 ? 'n/a (RSS fell)' : value <= goal ? `${value.toFixed(2)}× ✓` : `${value.toFixed(2)}× ✗`;

export function renderReport(results: Results): string {
	const bare = results.targets.find((target) => target.kind === 'bare')!;
	const easels = results.targets.filter((target) => target.kind === 'easel');
	const head = ['scenario', 'figure', bare.label, ...easels.map((target) => target.label), ...easels.map((target) => `${target.label} ÷ bare`)];
	const rows: string[][] = [];
	const verdicts: string[] = [];

	for (const { editors, rate, runs } of results.fanout) {
		const any = Object.values(runs)[0]?.[0];
		if (!any) continue;
		const shape = any.probes < editors ? `${any.probes} full + ${editors - any.probes} light` : `${editors} full`;
		const medians = Object.fromEntries(Object.entries(runs).map(([label, list]) => [label, fanoutMedians(list)]));
		const cell = (label: string) => (medians[label] ? `${fmt(medians[label].p50, 2)} / ${fmt(medians[label].p95, 2)} / ${fmt(medians[label].p99, 2)}` : '–');
		const ratios = easels.map((target) => ratio(medians[target.label]?.p99, medians[bare.label]?.p99));
		rows.push([
			`fan-out, ${editors} editors (${shape}), ${any.rate} edits/s`,
			'p50 / p95 / p99 ms',
			cell(bare.label),
			...easels.map((target) => cell(target.label)),
			...ratios.map((value) => (editors === 200 ? verdict(value, GOALS.fanoutP99) : `p99 ${fmt(value, 2)}×`))
		]);
		if (editors === 200) {
			easels.forEach((target, i) =>
				verdicts.push(`p99 fan-out at 200 editors and ${rate} edits/s, ${target.label}: ${verdict(ratios[i], GOALS.fanoutP99)} of bare (goal ≤ ${GOALS.fanoutP99}×)`)
			);
		}
	}

	if (results.assistant) {
		const { editors, rate, script, without } = results.assistant;
		const withAssistant = results.assistant.with;
		const any = Object.values(without)[0]?.[0];
		const shape = any && any.probes < editors ? `${any.probes} full + ${editors - any.probes} light` : `${editors} full`;
		const p99 = (runs: FanoutResult[] | undefined) => (runs?.length ? fanoutMedians(runs).p99 : null);
		const cell = (runs: FanoutResult[] | undefined) => {
			if (!runs?.length) return '–';
			const medians = fanoutMedians(runs);
			return `${fmt(medians.p50, 2)} / ${fmt(medians.p95, 2)} / ${fmt(medians.p99, 2)}`;
		};
		const shapes = script.diagrams * (script.nodesPerDiagram + script.edgesPerDiagram);
		rows.push([
			`assistant: fan-out, ${editors} editors (${shape}) with the canvas and its chat open, ${rate} edits/s, no assistant`,
			'p50 / p95 / p99 ms',
			cell(without[bare.label]),
			...easels.map((target) => cell(without[target.label])),
			...easels.map((target) => `p99 ${fmt(ratio(p99(without[target.label]), p99(without[bare.label])), 2)}×`)
		]);
		const ratios = easels.map((target) => ratio(p99(withAssistant[target.label]), p99(without[target.label])));
		rows.push([
			'',
			`while the assistant streams ${script.tokens.toLocaleString('en')} tokens (~${(script.tokens * 4).toLocaleString('en')} characters, paced over ${script.streamS} s) into the chat and draws ${shapes} shapes (${script.diagrams} draw_diagram calls); p50 / p95 / p99 ms; ratio: p99 ÷ Easel without the assistant (÷ bare)`,
			'– (no assistant)',
			...easels.map((target) => cell(withAssistant[target.label])),
			...easels.map((target, i) => `${verdict(ratios[i], GOALS.assistantFanoutP99)} (${fmt(ratio(p99(withAssistant[target.label]), p99(without[bare.label])), 2)}× bare)`)
		]);
		const median1 = (values: (number | null | undefined)[]) => median(values.filter((x): x is number => typeof x === 'number'));
		const runsOf = (label: string) => (withAssistant[label] ?? []).map((result) => result.alongside).filter((run): run is AssistantRunResult => run !== undefined);
		rows.push([
			'',
			`the runs (after ${results.assistant.warmupRuns ?? 0} unmeasured warm-up run${results.assistant.warmupRuns === 1 ? '' : 's'} per server): succeeded of all; POST → answer done in an editor’s chat, median s; what an editor holds afterwards (boxes + arrows, answer characters); chat updates per second each editor received`,
			'',
			...easels.map((target) => {
				const runs = runsOf(target.label);
				const last = runs.at(-1)?.view;
				const chatRate = median1((withAssistant[target.label] ?? []).map((result) => result.chatUpdatesPerProbePerS));
				return `${runs.filter((run) => run.status === 'succeeded').length} of ${runs.length}; ${fmt(median1(runs.map((run) => run.durationS)))} s; ${last ? `${last.boxes} + ${last.arrows}, ${last.answers.map((answer) => answer.chars).join(', ')} chars` : '–'}; ${fmt(chatRate)}/s`;
			}),
			...easels.map(() => '')
		]);
		const cpu = (runs: FanoutResult[] | undefined) => fmt(median1((runs ?? []).map((run) => run.serverCpuPct)));
		rows.push([
			'',
			'server CPU, % of a core: without / with the assistant',
			`${cpu(without[bare.label])} / –`,
			...easels.map((target) => `${cpu(without[target.label])} / ${cpu(withAssistant[target.label])}`),
			...easels.map(() => '')
		]);
		easels.forEach((target, i) =>
			verdicts.push(
				`p99 fan-out to ${editors} editors while the assistant streams ${script.tokens.toLocaleString('en')} tokens and draws ${shapes} shapes, ${target.label}: ${verdict(ratios[i], GOALS.assistantFanoutP99)} of the same canvas without it (goal ≤ ${GOALS.assistantFanoutP99}×)`
			)
		);
	}

	if (results.idle[bare.label]) {
		const idle = results.idle;
		const base = idle[bare.label];
		const socketRatios = easels.map((target) => ratio(idle[target.label]?.rssPerSocketKb, base.rssPerSocketKb));
		rows.push([
			`idle, ${base.sockets} sockets over ${base.documents} documents`,
			'RSS per socket, KiB',
			fmt(base.rssPerSocketKb),
			...easels.map((target) => fmt(idle[target.label]?.rssPerSocketKb)),
			...socketRatios.map((value) => verdict(value, GOALS.rssPerSocket))
		]);
		if (base.marginalRssPerSocketKb !== null) {
			const marginal = easels.map((target) => ratio(idle[target.label]?.marginalRssPerSocketKb, base.marginalRssPerSocketKb));
			rows.push([
				'',
				`RSS per socket from ${base.sockets} to ${base.moreSockets} sockets, KiB`,
				fmt(base.marginalRssPerSocketKb),
				...easels.map((target) => fmt(idle[target.label]?.marginalRssPerSocketKb)),
				...marginal.map((value) => verdict(value, GOALS.rssPerSocket))
			]);
			easels.forEach((target, i) =>
				verdicts.push(
					`RSS per idle socket from ${base.sockets} to ${base.moreSockets} sockets, ${target.label}: ${verdict(marginal[i], GOALS.rssPerSocket)} of bare (goal ≤ ${GOALS.rssPerSocket}×)`
				)
			);
		}
		/** A row with bare's figure, each Easel's, and their ratios (no goal attached). */
		const comparedRow = (figure: string, pick: (result: IdleResult) => number | null | undefined) => {
			const of = (label: string) => (idle[label] ? pick(idle[label]) : undefined);
			rows.push([
				'',
				figure,
				fmt(pick(base)),
				...easels.map((target) => fmt(of(target.label))),
				...easels.map((target) => `${fmt(ratio(of(target.label), pick(base)), 2)}×`)
			]);
		};
		comparedRow('JS heap per socket (after GC), KiB', (result) => result.heapPerSocketKb);
		comparedRow('JS heap per document (with its first socket, less one socket), KiB', (result) => result.heapPerDocumentKb);
		comparedRow('server RSS with all sockets open, MiB', (result) => result.rssMb.afterAll);
		rows.push([
			'',
			`server CPU while idle, % of a core`,
			fmt(base.idleServerCpuPct),
			...easels.map((target) => fmt(idle[target.label]?.idleServerCpuPct)),
			...easels.map(() => '')
		]);
		easels.forEach((target, i) =>
			verdicts.push(
				`RSS per idle socket (${base.documents} → ${base.sockets} sockets), ${target.label}: ${verdict(socketRatios[i], GOALS.rssPerSocket)} of bare (goal ≤ ${GOALS.rssPerSocket}×)`
			)
		);
		easels.forEach((target) => {
			const heapRatio = ratio(idle[target.label]?.heapPerSocketKb, base.heapPerSocketKb);
			verdicts.push(
				`JS heap per idle socket, ${target.label}: ${verdict(heapRatio, GOALS.rssPerSocket)} of bare — the per-socket figure that does not depend on what memory the process already held (see docs/benchmarks.md)`
			);
		});
	}

	const bareCold = results.coldLoad[bare.label] ?? [];
	for (const row of bareCold) {
		const of = (label: string) => results.coldLoad[label]?.find((result) => result.records === row.records);
		const cell = (result: ColdLoadResult | undefined) => (result ? `${fmt(result.medianMs, 0)} (${fmt(result.minMs, 0)}–${fmt(result.maxMs, 0)})` : '–');
		const ratios = easels.map((target) => ratio(of(target.label)?.medianMs, row.medianMs));
		rows.push([
			`cold load, ${row.records.toLocaleString('en')} records (${(row.stateBytes / 1048576).toFixed(1)} MiB Yjs state)`,
			'open → all records, synced, median (min–max) ms',
			cell(row),
			...easels.map((target) => cell(of(target.label))),
			...ratios.map((value) => verdict(value, GOALS.coldLoad))
		]);
		const arrived = (result: ColdLoadResult | undefined) => (result ? `${fmt(result.authenticatedMsMedian, 0)} / ${fmt(result.documentArrivedMsMedian, 0)}` : '–');
		rows.push([
			'',
			"of which server side: open → authorised / → document received, median ms (Easel: the download's headers / body; bare: the socket's answer / document frame)",
			arrived(row),
			...easels.map((target) => arrived(of(target.label))),
			...easels.map((target) => `${fmt(ratio(of(target.label)?.documentArrivedMsMedian, row.documentArrivedMsMedian), 2)}×`)
		]);
		const reference = results.coldLoadReference?.results.find((result) => result.records === row.records);
		if (reference) {
			rows.push([
				'',
				`reference: ${results.coldLoadReference!.label} (loads the same state from the database), open → all records, median (min–max) ms; ratio: Easel ÷ reference`,
				cell(reference),
				...easels.map(() => ''),
				...easels.map((target) => `${fmt(ratio(of(target.label)?.medianMs, reference.medianMs), 2)}×`)
			]);
		}
		easels.forEach((target, i) =>
			verdicts.push(
				`cold load of ${row.records.toLocaleString('en')} records, ${target.label}: ${verdict(ratios[i], GOALS.coldLoad)} of bare (goal ≤ ${GOALS.coldLoad}×)`
			)
		);
	}

	for (const target of easels) {
		const persisted = results.persist[target.label];
		if (!persisted) continue;
		for (const step of persisted.steps) {
			rows.push([
				`persisted updates, ${persisted.documents} canvases × ${persisted.writersPerDocument} writers, ${step.targetRate} edits/s offered`,
				'updates written to the update log per second (sent/s; drain after last edit)',
				'– (no persistence)',
				...easels.map((other) => (other === target ? `${fmt(step.persistedPerS, 0)} (${fmt(step.sentPerS, 0)}; ${step.drainMs} ms)` : '')),
				...easels.map(() => '')
			]);
		}
	}

	for (const target of easels) {
		const result = (results.tabs ?? {})[target.label];
		if (!result) continue;
		const only = (text: string) => [...easels.map((other) => (other === target ? text : '')), ...easels.map(() => '')];
		const { idleOneTab, idle, receiving } = result;
		const label = '(Easel only: bare Hocuspocus serves no app)';
		const idleRows = (figures: TabsWindow, tabs: number, what: string) => {
			rows.push([
				`browser tabs ${label}, ${what}, idle ${fmt(figures.seconds)} s`,
				'document updates per second (per tab); records reverted per second',
				'– (no browser app)',
				...only(`${fmt(figures.documentUpdatesPerS)} (${fmt(figures.documentUpdatesPerS / tabs)}); ${fmt(figures.recordsRejectedPerS)}`)
			]);
			rows.push([
				'',
				'frames per second the server sent each tab (KiB/s); frames each tab sent',
				'',
				...only(`${fmt(figures.framesToTabPerS)} (${fmt(figures.kibToTabPerS)}); ${fmt(figures.framesFromTabPerS)}`)
			]);
			rows.push([
				'',
				"server CPU; all Chromium processes; other people's load on the machine, %",
				'',
				...only(`${fmt(figures.serverCpuPct)}; ${fmt(figures.browserCpuPct)}; ${fmt(figures.foreignBusyPct)}`)
			]);
		};
		if (idleOneTab) idleRows(idleOneTab, 1, '1 Chromium tab on a new canvas');
		idleRows(idle, result.tabs, `${result.tabs} Chromium tabs on the same canvas`);
		rows.push([
			`browser tabs + ${receiving.writers} provider writers ${label}, ${fmt(receiving.sentPerS)} edits/s, ${fmt(receiving.seconds)} s`,
			"provider write → in a tab's tldraw store, p50 / p95 / p99 ms (deliveries ÷ sent × tabs; provider → provider p99)",
			'– (no browser app)',
			...only(
				`${fmt(receiving.latency.p50, 2)} / ${fmt(receiving.latency.p95, 2)} / ${fmt(receiving.latency.p99, 2)} (${fmt(receiving.deliveredShare, 2)}; ${fmt(receiving.providerLatency.p99, 2)})`
			)
		]);
		rows.push([
			'',
			'document updates per second; reverted/s; server CPU %; Chromium CPU %; others %',
			'',
			...only(
				`${fmt(receiving.documentUpdatesPerS)}; ${fmt(receiving.recordsRejectedPerS)}; ${fmt(receiving.serverCpuPct)}; ${fmt(receiving.browserCpuPct)}; ${fmt(receiving.foreignBusyPct)}`
			)
		]);
		const windows = idleOneTab ? [idleOneTab, idle] : [idle];
		const met = windows.every((figures) => figures.documentUpdates / figures.seconds <= GOALS.idleTabUpdatesPerS);
		const oneTab = idleOneTab ? `1 idle tab ${fmt(idleOneTab.documentUpdatesPerS)}/s, ` : '';
		verdicts.push(
			`idle tab writes ${GOALS.idleTabUpdatesPerS} updates/s, ${target.label}: ${met ? '**met**' : '**missed**'}: document updates ${oneTab}${result.tabs} idle tabs ${fmt(idle.documentUpdatesPerS)}/s (${fmt(idle.documentUpdatesPerS / result.tabs)} per tab; ${fmt(idle.recordsRejectedPerS)} records reverted/s)`
		);
	}

	const lines = [
		`Collaboration server, ${results.date}; ${results.machine}; Node ${results.node}; Easel at ${results.commit}.`,
		`Command: \`${results.command}\``,
		'',
		`| ${head.join(' | ')} |`,
		`| ${head.map(() => '---').join(' | ')} |`,
		...rows.map((row) => `| ${row.join(' | ')} |`),
		'',
		'Goals:',
		...verdicts.map((line) => `- ${line}`)
	];

	// Details: what the load looked like, so a client-bound or noisy run is visible.
	if (results.fanout.length || results.assistant) {
		lines.push(
			'',
			'Fan-out details (each repetition):',
			'',
			'| editors | server | edits/s | probe deliveries/s | light msgs/s | p99 ms | server CPU % (of it kernel) | client CPU % | machine busy % | of it others % | light closed |',
			'| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |'
		);
		const assistantRows = results.assistant
			? [
					{ editors: `${results.assistant.editors} + chat`, runs: results.assistant.without },
					{
						editors: `${results.assistant.editors} + chat + assistant`,
						runs: results.assistant.with
					}
				]
			: [];
		for (const { editors, runs } of [...results.fanout, ...assistantRows]) {
			for (const [label, list] of Object.entries(runs)) {
				for (const run of list) {
					lines.push(
						`| ${editors} | ${label} | ${fmt(run.editsPerS)} | ${run.deliveriesPerS} | ${run.lightMessagesPerS} | ${fmt(run.latency.p99, 2)} | ${fmt(run.serverCpuPct)} (${fmt(run.serverSystemCpuPct)}) | ${run.clientCpuPct.map((x) => fmt(x)).join(' + ')} | ${fmt(run.machineBusyPct)} | ${fmt(run.foreignBusyPct)} | ${run.lightClosed} |`
					);
				}
			}
		}
	}
	for (const [label, rejected] of Object.entries(results.rejectedRecords)) {
		lines.push(
			'',
			`${label} reverted ${rejected} record changes written by the bench${rejected ? ' — ITS FIGURES INCLUDE REVERTS' : ' (every bench record passed validation)'}.`
		);
	}
	if (results.discarded.length) {
		lines.push(
			'',
			`Discarded and repeated because other processes loaded the machine: ${results.discarded.map(({ editors, target, result }) => `${target} at ${editors} editors (others ${fmt(result.foreignBusyPct)} %, p99 ${fmt(result.latency.p99, 2)} ms)`).join('; ')}.`
		);
	}
	for (const [label, persisted] of Object.entries(results.persist)) {
		lines.push(
			'',
			`Persistence, ${label}: ${persisted.verified.found} of ${persisted.verified.edits} edits found in the database afterwards (${persisted.verified.how}).`,
			'',
			'| offered edits/s | sent/s | logged/s | drain ms | batches | mean batch ms | server CPU % | failed batches |',
			'| --- | --- | --- | --- | --- | --- | --- | --- |',
			...persisted.steps.map(
				(step) =>
					`| ${step.targetRate} | ${fmt(step.sentPerS)} | ${fmt(step.persistedPerS)} | ${step.drainMs} | ${step.batches} | ${fmt(step.batchMsMean)} | ${fmt(step.serverCpuPct)} | ${step.failures} |`
			)
		);
	}
	return lines.join('\n');
}

// Re-renders the tables from a run's --json file: node tests/bench/collab/report.ts results.json
if (process.argv[1] === fileURLToPath(import.meta.url)) {
	if (!process.argv[2]) {
		console.error('usage: node tests/bench/collab/report.ts <results.json written by npm run bench -- --json FILE>');
		process.exit(2);
	}
	console.log(renderReport(JSON.parse(readFileSync(process.argv[2], 'utf8')) as Results));
}
