// The collaboration socket's front door: HTTP upgrades on COLLAB_PATH (per-address connection
// limit, Origin check, the session cookie only from an allowed origin), then every frame's first
// look (frames.ts: malformed frames, floods, sync-request budget) before Hocuspocus sees it, and a
// guard that drops a socket whose client stopped reading.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Hocuspocus } from '@hocuspocus/server';
import crossws from 'crossws/adapters/node';
import { COLLAB_PATH, SOCKET_CLOSES } from '../../src/lib/collab-protocol.ts';
import { sessionCookieName } from '../../src/lib/server/auth/sessions.ts';
import type { Config } from '../../src/lib/server/config.ts';
import type { Logger } from '../../src/lib/server/logger.ts';
import type { metrics } from '../../src/lib/server/metrics.ts';
import { ConnectionThrottle } from '../../src/lib/server/rate-limits.ts';
import type { ConnectionContext } from './context.ts';
import { guardSocket, newSocketState, overPreAuthBudget, overSyncRequestBudget, readFrame, type SocketState } from './frames.ts';
import type { RedisConnections } from './scale-out.ts';

export interface SocketGateway {
	/** Handles an HTTP upgrade; false when the path is not the collaboration endpoint. */
	handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
	/** New upgrades are refused with 503 from now on (shutdown). */
	stopAccepting(): void;
	closeAll(close: { code: number; reason: string }): void;
}

export function createSocketGateway(deps: {
	hocuspocus: Hocuspocus<ConnectionContext>;
	config: Config;
	logger: Logger;
	meters: ReturnType<typeof metrics>;
	redis?: RedisConnections;
}): SocketGateway {
	const { hocuspocus, config, logger, meters, redis } = deps;
	const connectionThrottle = new ConnectionThrottle({
		keyPrefix: `${config.REDIS_PREFIX}:ws-connections`,
		points: config.WS_CONNECTIONS_PER_MINUTE,
		durationSeconds: 60,
		redis: redis?.limits
	});
	/** Per open socket: its Hocuspocus connection and its frame accounting. */
	const sockets = new WeakMap<object, { connection: ReturnType<typeof hocuspocus.handleConnection>; state: SocketState }>();
	let accepting = true;

	const websockets = crossws({
		serverOptions: { maxPayload: config.MAX_WS_MESSAGE_BYTES },
		hooks: {
			upgrade(request) {
				if (!accepting) return new Response('Server is shutting down', { status: 503 });
				const origin = request.headers.get('origin');
				// Browsers always send Origin: a page from another site may not open the socket at all.
				// Programs send none and must authenticate with a token; only allowed origins may use the cookie.
				if (origin && !config.allowedOrigins.includes(origin)) {
					logger.warn({ origin }, 'collaboration upgrade refused: origin not allowed');
					return new Response('Origin not allowed', { status: 403 });
				}
				const context: Omit<ConnectionContext, 'ip'> = {
					cookieSessionToken: origin ? readCookie(request.headers.get('cookie'), sessionCookieName(config.secureCookies)) : undefined
				};
				return { context: context as unknown as Record<string, unknown> };
			},
			open(peer) {
				const context = {
					...(peer.context as unknown as ConnectionContext),
					ip: peer.remoteAddress ?? '',
					socket: newSocketState(config.WS_SYNC_REQUESTS_PER_MINUTE)
				};
				const websocket = guardSocket(peer.websocket as unknown as WebSocket & { terminate(): void }, {
					maxQueuedBytes: config.MAX_SOCKET_QUEUE_BYTES,
					onOverflow: () => {
						// A socket already closed for flooding is counted once, when it was refused.
						if (context.socket.refused) return;
						context.socket.refused = true;
						meters.socketsDropped.inc();
						logger.warn({ peer: peer.id, ip: context.ip }, 'dropped a socket whose client stopped reading (send queue over MAX_SOCKET_QUEUE_BYTES)');
					}
				});
				const connection = hocuspocus.handleConnection(websocket, peer.request as Request, context);
				sockets.set(peer, { connection, state: context.socket });
			},
			message(peer, message) {
				const socket = sockets.get(peer);
				if (!socket || socket.state.refused) return;
				const frame = message.rawData as string | Uint8Array;
				const reading = readFrame(frame);
				const refuse = (close: { code: number; reason: string }, why: string, details: Record<string, unknown> = {}) => {
					socket.state.refused = true;
					logger.warn({ peer: peer.id, ...details }, why);
					peer.close(close.code, close.reason);
				};
				if (reading.problem !== null) return refuse(SOCKET_CLOSES.MALFORMED_MESSAGE, 'closed a socket that sent a malformed frame', { problem: reading.problem });
				if (overPreAuthBudget(socket.state, (frame as Uint8Array).byteLength))
					return refuse(SOCKET_CLOSES.FLOOD, 'closed a socket that sent too much before authenticating');
				if (reading.effect === 'sync-request' && overSyncRequestBudget(socket.state, config.WS_SYNC_REQUESTS_PER_MINUTE)) {
					meters.socketsDropped.inc();
					return refuse(SOCKET_CLOSES.FLOOD, 'closed a socket that sent too many sync requests');
				}
				socket.connection.handleMessage(message.uint8Array());
			},
			close(peer, event) {
				sockets.get(peer)?.connection.handleClose({ code: event.code ?? 1005, reason: event.reason ?? '' });
				sockets.delete(peer);
			},
			error(peer, error) {
				logger.warn({ err: error, peer: peer.id }, 'websocket error');
			}
		}
	});

	return {
		handleUpgrade(request, socket, head) {
			const path = new URL(request.url ?? '/', 'http://localhost').pathname;
			if (path !== COLLAB_PATH) return false;
			const ip = clientAddress(request, config);
			void connectionThrottle.attempt(ip).then((retryAfterSeconds) => {
				if (retryAfterSeconds === null) return websockets.handleUpgrade(request, socket, head);
				logger.warn({ ip }, 'collaboration upgrade refused: too many connections from this address');
				socket.end(`HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${retryAfterSeconds}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
			});
			return true;
		},
		stopAccepting() {
			accepting = false;
		},
		closeAll(close) {
			websockets.closeAll(close.code, close.reason);
		}
	};
}

/** The client's address: the socket's peer, or the proxy header named by ADDRESS_HEADER (as adapter-node reads it). */
function clientAddress(request: IncomingMessage, config: Config): string {
	if (config.ADDRESS_HEADER) {
		const header = request.headers[config.ADDRESS_HEADER.toLowerCase()];
		const value = Array.isArray(header) ? header.join(',') : header;
		if (value) {
			// x-forwarded-for lists every hop; the trusted proxy appended the last XFF_DEPTH entries.
			const hops = value.split(',').map((hop) => hop.trim());
			return config.ADDRESS_HEADER.toLowerCase() === 'x-forwarded-for' ? (hops[hops.length - config.XFF_DEPTH] ?? hops[0]) : hops[0];
		}
	}
	return request.socket.remoteAddress ?? '';
}

function readCookie(header: string | null, name: string): string | undefined {
	if (!header) return undefined;
	for (const part of header.split(';')) {
		const [key, ...value] = part.trim().split('=');
		if (key === name) return decodeURIComponent(value.join('='));
	}
	return undefined;
}
