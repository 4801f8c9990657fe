// The elk layout thread: elkjs computes synchronously (hundreds of ms for a first or large
// diagram), so it runs here, off the server's event loop, and every editor keeps their latency.
import { parentPort } from 'node:worker_threads';
import ELK, { type ElkNode } from 'elkjs/lib/elk.bundled.js';

const elk = new ELK();

parentPort?.on('message', async ({ id, graph }: { id: number; graph: ElkNode }) => {
	try {
		parentPort!.postMessage({ id, graph: await elk.layout(graph) });
	} catch (error) {
		parentPort!.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
	}
});
