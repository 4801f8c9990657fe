// Preloaded (node --expose-gc --import) into both servers under test: on SIGUSR2 it runs a full GC
// and prints `BENCH-MEMORY <json>` on stdout, so RSS is read at the same point for both.
process.on('SIGUSR2', () => {
	const gc = (globalThis as { gc?: () => void }).gc;
	gc?.();
	gc?.();
	process.stdout.write(`BENCH-MEMORY ${JSON.stringify(process.memoryUsage())}\n`);
});
