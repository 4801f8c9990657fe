// The orchestrator's side of the client workers: forks worker.ts processes and calls them over IPC.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

export interface Worker {
	pid: number;
	call<T = unknown>(op: string, args?: unknown): Promise<T>;
	stop(): Promise<void>;
}

export async function startWorker(): Promise<Worker> {
	const child: ChildProcess = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--max-old-space-size=4096'] });
	const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
	let nextId = 0;
	const ready = new Promise<void>((resolve, reject) => {
		child.once('exit', (code) => reject(new Error(`client worker exited before it was ready (${code})`)));
		child.on('message', (message: { ready?: boolean; id: number; ok: boolean; result: unknown; error: string }) => {
			if (message.ready) return resolve();
			const waiter = pending.get(message.id);
			if (!waiter) return;
			pending.delete(message.id);
			if (message.ok) waiter.resolve(message.result);
			else waiter.reject(new Error(message.error));
		});
	});
	child.on('exit', (code) => {
		for (const waiter of pending.values()) waiter.reject(new Error(`client worker exited (${code})`));
		pending.clear();
	});
	await ready;
	return {
		pid: child.pid!,
		call<T>(op: string, args: unknown = {}) {
			return new Promise<T>((resolve, reject) => {
				const id = ++nextId;
				pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
				child.send({ id, op, args });
			});
		},
		async stop() {
			if (child.exitCode !== null || child.signalCode !== null) return;
			const exited = new Promise((resolve) => child.once('exit', resolve));
			child.disconnect();
			const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
			await exited;
			clearTimeout(timer);
		}
	};
}
