// The servers under test, each in its own process on loopback: bare @hocuspocus/server, and the
// built Easel server (node server/index.ts) on a scratch PostgreSQL database or an embedded PGlite.
import { COLLAB_PATH } from '../../../src/lib/collab-protocol.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import * as Y from 'yjs';
import { openDatabase } from '../../../src/lib/server/db/index.ts';
import { loadStoredDocument } from '../../../src/lib/server/documents/document-store.ts';
import { freePort } from '../../helpers/server.ts';
import { api } from '../../helpers/clients.ts';
import { sampleProcess } from './stats.ts';
import { documentName } from '../../../src/lib/document-names.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const MEMORY_REPORT = fileURLToPath(new URL('./memory-report.ts', import.meta.url));
const BARE_SERVER = fileURLToPath(new URL('./bare-hocuspocus.ts', import.meta.url));
/** Canvases a free team may hold; a new bench user is signed up for every this many documents. */
const CANVASES_PER_USER = 10;

export interface DocumentAccess {
	document: string;
	token: string;
	/** Where a client opening the document downloads its stored state first (Easel's GET …/state). */
	stateUrl?: string;
	/** The chat beside it: Easel's `chat:<canvas id>`; for bare Hocuspocus just another document. */
	chatDocument: string;
	/** Easel's canvas id (for its HTTP API). */
	canvasId?: string;
}

export interface Memory {
	rssKb: number;
	heapUsedKb: number | null;
	/** Memory of Buffers and other objects outside the JS heap that V8 knows of. */
	externalKb: number | null;
	/** Memory V8 holds for its heap (committed), of which the young generation. */
	heapTotalKb: number | null;
	youngGenerationKb: number | null;
}

export interface Target {
	label: string;
	kind: 'bare' | 'easel';
	url: string;
	pid: number;
	/** `count` fresh documents and a token that may edit each. */
	documents(count: number): Promise<DocumentAccess[]>;
	/** Server RSS (and heap) after a forced full GC. */
	memory(): Promise<Memory>;
	stop(signal?: NodeJS.Signals): Promise<void>;
	/** Servers that load documents from a database: true once every document is stored and unloaded. */
	unloaded?(): Promise<boolean>;
}

export interface EaselTarget extends Target {
	kind: 'easel';
	driver: 'postgres' | 'pglite';
	/** The app's HTTP origin (pages, API, /metrics). */
	baseUrl: string;
	/** Prometheus samples from /metrics, by name (labels dropped, summed). */
	metrics(): Promise<Map<string, number>>;
	/** State vectors of documents as stored (snapshot + update log); with PGlite only after `stop`. */
	readStored(documents: string[]): Promise<Map<string, Map<number, number>>>;
	/** Drops the scratch database / data directory. */
	dispose(): Promise<void>;
}

interface ServerProcess {
	child: ChildProcess;
	memory(): Promise<Memory>;
	exited: Promise<void>;
	output(): string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Spawns `script` with the memory reporter preloaded; collects its output and answers memory requests. */
function spawnServer(script: string, env: NodeJS.ProcessEnv, extraArgs: string[] = [], ipc = false): ServerProcess {
	const child = spawn(process.execPath, ['--expose-gc', '--import', MEMORY_REPORT, ...extraArgs, script], {
		cwd: ROOT,
		env,
		stdio: ['ignore', 'pipe', 'pipe', ...(ipc ? (['ipc'] as const) : [])]
	});
	type Usage = NodeJS.MemoryUsage & { spaces: Record<string, number> };
	const waiters: ((memory: Usage) => void)[] = [];
	let output = '';
	let pending = '';
	child.stdout!.on('data', (chunk: Buffer) => {
		pending += chunk;
		let newline: number;
		while ((newline = pending.indexOf('\n')) >= 0) {
			const line = pending.slice(0, newline);
			pending = pending.slice(newline + 1);
			if (line.startsWith('BENCH-MEMORY ')) waiters.shift()?.(JSON.parse(line.slice('BENCH-MEMORY '.length)));
			else output = (output + line + '\n').slice(-20_000);
		}
	});
	child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk).slice(-20_000)));
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	killOnExit(child);
	return {
		child,
		exited,
		output: () => output,
		async memory() {
			const usage = await Promise.race([new Promise<Usage>((resolve) => (waiters.push(resolve), child.kill('SIGUSR2'))), sleep(5000).then(() => null)]);
			await sleep(200);
			const sample = sampleProcess(child.pid!);
			if (!sample) throw new Error('server process is gone');
			const kb = (bytes: number | undefined) => (usage && bytes !== undefined ? Math.round(bytes / 1024) : null);
			return {
				rssKb: sample.rssKb,
				heapUsedKb: kb(usage?.heapUsed),
				externalKb: kb(usage?.external),
				heapTotalKb: kb(usage?.heapTotal),
				youngGenerationKb: kb(usage ? (usage.spaces.new_space ?? 0) + (usage.spaces.new_large_object_space ?? 0) : undefined)
			};
		}
	};
}

