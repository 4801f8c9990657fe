// Builds the SvelteKit app when build/ is missing or older than its sources, so `npm start` works on a fresh clone.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const STAMP = join(root, 'build', '.build-stamp');
const INPUTS = ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package-lock.json'];

function newestMtime(path: string): number {
	if (!existsSync(path)) return 0;
	const stat = statSync(path);
	if (!stat.isDirectory()) return stat.mtimeMs;
	return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestMtime(join(path, entry))), stat.mtimeMs);
}

export function buildIfStale(): void {
	const built = existsSync(STAMP) && existsSync(join(root, 'build', 'handler.js')) ? statSync(STAMP).mtimeMs : 0;
	const sources = Math.max(...INPUTS.map((input) => newestMtime(join(root, input))));
	if (built >= sources) return;
	console.log(built ? 'Sources changed since the last build: rebuilding…' : 'Building Easel (first start takes a minute)…');
	const result = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], {
		cwd: root,
		stdio: 'inherit'
	});
	if (result.status !== 0) {
		console.error('The build failed; see the errors above.');
		process.exit(result.status ?? 1);
	}
	writeFileSync(STAMP, new Date().toISOString());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildIfStale();
