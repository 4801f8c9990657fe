// Lays out elk graphs on a worker thread (elk-worker.ts), started on first use and kept (unref'd,
// so it never holds the process open). Where a worker can't start, elk runs in this thread.
//
// The SvelteKit build bundles its own copy of this module, without the worker file beside it: the
// first copy to load (the server's own, unbundled, which loads before the app) serves every copy
// through a registered symbol, and a worker that fails to start hands its graphs to this thread.
import { Worker } from 'node:worker_threads';
import ELK, { type ElkNode } from 'elkjs/lib/elk.bundled.js';

type Pending = { graph: ElkNode; resolve: (graph: ElkNode) => void; reject: (error: Error) => void };

let worker: Worker | null = null;
let inThread: InstanceType<typeof ELK> | null = null;
/** Whether the worker ever answered: one that fails before that could not start (its file is missing), so this thread takes over. */
let answered = false;
let nextId = 0;
const pending = new Map<number, Pending>();

function failAll(error: Error): void {
	const waiting = [...pending.values()];
	pending.clear();
	worker = null;
	if (answered) {
		for (const each of waiting) each.reject(error);
		return;
	}
	inThread = new ELK();
	for (const each of waiting) inThread.layout(each.graph).then(each.resolve, each.reject);
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
		answered = true;
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

function layoutHere(graph: ElkNode): Promise<ElkNode> {
	const thread = layoutWorker();
	if (!thread) return inThread!.layout(graph);
	return new Promise((resolve, reject) => {
		const id = nextId++;
		pending.set(id, { graph, resolve, reject });
		thread.postMessage({ id, graph });
	});
}

const SHARED_LAYOUT = Symbol.for('easel.elkLayout');
type Holder = { [SHARED_LAYOUT]?: (graph: ElkNode) => Promise<ElkNode> };
(globalThis as Holder)[SHARED_LAYOUT] ??= layoutHere;

export function layoutGraph(graph: ElkNode): Promise<ElkNode> {
	return (globalThis as Holder)[SHARED_LAYOUT]!(graph);
}
