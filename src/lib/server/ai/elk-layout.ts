// Lays out elk graphs on a worker thread (elk-worker.ts), started on first use and kept (unref'd,
// so it never holds the process open). Where a worker can't start, elk runs in this thread.
import { Worker } from 'node:worker_threads';
import ELK, { type ElkNode } from 'elkjs/lib/elk.bundled.js';

type Pending = { resolve: (graph: ElkNode) => void; reject: (error: Error) => void };

let worker: Worker | null = null;
let inThread: InstanceType<typeof ELK> | null = null;
let nextId = 0;
const pending = new Map<number, Pending>();

function failAll(error: Error): void {
	for (const waiting of pending.values()) waiting.reject(error);
	pending.clear();
	worker = null;
}

function layoutWorker(): Worker | null {
	if (worker || inThread) return worker;
	try {
		worker = new Worker(new URL('./elk-worker.ts', import.meta.url));
	} catch {
		inThread = new ELK();
		return null;
	}
	worker.on('message', ({ id, graph, error }: { id: number; graph?: ElkNode; error?: string }) => {
		const waiting = pending.get(id);
		pending.delete(id);
		if (error !== undefined) waiting?.reject(new Error(`Layout failed: ${error}`));
		else waiting?.resolve(graph!);
	});
	worker.on('error', (error) => failAll(error));
	worker.on('exit', () => failAll(new Error('The layout thread stopped.')));
	// After the listeners: attaching a 'message' listener refs the worker again.
	worker.unref();
	return worker;
}

export function layoutGraph(graph: ElkNode): Promise<ElkNode> {
	const thread = layoutWorker();
	if (!thread) return inThread!.layout(graph);
	return new Promise((resolve, reject) => {
		const id = nextId++;
		pending.set(id, { resolve, reject });
		thread.postMessage({ id, graph });
	});
}
