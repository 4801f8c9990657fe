// Production entry: one HTTP server on one port serving the SvelteKit app and, on /collab, Hocuspocus.
import { createServer } from 'node:http';
import { ConfigError, loadConfig, setConfig, type Config } from '../src/lib/server/config.ts';
import { DataDirLockedError } from '../src/lib/server/db/data-dir-lock.ts';
import { startServices, type Services } from './bootstrap.ts';
import { metrics } from '../src/lib/server/metrics.ts';
import { runtime } from '../src/lib/server/runtime.ts';
import { largestImportRequestBytes, largestUploadRequestBytes } from '../src/lib/server/assets/upload-limits.ts';

const SHUTDOWN_TIMEOUT_MS = 20_000;

let config: Config;
try {
	config = loadConfig();
} catch (error) {
	if (error instanceof ConfigError) {
		console.error(error.message);
		process.exit(1);
	}
	throw error;
}
setConfig(config);

// adapter-node reads these when its handler is imported. Without ORIGIN it assumes https, which
// would fail SvelteKit's CSRF check for local http; this server itself only ever speaks http.
const PROTOCOL_HEADER = 'x-easel-protocol';
// Bodies as large as the largest plan's upload, .tldr import or conversation push (readers of smaller bodies, such as
// readJson, stop at their own limits).
process.env.BODY_SIZE_LIMIT = String(
	Math.max(config.MAX_JSON_BODY_BYTES * 2, config.CONVERSATION_MAX_BODY_BYTES, largestUploadRequestBytes(), largestImportRequestBytes(config.MAX_DOCUMENT_BYTES))
);
if (config.PUBLIC_ORIGIN) process.env.ORIGIN = config.publicOrigin;
else process.env.PROTOCOL_HEADER = PROTOCOL_HEADER;

let services: Services;
try {
	services = await startServices(config);
} catch (error) {
	if (error instanceof DataDirLockedError) {
		console.error(error.message);
		process.exit(1);
	}
	console.error('Easel could not start:', error instanceof Error ? error.message : error);
	process.exit(1);
}
const { logger, collaboration } = services;

// A stray rejection (say a Redis publish failing while Redis is away) is logged, not fatal: one
// failed background call must not take every open canvas down with it.
process.on('unhandledRejection', (error) => logger.error({ err: error }, 'unhandled promise rejection'));

const { handler } = await import(new URL('../build/handler.js', import.meta.url).href);

const server = createServer((request, response) => {
	if (request.url === '/healthz') {
		response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
		return;
	}
	if (request.url === '/readyz') {
		void readiness().then(({ ready, checks }) => {
			response.writeHead(ready ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ ready, checks }));
		});
		return;
	}
	if (request.url === '/metrics') {
		if (config.METRICS_TOKEN && request.headers.authorization !== `Bearer ${config.METRICS_TOKEN}`) {
			response.writeHead(401, { 'content-type': 'text/plain' }).end('metrics need Authorization: Bearer <METRICS_TOKEN>');
			return;
		}
		const { registry } = metrics();
		void registry.metrics().then(
			(body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
			(error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${error instanceof Error ? error.message : error}`)
		);
		return;
	}
	if (hasMalformedApiPath(request.url)) {
		// SvelteKit answers these in text/html before any hook runs; the API answers in its error shape.
		const body = { error: { code: 'INVALID_INPUT', message: 'The path is not valid percent-encoded UTF-8.' } };
		response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify(body));
		return;
	}
	request.headers[PROTOCOL_HEADER] = 'http';
	handler(request, response);
});

/** An /api/ path SvelteKit cannot decode (`%`, `%C0%AF`, a lone surrogate), as it decodes them. */
function hasMalformedApiPath(url: string | undefined): boolean {
	if (!url?.startsWith('/api/')) return false;
	const pathname = url.split(/[?#]/, 1)[0];
	try {
		for (const part of pathname.split('%25')) decodeURI(part);
		return false;
	} catch {
		return true;
	}
}

/** Ready when the database (and Redis, when configured) answer within 2 s each. */
async function readiness(): Promise<{ ready: boolean; checks: Record<string, string> }> {
	const checks: Record<string, string> = {};
	const probe = async (name: string, ping: () => Promise<void>) => {
		const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), 2000).unref());
		try {
			await Promise.race([ping(), timeout]);
			checks[name] = 'ok';
		} catch (error) {
			checks[name] = error instanceof Error ? error.message : 'unreachable';
		}
	};
	const { ping, pingRedis } = runtime();
	await Promise.all([probe('database', ping), pingRedis ? probe('redis', pingRedis) : undefined]);
	if (shuttingDown) checks.server = 'shutting down';
	return { ready: !shuttingDown && Object.values(checks).every((value) => value === 'ok'), checks };
}

server.on('upgrade', (request, socket, head) => {
	if (!collaboration.handleUpgrade(request, socket, head)) socket.destroy();
});

server.listen(config.PORT, config.HOST, () => {
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : config.PORT;
	const url = config.PUBLIC_ORIGIN ? config.publicOrigin : `http://localhost:${port}`;
	logger.info({ port, host: config.HOST }, 'listening');
	// /metrics shares the public port; in production an open one shows traffic and sizes to anyone.
	if (process.env.NODE_ENV === 'production' && !config.METRICS_TOKEN) {
		logger.warn('/metrics is open to anyone who can reach this port: set METRICS_TOKEN, or block /metrics at the proxy');
	}
	console.log(`\n  Easel is running at ${url}\n`);
});

let shuttingDown = false;
async function shutdown(signal: string) {
	if (shuttingDown) return;
	shuttingDown = true;
	logger.info({ signal }, 'shutting down: storing documents');
	const force = setTimeout(() => {
		logger.error('shutdown timed out; exiting');
		process.exit(1);
	}, SHUTDOWN_TIMEOUT_MS);
	force.unref();
	server.close();
	await services.stop();
	server.closeAllConnections();
	logger.info('stopped');
	process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