/** Servers started here never outlive the benchmark. */
const children = new Set<ChildProcess>();
function killOnExit(child: ChildProcess): void {
	children.add(child);
	child.once('exit', () => children.delete(child));
}
process.once('exit', () => {
	for (const child of children) child.kill('SIGKILL');
});

/** Scratch databases and data directories not yet cleaned up. */
const pendingDisposals = new Set<() => Promise<void>>();

/** Kills every Easel started here and drops its scratch database and data directory (on interrupt). */
export async function disposeAll(): Promise<void> {
	await Promise.all([...pendingDisposals].map((dispose) => dispose().catch(() => {})));
}

async function stopProcess(server: ServerProcess, signal: NodeJS.Signals, graceMs = 25_000): Promise<void> {
	const { child } = server;
	if (child.exitCode !== null || child.signalCode !== null) return;
	child.kill(signal);
	const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
	await server.exited;
	clearTimeout(timer);
}

/**
 * Bare Hocuspocus; with `postgresUrl`, the smallest persistent one on a scratch database of its
 * own (see bare-hocuspocus.ts), to be stopped with `dispose`.
 */
export async function startBare(options: { profileDir?: string; nodeArgs?: string[]; postgresUrl?: string } = {}): Promise<Target & { dispose(): Promise<void> }> {
	const scratch = options.postgresUrl ? await createScratchDatabase(options.postgresUrl) : undefined;
	const server = spawnServer(
		BARE_SERVER,
		{ PATH: process.env.PATH, PORT: '0', ...(scratch ? { DATABASE_URL: scratch.url } : {}) },
		[...profileArgs(options.profileDir), ...(options.nodeArgs ?? [])],
		true
	);
	const dispose = async () => {
		pendingDisposals.delete(dispose);
		await stopProcess(server, 'SIGTERM');
		await scratch?.drop();
	};
	if (scratch) pendingDisposals.add(dispose);
	const port = await new Promise<number>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`bare server did not start:\n${server.output()}`)), 20_000);
		const onData = (chunk: Buffer) => {
			const match = /READY (\d+)/.exec(String(chunk));
			if (!match) return;
			clearTimeout(timer);
			server.child.stdout!.off('data', onData);
			resolve(Number(match[1]));
		};
		server.child.stdout!.on('data', onData);
		server.child.once('exit', (code) => reject(new Error(`bare server exited (${code}):\n${server.output()}`)));
	});
	let counter = 0;
	const loadedDocuments = () =>
		new Promise<number>((resolve) => {
			server.child.once('message', (message: { loadedDocuments: number }) => resolve(message.loadedDocuments));
			server.child.send('loaded-documents');
		});
	return {
		label: scratch ? 'bare Hocuspocus + PostgreSQL' : 'bare Hocuspocus',
		kind: 'bare',
		url: `ws://127.0.0.1:${port}`,
		pid: server.child.pid!,
		async documents(count) {
			return Array.from({ length: count }, () => {
				const document = `bench-${++counter}`;
				return { document, token: 'bare', chatDocument: `${document}-chat` };
			});
		},
		memory: server.memory,
		stop: (signal = 'SIGTERM') => stopProcess(server, signal),
		...(scratch ? { unloaded: async () => (await loadedDocuments()) === 0 } : {}),
		dispose
	};
}

export interface EaselOptions {
	driver: 'postgres' | 'pglite';
	/** Admin URL of the PostgreSQL server the scratch database is created on. */
	postgresUrl: string;
	/** Directory for a V8 CPU profile (`--cpu-prof`), written when the server exits cleanly. */
	profileDir?: string;
	/** More node options (V8 flags) for the server process. */
	nodeArgs?: string[];
	/** More environment (the assistant's AI_* settings). */
	env?: NodeJS.ProcessEnv;
}

