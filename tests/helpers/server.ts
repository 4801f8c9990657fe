// Starts the real built server (node server/index.ts) on a free port for integration tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COLLAB_PATH } from '../../src/lib/collab-protocol.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = createServer();
		probe.unref();
		probe.on('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const address = probe.address();
			probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
		});
	});
}

export interface RunningServer {
	url: string;
	wsUrl: string;
	port: number;
	dataDir: string;
	process: ChildProcess;
	output(): string;
	/** Sends a signal and waits for the process to exit; returns its exit code. */
	stop(signal?: NodeJS.Signals): Promise<number | null>;
	/** Starts a new process on the same port and data. */
	restart(): Promise<RunningServer>;
	/** Stops it and removes its data directory. */
	dispose(): Promise<void>;
}

export interface StartOptions {
	env?: Record<string, string>;
	port?: number;
	dataDir?: string;
}

/** Every test client signs up and in from 127.0.0.1: per-address limits would stop suites, not attackers. Tests of those limits set their own. */
const TEST_ADDRESS_LIMITS = { SIGNUPS_PER_ADDRESS: '1000000', LOGIN_ATTEMPTS_PER_ADDRESS: '1000000' };
/** Suites make many API requests in a few seconds (2,000 stream deltas, fuzzing): the budgets would stop them. api-keys-server.test.ts sets its own. */
const TEST_API_LIMITS = { API_KEY_REQUESTS_PER_MINUTE: '100000000', API_USER_REQUESTS_PER_MINUTE: '100000000', API_TEAM_REQUESTS_PER_MINUTE: '100000000' };

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
	const port = options.port ?? (await freePort());
	const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'easel-test-'));
	const child = spawn(process.execPath, [join(ROOT, 'server', 'index.ts')], {
		cwd: ROOT,
		env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...TEST_ADDRESS_LIMITS, ...TEST_API_LIMITS, ...options.env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	child.stdout!.on('data', (chunk) => (output += chunk));
	child.stderr!.on('data', (chunk) => (output += chunk));
	const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
	const url = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + 60_000;
	for (;;) {
		if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
		try {
			const response = await fetch(`${url}/healthz`);
			if (response.ok) break;
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline) {
			child.kill('SIGKILL');
			throw new Error(`server did not become healthy:\n${output}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	const server: RunningServer = {
		url,
		wsUrl: `ws://127.0.0.1:${port}${COLLAB_PATH}`,
		port,
		dataDir,
		process: child,
		output: () => output,
		async stop(signal = 'SIGTERM') {
			if (child.exitCode === null && child.signalCode === null) child.kill(signal);
			return exited;
		},
		restart: () => startServer({ ...options, port, dataDir }),
		async dispose() {
			await server.stop('SIGKILL');
			if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
		}
	};
	return server;
}

/** The value of one Prometheus metric of a running server (NaN when absent). */
export async function readMetric(server: { url: string }, name: string, headers: Record<string, string> = {}): Promise<number> {
	const text = await (await fetch(`${server.url}/metrics`, { headers })).text();
	return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
}
