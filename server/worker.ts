// `npm run worker`: an image worker process. It takes image jobs from the queue in PostgreSQL
// (shared with every web instance and other workers), calls the image provider and writes the
// results into canvases through the collaboration server's write path, which reaches the web
// instances' open canvases through Redis. Serves /healthz, /readyz (database and provider) and
// /metrics on WORKER_PORT. SIGTERM finishes running jobs (or hands them back) and exits.
import { createServer } from 'node:http';
import { ConfigError, loadConfig, setConfig, type Config } from '../src/lib/server/config.ts';
import { metrics } from '../src/lib/server/metrics.ts';
import { runtime } from '../src/lib/server/runtime.ts';
import { startServices, type Services } from './bootstrap.ts';

const SHUTDOWN_TIMEOUT_MS = 30_000;

let config: Config;
try {
	config = loadConfig();
	const problems = [
		!config.IMAGE_PROVIDER && 'IMAGE_PROVIDER: a worker needs an image provider (comfyui or openai, with its settings)',
		!config.DATABASE_URL && 'DATABASE_URL: separate workers share the queue in PostgreSQL (the embedded database serves one process: `npm start` runs its worker itself)',
		!config.REDIS_URL && "REDIS_URL: a separate worker reaches the web instances' open canvases through Redis"
	].filter((problem): problem is string => typeof problem === 'string');
	if (problems.length) throw new ConfigError(problems);
} catch (error) {
	if (error instanceof ConfigError) {
		console.error(error.message);
		process.exit(1);
	}
	throw error;
}
setConfig(config);

let services: Services;
try {
	services = await startServices(config, undefined, 'worker-process');
} catch (error) {
	console.error('The image worker could not start:', error instanceof Error ? error.message : error);
	process.exit(1);
}
const { logger, imageWorker } = services;
process.on('unhandledRejection', (error) => logger.error({ err: error }, 'unhandled promise rejection'));

let shuttingDown = false;

/** Ready when the database answers and the provider was reachable at its last check. */
async function readiness(): Promise<{ ready: boolean; checks: Record<string, string> }> {
	const checks: Record<string, string> = {};
	try {
		await Promise.race([runtime().ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 2000).unref())]);
		checks.database = 'ok';
	} catch (error) {
		checks.database = error instanceof Error ? error.message : 'unreachable';
	}
	const health = imageWorker!.health();
	checks.imageProvider = health.providerReachable ? 'ok' : (health.providerError ?? 'unreachable');
	if (shuttingDown) checks.worker = 'shutting down';
	return { ready: !shuttingDown && Object.values(checks).every((value) => value === 'ok'), checks };
}

const server = createServer((request, response) => {
	if (request.url === '/healthz') return void response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
	if (request.url === '/readyz') {
		void readiness().then(({ ready, checks }) => {
			const body = { ready, checks, worker: { id: imageWorker!.id, currentJobs: imageWorker!.health().currentJobs } };
			response.writeHead(ready ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
		});
		return;
	}
	if (request.url === '/metrics') {
		if (config.METRICS_TOKEN && request.headers.authorization !== `Bearer ${config.METRICS_TOKEN}`) {
			return void response.writeHead(401, { 'content-type': 'text/plain' }).end('metrics need Authorization: Bearer <METRICS_TOKEN>');
		}
		const { registry } = metrics();
		void registry.metrics().then(
			(body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
			(error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${error instanceof Error ? error.message : error}`)
		);
		return;
	}
	response.writeHead(404, { 'content-type': 'text/plain' }).end('An image worker serves /healthz, /readyz and /metrics only.');
});
server.listen(config.WORKER_PORT, config.HOST, () => {
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : config.WORKER_PORT;
	logger.info({ port, worker: imageWorker!.id }, 'image worker listening for health checks');
	console.log(`\n  Easel image worker ${imageWorker!.id} is running (health on port ${port})\n`);
});

async function shutdown(signal: string) {
	if (shuttingDown) return;
	shuttingDown = true;
	logger.info({ signal }, 'image worker stopping: finishing or handing back its jobs');
	setTimeout(() => {
		logger.error('worker shutdown timed out; exiting');
		process.exit(1);
	}, SHUTDOWN_TIMEOUT_MS).unref();
	server.close();
	await services.stop();
	logger.info('image worker stopped');
	process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