export async function startEasel(options: EaselOptions): Promise<EaselTarget> {
	const dataDir = mkdtempSync(join(tmpdir(), 'easel-bench-'));
	const scratch = options.driver === 'postgres' ? await createScratchDatabase(options.postgresUrl) : undefined;
	const port = await freePort();
	const env: NodeJS.ProcessEnv = {
		PATH: process.env.PATH,
		HOME: process.env.HOME,
		PORT: String(port),
		HOST: '127.0.0.1',
		DATA_DIR: dataDir,
		LOG_LEVEL: 'warn',
		// The benchmark opens a thousand sockets from one address within seconds.
		WS_CONNECTIONS_PER_MINUTE: '1000000',
		// …and signs up its users from that address too.
		SIGNUPS_PER_ADDRESS: '1000000',
		// It measures the server, not the API budgets of one person or key.
		API_KEY_REQUESTS_PER_MINUTE: '100000000',
		API_USER_REQUESTS_PER_MINUTE: '100000000',
		API_TEAM_REQUESTS_PER_MINUTE: '100000000',
		...(scratch ? { DATABASE_URL: scratch.url } : {}),
		...options.env
	};
	const server = spawnServer(join(ROOT, 'server', 'index.ts'), env, [...profileArgs(options.profileDir), ...(options.nodeArgs ?? [])]);
	let stopping = false;
	// A server that dies mid-run would otherwise only show as refused connections in the next scenario.
	server.child.once('exit', (code, signal) => {
		if (!stopping) console.error(`Easel (${options.driver}) exited unexpectedly (${code ?? signal}); its last output:\n${server.output()}`);
	});
	const dispose = async () => {
		stopping = true;
		pendingDisposals.delete(dispose);
		await stopProcess(server, 'SIGKILL');
		await scratch?.drop();
		rmSync(dataDir, { recursive: true, force: true });
	};
	pendingDisposals.add(dispose);
	const baseUrl = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + 60_000;
	for (;;) {
		if (server.child.exitCode !== null) {
			await dispose();
			throw new Error(`Easel exited with ${server.child.exitCode}:\n${server.output()}`);
		}
		const healthy = await fetch(`${baseUrl}/healthz`).then(
			(response) => response.ok,
			() => false
		);
		if (healthy) break;
		if (Date.now() > deadline) {
			await dispose();
			throw new Error(`Easel did not become healthy:\n${server.output()}`);
		}
		await sleep(100);
	}

	// Bench users: each personal team may hold CANVASES_PER_USER canvases on the free plan.
	let user: { token: string; canvases: number } | undefined;
	let users = 0;
	const signUp = async () => {
		const email = `bench-${++users}-${randomBytes(4).toString('hex')}@bench.test`;
		const { status, body } = await api(baseUrl, '/api/v1/auth/signup', { body: { email, password: 'a long enough bench password', name: `Bench ${users}` } });
		if (status !== 201) throw new Error(`sign-up failed: ${status} ${JSON.stringify(body)}`);
		return { token: body.token as string, canvases: 0 };
	};

	/** Prometheus samples from /metrics, by name (labels dropped, summed). */
	const metrics = async () => {
		const text = await (await fetch(`${baseUrl}/metrics`)).text();
		const samples = new Map<string, number>();
		for (const line of text.split('\n')) {
			const match = /^([a-zA-Z_:][\w:]*)(?:\{[^}]*\})? (\S+)$/.exec(line);
			if (match) samples.set(match[1], (samples.get(match[1]) ?? 0) + Number(match[2]));
		}
		return samples;
	};

	return {
		label: `Easel (${options.driver === 'postgres' ? 'PostgreSQL' : 'PGlite'})`,
		kind: 'easel',
		driver: options.driver,
		baseUrl,
		url: `ws://127.0.0.1:${port}${COLLAB_PATH}`,
		pid: server.child.pid!,
		async documents(count) {
			const created: DocumentAccess[] = [];
			for (let i = 0; i < count; i++) {
				if (!user || user.canvases >= CANVASES_PER_USER) user = await signUp();
				const { status, body } = await api(baseUrl, '/api/v1/canvases', { token: user.token, body: { title: `Bench ${i}` } });
				if (status !== 201) throw new Error(`create canvas failed: ${status} ${JSON.stringify(body)}`);
				user.canvases++;
				created.push({
					document: documentName('canvas', body.id),
					token: user.token,
					stateUrl: `${baseUrl}/api/v1/canvases/${body.id}/state`,
					chatDocument: documentName('chat', body.id),
					canvasId: body.id
				});
			}
			return created;
		},
		memory: server.memory,
		metrics,
		stop: (signal = 'SIGTERM') => ((stopping = true), stopProcess(server, signal)),
		async unloaded() {
			const samples = await metrics();
			return samples.get('easel_documents_loaded') === 0 && samples.get('easel_documents_unsaved') === 0;
		},
		async readStored(documents) {
			const running = server.child.exitCode === null && server.child.signalCode === null;
			if (!scratch && running) throw new Error('the embedded database serves one process: stop the server before reading it');
			const database = await openDatabase(scratch ? { url: scratch.url } : { dataDir: join(dataDir, 'pg') });
			try {
				const result = new Map<string, Map<number, number>>();
				for (const name of documents) {
					const stored = await loadStoredDocument(database.db, name);
					const doc = new Y.Doc();
					if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
					for (const update of stored.updates) Y.applyUpdate(doc, update);
					result.set(name, Y.decodeStateVector(Y.encodeStateVector(doc)));
					doc.destroy();
				}
				return result;
			} finally {
				await database.close();
			}
		},
		dispose
	};
}

function profileArgs(directory: string | undefined): string[] {
	return directory ? ['--cpu-prof', `--cpu-prof-dir=${directory}`] : [];
}

async function createScratchDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
	const name = `easel_bench_${randomBytes(6).toString('hex')}`;
	const admin = postgres(adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
	try {
		await admin.unsafe(`create database ${name}`);
	} finally {
		await admin.end();
	}
	const url = new URL(adminUrl);
	url.pathname = `/${name}`;
	return {
		url: url.toString(),
		async drop() {
			const dropper = postgres(adminUrl, { max: 1, onnotice: () => {} });
			try {
				await dropper.unsafe(`drop database if exists ${name} with (force)`);
			} finally {
				await dropper.end();
			}
		}
	};
}
