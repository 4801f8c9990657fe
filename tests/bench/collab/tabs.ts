// The browser-tabs scenario (Easel only: bare Hocuspocus serves no app): real headless Chromium
// pages open one canvas at /c/<id>, signed in as members of its team. Idle, they should write
// nothing; then provider writers edit and the bench times each edit until a tab's tldraw store has it.
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { chromium, type Browser, type Page } from '@playwright/test';
import type { Editor, TLRecord } from 'tldraw';
import { sessionCookieName } from '../../../src/lib/server/auth/sessions.ts';
import { api } from '../../helpers/clients.ts';
import { closeAll, connect, type Log, type Workers } from './scenarios.ts';
import type { ClientSpec, LoadResult } from './worker.ts';
import type { EaselTarget } from './servers.ts';
import { documentName } from '../../../src/lib/document-names.ts';
import { browserProcesses, cpuPercent, Histogram, machineBusyPercent, now, sampleMachine, sampleProcess, type LatencySummary, type ProcessSample } from './stats.ts';

/** Debian's Chromium (apt-get install chromium), as for the end-to-end tests; never a downloaded build. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** A free team's seats: its owner and two editors. More tabs reuse these accounts in turn. */
const TEAM_SEATS = 3;
const PROVIDER_WRITERS = 2;

export interface TabsOptions {
	/** Tabs open at once; the first is also measured idle on its own. */
	tabs: number;
	/** Seconds the tabs sit idle, measured, after a short settle once every canvas is showing. */
	idleS: number;
	/** Edits/s the provider writers make while the tabs receive. */
	rate: number;
	/** Seconds of receiving measured, after a short warm-up. */
	receiveS: number;
}

/** What the server did and what the tabs saw over one window. */
export interface TabsWindow {
	seconds: number;
	/** `easel_document_updates_total` over the window, and per second: every Yjs update the server applied (clients' and its own reverts). */
	documentUpdates: number;
	documentUpdatesPerS: number;
	/** `easel_records_rejected_total` per second: record changes the server's validation reverted. */
	recordsRejectedPerS: number;
	/** WebSocket frames the server sent one tab per second (mean over the tabs), and their KiB/s. */
	framesToTabPerS: number;
	kibToTabPerS: number;
	/** Frames one tab sent the server per second (mean over the tabs). */
	framesFromTabPerS: number;
	serverCpuPct: number | null;
	/** All Chromium processes together, % of one core. */
	browserCpuPct: number | null;
	/** Machine busy % not explained by the bench's processes and its browser: other people's work. */
	foreignBusyPct: number | null;
}

export interface TabsResult extends TabsOptions {
	accounts: number;
	/** From launching the browser until the first tab, then every tab, showed the connected canvas. */
	openMs: { first: number; all: number };
	/** The first tab alone on the new canvas (null with one tab: then `idle` is that). */
	idleOneTab: TabsWindow | null;
	/** Every tab. */
	idle: TabsWindow;
	receiving: TabsWindow & {
		writers: number;
		sentPerS: number;
		/** Provider write (its `meta.sentAt`) → a tab's tldraw store listener hears of it, every tab's deliveries. */
		latency: LatencySummary;
		/** Deliveries counted in the tabs ÷ (edits sent in the window × tabs). */
		deliveredShare: number | null;
		/** The same edits between the provider writers themselves, for comparison. */
		providerLatency: LatencySummary;
	};
	pageErrors: number;
}

interface Tab {
	page: Page;
	frames: { counting: boolean; received: number; receivedBytes: number; sent: number };
}

