// Summarises V8 CPU profiles (node --cpu-prof) of the server: where its self time went, by function
// and by package or source file. Also runnable on its own: node tests/bench/collab/profile.ts DIR|FILE
import { readdirSync, readFileSync, statSync } from 'node:fs';
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

export function summarizeProfile(profile: CpuProfile, top = 20): string {
	const selfUs = new Map<number, number>();
	for (let i = 0; i < profile.samples.length; i++) {
		selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
	}
	const byFunction = new Map<string, number>();
	const byOwner = new Map<string, number>();
	let total = 0;
	for (const node of profile.nodes) {
		const us = selfUs.get(node.id) ?? 0;
		if (!us) continue;
		total += us;
		const { functionName, url, lineNumber } = node.callFrame;
		if (functionName === '(idle)') continue;
		const where = owner(url, functionName);
		const key = `${functionName || '(anonymous)'} — ${where}${url ? `:${lineNumber + 1}` : ''}`;
		byFunction.set(key, (byFunction.get(key) ?? 0) + us);
		byOwner.set(where, (byOwner.get(where) ?? 0) + us);
	}
	const idle = [...selfUs].reduce((sum, [id, us]) => sum + (profile.nodes.find((node) => node.id === id)?.callFrame.functionName === '(idle)' ? us : 0), 0);
	const busy = total - idle;
	const table = (title: string, entries: Map<string, number>) => [
		'',
		`| ${title} | self ms | % of busy |`,
		'| --- | --- | --- |',
		...[...entries]
			.sort((a, b) => b[1] - a[1])
			.slice(0, top)
			.map(([key, us]) => `| ${key.replace(/\|/g, '\\|')} | ${(us / 1000).toFixed(0)} | ${((us / busy) * 100).toFixed(1)} |`)
	];
	return [
		`Profile: ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (${((busy / total) * 100).toFixed(0)} %).`,
		...table('package or file', byOwner),
		...table('function (self time)', byFunction)
	].join('\n');
}

/** Summarises every .cpuprofile in `path` (a directory) or the one file `path`. */
export function summarizeProfiles(path: string): string {
	const files = statSync(path).isDirectory()
		? readdirSync(path)
				.filter((file) => file.endsWith('.cpuprofile'))
				.map((file) => join(path, file))
		: [path];
	if (files.length === 0) return `No CPU profile in ${path} (the server writes it when it exits after SIGTERM).`;
	return files.map((file) => `### ${file}\n\n${summarizeProfile(JSON.parse(readFileSync(file, 'utf8')))}`).join('\n\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	if (!process.argv[2]) {
		console.error('usage: node tests/bench/collab/profile.ts <profile directory or .cpuprofile file>');
		process.exit(2);
	}
	console.log(summarizeProfiles(process.argv[2]));
}
