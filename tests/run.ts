// `npm test`: everything CI runs — type check, lint (Prettier, ESLint, import cycles), unit + integration
// tests (PGlite and PostgreSQL), then end-to-end tests in Debian's Chromium against the built production server.
// `npm test -- check|lint|unit|e2e` runs one of them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale } from '../server/build-if-stale.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const bin = (pkg: string, file: string) => join(root, 'node_modules', pkg, file);

function run(label: string, args: string[], env: Record<string, string> = {}): boolean {
	console.log(`\n▶ ${label}`);
	const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
	return result.status === 0;
}

/** Installs Debian packages with apt-get when `binary` is missing (CI and fresh machines); exits when it can't. */
function ensureDebianPackages(binary: string, packages: string[], hint: string): void {
	if (existsSync(binary)) return;
	console.log(`\n▶ ${binary} is missing: installing Debian's ${packages.join(', ')} with apt-get`);
	const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
	const apt = (args: string[]) =>
		spawnSync(sudo[0] ?? 'apt-get', [...(sudo.length ? ['apt-get'] : []), ...args], {
			stdio: 'inherit',
			env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
		}).status === 0;
	if (!apt(['update']) || !apt(['install', '-y', '--no-install-recommends', ...packages]) || !existsSync(binary)) {
		console.error(`Could not install ${packages.join(', ')}. ${hint}`);
		process.exit(1);
	}
}

function ensureChromium(): void {
	ensureDebianPackages(CHROMIUM, ['chromium', 'fonts-liberation'], 'Install it (apt-get install chromium) or set CHROMIUM_PATH.');
}

/** The Python client's tests (tests/integration/python-client.test.ts) run it with the system python3. */
function ensurePython(): void {
	ensureDebianPackages('/usr/bin/python3', ['python3'], 'Install it (apt-get install python3).');
}

const only = process.argv[2];
const results: [string, boolean][] = [];
const REPORTS = join(root, 'test-results');
rmSync(REPORTS, { recursive: true, force: true });
mkdirSync(REPORTS, { recursive: true });
const counts = { passed: 0, failed: 0, skipped: 0 };

/** Adds the test counts from a runner's JSON report, when it wrote one. */
function count<Report>(file: string, read: (report: Report) => { passed: number; failed: number; skipped: number }): void {
	try {
		const found = read(JSON.parse(readFileSync(join(REPORTS, file), 'utf8')) as Report);
		counts.passed += found.passed;
		counts.failed += found.failed;
		counts.skipped += found.skipped;
	} catch {
		// no report (the runner did not start): the suite result below still counts
	}
}

if (only !== 'lint') buildIfStale();
if (!only || only === 'check') {
	results.push([
		'type check',
		run('type check (svelte-check)', [bin('@sveltejs/kit', 'svelte-kit.js'), 'sync']) &&
			run('svelte-check', [bin('svelte-check', 'bin/svelte-check'), '--tsconfig', './tsconfig.json', '--threshold', 'error', '--fail-on-warnings=false'])
	]);
}
if (!only || only === 'lint') {
	// As `npm run lint`, but every check runs even after one fails, so one run lists everything to fix.
	// dpdm resolves `$lib` through .svelte-kit/tsconfig.json, which the type check's sync has written.
	const synced = only ? run('svelte-kit sync', [bin('@sveltejs/kit', 'svelte-kit.js'), 'sync']) : true;
	const checks = [
		run('format (prettier --check)', [bin('prettier', 'bin/prettier.cjs'), '--check', '.']),
		run('import cycles (dpdm, dpdm.config.json)', [bin('dpdm', 'lib/bin/dpdm.js')]),
		run('lint (eslint)', [bin('eslint', 'bin/eslint.js'), '--max-warnings=0', '.'])
	];
	results.push(['lint', synced && checks.every(Boolean)]);
}
if (!only || only === 'unit') {
	// tests/integration/canvas-renderer.test.ts drives the server's renderer on it.
	ensureChromium();
	ensurePython();
	results.push([
		'unit + integration',
		run(
			'unit and integration tests (vitest)',
			[bin('vitest', 'vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${join(REPORTS, 'vitest.json')}`],
			{ CHROMIUM_PATH: CHROMIUM }
		)
	]);
	count('vitest.json', (report: { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number }) => ({
		passed: report.numPassedTests,
		failed: report.numFailedTests,
		skipped: report.numPendingTests + report.numTodoTests
	}));
}
if (!only || only === 'e2e') {
	ensureChromium();
	results.push([
		'end-to-end',
		run('end-to-end tests (Playwright + Chromium)', [bin('@playwright/test', 'cli.js'), 'test', '--reporter=list,json'], {
			CHROMIUM_PATH: CHROMIUM,
			PLAYWRIGHT_JSON_OUTPUT_FILE: join(REPORTS, 'playwright.json')
		})
	]);
	count('playwright.json', (report: { stats: { expected: number; flaky: number; unexpected: number; skipped: number } }) => ({
		passed: report.stats.expected + report.stats.flaky,
		failed: report.stats.unexpected,
		skipped: report.stats.skipped
	}));
}

const failed = results.filter(([, ok]) => !ok);
console.log(`\nsuites: ${results.map(([name, ok]) => `${name} ${ok ? 'ok' : 'FAILED'}`).join(', ')}`);
// A suite that failed without reporting a failing test (crash, type errors) still counts as a failure.
const failures = Math.max(counts.failed, failed.length);
console.log(`${counts.passed} passed, ${failures} failed, ${counts.skipped} skipped`);
process.exit(failed.length ? 1 : 0);