interface BenchWindow {
	/** The editor TldrawIsland exposes for end-to-end tests. */
	__easelEditor?: Editor;
	__easelBench?: { from: number; latencies: number[] };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function chromiumMissing(): string | null {
	return existsSync(CHROMIUM) ? null : `the browser-tabs scenario needs Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
}

/** A canvas in the owner's team and every account's session token (the owner first). */
async function seedTeamCanvas(baseUrl: string, accounts: number): Promise<{ canvasId: string; tokens: string[] }> {
	const signUp = async (name: string) => {
		const email = `${name}-${Math.random().toString(36).slice(2, 10)}@bench.test`;
		const { status, body } = await api(baseUrl, '/api/v1/auth/signup', { body: { email, password: 'a long enough bench password', name } });
		if (status !== 201) throw new Error(`sign-up failed: ${status} ${JSON.stringify(body)}`);
		return body as { token: string; personalTeamId: string };
	};
	const owner = await signUp('tab-owner');
	const canvas = await api(baseUrl, '/api/v1/canvases', { token: owner.token, body: { title: 'Browser tabs', teamId: owner.personalTeamId } });
	if (canvas.status !== 201) throw new Error(`create canvas failed: ${canvas.status} ${JSON.stringify(canvas.body)}`);
	const tokens = [owner.token];
	if (accounts > 1) {
		const invitation = await api(baseUrl, `/api/v1/teams/${owner.personalTeamId}/invitations`, { token: owner.token, body: { role: 'editor', maxUses: accounts - 1 } });
		if (invitation.status !== 201) throw new Error(`invitation failed: ${invitation.status} ${JSON.stringify(invitation.body)}`);
		for (let i = 1; i < accounts; i++) {
			const member = await signUp(`tab-member-${i}`);
			const accepted = await api(baseUrl, `/api/v1/invitations/${invitation.body.token}/accept`, { token: member.token, method: 'POST' });
			if (accepted.status !== 200) throw new Error(`accepting the invitation failed: ${accepted.status} ${JSON.stringify(accepted.body)}`);
			tokens.push(member.token);
		}
	}
	return { canvasId: canvas.body.id as string, tokens };
}

/** A page in its own browser context (its own cookies and local storage, as another person's browser) on the canvas. */
async function openTab(browser: Browser, baseUrl: string, canvasId: string, token: string, timeoutMs: number): Promise<Tab> {
	const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
	await context.addCookies([{ name: sessionCookieName(false), value: token, url: baseUrl, httpOnly: true, sameSite: 'Lax' }]);
	const page = await context.newPage();
	const frames = { counting: false, received: 0, receivedBytes: 0, sent: 0 };
	page.on('websocket', (socket) => {
		socket.on('framereceived', ({ payload }) => {
			if (!frames.counting) return;
			frames.received++;
			frames.receivedBytes += payload.length;
		});
		socket.on('framesent', () => {
			if (frames.counting) frames.sent++;
		});
	});
	await page.goto(`${baseUrl}/c/${canvasId}`, { timeout: timeoutMs });
	await page.waitForSelector('[data-testid="connection-status"][data-status="connected"]', { timeout: timeoutMs });
	await page.waitForSelector('.tl-canvas', { state: 'visible', timeout: timeoutMs });
	await page.waitForFunction(() => (window as unknown as BenchWindow).__easelEditor !== undefined, undefined, { timeout: timeoutMs });
	// Remote changes carrying `meta.sentAt` (the bench's shapes): when tldraw's listeners hear of them.
	await page.evaluate(() => {
		const bench = { from: Infinity, latencies: [] as number[] };
		const benchWindow = window as unknown as BenchWindow;
		benchWindow.__easelBench = bench;
		benchWindow.__easelEditor!.store.listen(
			({ changes }) => {
				const at = performance.timeOrigin + performance.now();
				const changed: TLRecord[] = [...Object.values(changes.added), ...Object.values(changes.updated).map(([, to]) => to)];
				for (const record of changed) {
					const sentAt = record.meta?.sentAt;
					if (typeof sentAt === 'number' && sentAt >= bench.from && bench.latencies.length < 100_000) bench.latencies.push(at - sentAt);
				}
			},
			{ source: 'remote', scope: 'document' }
		);
	});
	return { page, frames };
}

/**
 * Measures `seconds`: server counters and CPU, the tabs' frames, the browser's CPU. `ownPids`:
 * the bench's processes (servers, workers, orchestrator), to tell its load from other people's.
 */
async function measureWindow(target: EaselTarget, tabs: Tab[], seconds: number, ownPids: number[]): Promise<TabsWindow> {
	const m0 = await target.metrics();
	const own0 = ownPids.map(sampleProcess);
	const machine0 = sampleMachine();
	const server0 = sampleProcess(target.pid);
	const browser0 = sampleBrowser();
	for (const tab of tabs) Object.assign(tab.frames, { counting: true, received: 0, receivedBytes: 0, sent: 0 });
	const started = performance.now();
	await sleep(seconds * 1000);
	const elapsedS = (performance.now() - started) / 1000;
	for (const tab of tabs) tab.frames.counting = false;
	const browser1 = sampleBrowser();
	const server1 = sampleProcess(target.pid);
	const machine1 = sampleMachine();
	const own1 = ownPids.map(sampleProcess);
	const m1 = await target.metrics();
	const browserCpuPct = browserCpuPercent(browser0, browser1);
	const ownPct = (ownPids.reduce((sum, _, i) => sum + (cpuPercent(own0[i], own1[i]) ?? 0), 0) + (browserCpuPct ?? 0)) / cpus().length;
	const machineBusyPct = machineBusyPercent(machine0, machine1);
	const delta = (name: string) => (m1.get(name) ?? 0) - (m0.get(name) ?? 0);
	const perS = (name: string) => round(delta(name) / elapsedS);
	const perTabPerS = (pick: (tab: Tab) => number) => round(tabs.reduce((sum, tab) => sum + pick(tab), 0) / tabs.length / elapsedS);
	return {
		seconds: round(elapsedS),
		documentUpdates: delta('easel_document_updates_total'),
		documentUpdatesPerS: perS('easel_document_updates_total'),
		recordsRejectedPerS: perS('easel_records_rejected_total'),
		framesToTabPerS: perTabPerS((tab) => tab.frames.received),
		kibToTabPerS: perTabPerS((tab) => tab.frames.receivedBytes / 1024),
		framesFromTabPerS: perTabPerS((tab) => tab.frames.sent),
		serverCpuPct: cpuPercent(server0, server1),
		browserCpuPct,
		foreignBusyPct: machineBusyPct === null ? null : round(Math.max(0, machineBusyPct - ownPct))
	};
}

function sampleBrowser(): Map<number, ProcessSample> {
	const samples = new Map<number, ProcessSample>();
	for (const pid of browserProcesses(process.pid)) {
		const sample = sampleProcess(pid);
		if (sample) samples.set(pid, sample);
	}
	return samples;
}

/** CPU of the browser's processes between two samples, % of one core; processes started meanwhile count from zero. */
function browserCpuPercent(from: Map<number, ProcessSample>, to: Map<number, ProcessSample>): number | null {
	const first = [...from.values()][0];
	const last = [...to.values()][0];
	if (!first || !last || last.at <= first.at) return null;
	let seconds = 0;
	for (const [pid, sample] of to) seconds += sample.cpuSeconds - (from.get(pid)?.cpuSeconds ?? 0);
	return round((seconds / ((last.at - first.at) / 1000)) * 100);
}

/** `ownPids`: every process of the benchmark (servers, workers, the orchestrator); the browser is found by itself. */
export async function tabs(target: EaselTarget, workers: Workers, options: TabsOptions, ownPids: number[], log: Log): Promise<TabsResult> {
	const accounts = Math.min(options.tabs, TEAM_SEATS);
	const { canvasId, tokens } = await seedTeamCanvas(target.baseUrl, accounts);
	const launched = performance.now();
	const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'], timeout: 30_000 });
	let pageErrors = 0;
	const open = async (i: number) => {
		const tab = await openTab(browser, target.baseUrl, canvasId, tokens[i % tokens.length], 60_000);
		tab.page.on('pageerror', () => pageErrors++);
		return tab;
	};
	const describe = (figures: TabsWindow) =>
		`${figures.documentUpdatesPerS} document updates/s, ${figures.recordsRejectedPerS} records reverted/s, ${figures.framesToTabPerS} frames/s to each tab, server CPU ${figures.serverCpuPct}%, browser CPU ${figures.browserCpuPct}%, other load ${figures.foreignBusyPct}%`;
	try {
		// Idle: nobody edits, so every document update in a window is one a tab wrote or the server's answer to it.
		// First one tab on the new canvas (what the review measured by hand), then all of them.
		const tabs = [await open(0)];
		const first = Math.round(performance.now() - launched);
		let idleOneTab: TabsWindow | null = null;
		if (options.tabs > 1) {
			await sleep(2000);
			idleOneTab = await measureWindow(target, tabs, options.idleS, ownPids);
			log(`  1 tab idle (open after ${first} ms): ${describe(idleOneTab)}`);
			tabs.push(...(await Promise.all(Array.from({ length: options.tabs - 1 }, (_, i) => open(i + 1)))));
		}
		const all = Math.round(performance.now() - launched);
		await sleep(2000);
		const idle = await measureWindow(target, tabs, options.idleS, ownPids);
		log(`  ${options.tabs} tabs idle (${accounts} accounts; all open after ${all} ms): ${describe(idle)}`);

		// Receiving: provider writers edit at a modest rate; each tab times the edits reaching its store.
		const endpoint = { url: target.url, document: documentName('canvas', canvasId), token: tokens[0], stateUrl: `${target.baseUrl}/api/v1/canvases/${canvasId}/state` };
		const writers = Array.from({ length: PROVIDER_WRITERS }, (_, i): ClientSpec => ({ id: `tabs-writer-${i}`, endpoint }));
		try {
			await connect(workers.full, writers, 'browser tabs: provider writers');
			await sleep(500);
			const warmupMs = 2000;
			const loadDone = workers.full.call<LoadResult>('load', {
				writers: writers.map((writer) => writer.id),
				rate: options.rate,
				warmupMs,
				durationMs: options.receiveS * 1000
			});
			await sleep(warmupMs);
			const from = now();
			await Promise.all(tabs.map((tab) => tab.page.evaluate((at) => ((window as unknown as BenchWindow).__easelBench!.from = at), from)));
			const measured = await measureWindow(target, tabs, options.receiveS, ownPids);
			const load = await loadDone;
			const latencies = await Promise.all(tabs.map((tab) => tab.page.evaluate(() => (window as unknown as BenchWindow).__easelBench!.latencies)));
			const histogram = new Histogram();
			for (const value of latencies.flat()) histogram.add(value);
			const receiving = {
				...measured,
				writers: PROVIDER_WRITERS,
				sentPerS: round(load.sentInWindow / options.receiveS),
				latency: histogram.summary(),
				deliveredShare: load.sentInWindow > 0 ? Math.round((histogram.count / (load.sentInWindow * tabs.length)) * 100) / 100 : null,
				providerLatency: Histogram.fromJSON(load.histogram).summary()
			};
			log(
				`  receiving ${receiving.sentPerS} edits/s: provider → tab p50 ${receiving.latency.p50} p95 ${receiving.latency.p95} p99 ${receiving.latency.p99} ms (${histogram.count} deliveries, ${receiving.deliveredShare} of sent × tabs), provider → provider p99 ${receiving.providerLatency.p99} ms; ${describe(measured)}`
			);
			return { ...options, accounts, openMs: { first, all }, idleOneTab, idle, receiving, pageErrors };
		} finally {
			await closeAll(workers);
		}
	} finally {
		await browser.close();
	}
}

const round = (x: number) => Math.round(x * 10) / 10;
