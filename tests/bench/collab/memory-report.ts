// Preloaded (node --expose-gc --import) into both servers under test: on SIGUSR2 it runs a full GC
// and prints `BENCH-MEMORY <json>` on stdout, so RSS is read at the same point for both.
import { getHeapSpaceStatistics } from 'node:v8';

process.on('SIGUSR2', () => {
	const gc = (globalThis as { gc?: () => void }).gc;
	gc?.();
	gc?.();
	const spaces = Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, space.space_size]));
	process.stdout.write(`BENCH-MEMORY ${JSON.stringify({ ...process.memoryUsage(), spaces })}\n`);
});
