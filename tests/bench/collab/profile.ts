// Summarises V8 CPU profiles (node --cpu-prof) of the servers: where their self time went during the
// measurement windows, by package or source file and by function, side by side.
// Also runnable on its own: node tests/bench/collab/profile.ts <dir or .cpuprofile>...
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	hitCount?: number;
}

interface CpuProfile {
	nodes: ProfileNode[];
	startTime: number;
	endTime: number;
	samples: number[];
	timeDeltas: number[];
}

/** node_modules/<package>, a project file, or a V8/Node category such as (garbage collector). */
function owner(url: string, functionName: string): string {
	if (!url) return functionName.startsWith('(') ? functionName : '(native)';
	const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
	if (modules) return modules[1];
	if (url.startsWith('node:')) return 'node:internals';
	const project = /\/(server|src|build|tests)\/(.*)$/.exec(url);
	return project ? `${project[1]}/${project[2]}` : url;
}

/** Monotonic microseconds (CLOCK_MONOTONIC, the clock V8's profiler stamps samples with). */
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

export interface ProfileSummary {
	/** Wall time covered (the windows, or the whole profile). */
	coveredUs: number;
	busyUs: number;
	byOwner: Map<string, number>;
	byFunction: Map<string, number>;
}

/** Self time by package and by function, counting only samples inside `windows` (all when none given). */
export function summarizeProfile(profile: CpuProfile, windows: [number, number][] = []): ProfileSummary {
	const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
	const byFunction = new Map<string, number>();
	const byOwner = new Map<string, number>();
	let busyUs = 0;
	let at = profile.startTime;
	for (let i = 0; i < profile.samples.length; i++) {
		const delta = profile.timeDeltas[i] ?? 0;
		at += delta;
		if (windows.length > 0 && !windows.some(([from, to]) => at >= from && at <= to)) continue;
		const { functionName, url, lineNumber } = nodes.get(profile.samples[i])!.callFrame;
		if (functionName === '(idle)') continue;
		busyUs += delta;
		const where = owner(url, functionName);
		const key = `${functionName || '(anonymous)'} — ${where}${url ? `:${lineNumber + 1}` : ''}`;
		byFunction.set(key, (byFunction.get(key) ?? 0) + delta);
		byOwner.set(where, (byOwner.get(where) ?? 0) + delta);
	}
	const coveredUs = windows.length > 0 ? windows.reduce((sum, [from, to]) => sum + (to - from), 0) : profile.endTime - profile.startTime;
	return { coveredUs, busyUs, byOwner, byFunction };
}

/** Side by side: CPU ms per second of measured window, by package or file, then each server's top functions. */
export function renderProfiles(profiles: { label: string; summary: ProfileSummary }[], top = 15): string {
	const perSecond = (summary: ProfileSummary, us: number | undefined) => ((us ?? 0) / 1000 / (summary.coveredUs / 1e6)).toFixed(1);
	const owners = new Set(profiles.flatMap(({ summary }) => [...summary.byOwner.keys()]));
	const weight = (key: string) => Math.max(...profiles.map(({ summary }) => (summary.byOwner.get(key) ?? 0) / summary.coveredUs));
	const lines = [
		`| package or file (profiled ms per second of measurement) | ${profiles.map(({ label }) => label).join(' | ')} |`,
		`| --- | ${profiles.map(() => '---').join(' | ')} |`,
		`| **all** | ${profiles.map(({ summary }) => `**${perSecond(summary, summary.busyUs)}**`).join(' | ')} |`,
		...[...owners]
			.sort((a, b) => weight(b) - weight(a))
			.slice(0, top)
			.map((key) => `| ${key} | ${profiles.map(({ summary }) => perSecond(summary, summary.byOwner.get(key))).join(' | ')} |`)
	];
	for (const { label, summary } of profiles) {
		lines.push(
			'',
			`| ${label}: function (self) | ms/s | % of busy |`,
			'| --- | --- | --- |',
			...[...summary.byFunction]
				.sort((a, b) => b[1] - a[1])
				.slice(0, top)
				.map(([key, us]) => `| ${key.replace(/\|/g, '\\|')} | ${perSecond(summary, us)} | ${((us / summary.busyUs) * 100).toFixed(1)} |`)
		);
	}
	return lines.join('\n');
}

/** The newest .cpuprofile in `path` (a directory) or the file `path`; null when there is none. */
export function readProfile(path: string): CpuProfile | null {
	if (!existsSync(path)) return null;
	const file = statSync(path).isDirectory()
		? readdirSync(path)
				.filter((name) => name.endsWith('.cpuprofile'))
				.map((name) => join(path, name))
				.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]
		: path;
	return file ? (JSON.parse(readFileSync(file, 'utf8')) as CpuProfile) : null;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const paths = process.argv.slice(2);
	if (paths.length === 0) {
		console.error('usage: node tests/bench/collab/profile.ts <profile directory or .cpuprofile file>...');
		process.exit(2);
	}
	const profiles = paths.flatMap((path) => {
		const profile = readProfile(path);
		return profile ? [{ label: path, summary: summarizeProfile(profile) }] : [];
	});
	console.log(renderProfiles(profiles));
}
