// Several Easel instances behind one load balancer, joined through Redis: documents are relayed
// between instances by @hocuspocus/extension-redis, and control messages (close these sockets,
// this document was deleted) reach every instance, so a revocation on one closes sockets on all.
import { randomUUID } from 'node:crypto';
import type { afterLoadDocumentPayload, Hocuspocus, onChangePayload, onConfigurePayload } from '@hocuspocus/server';
import { Redis as DocumentRelayBase } from '@hocuspocus/extension-redis';
import { Redis as RedisClient, type RedisOptions } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../../src/lib/server/logger.ts';
import type { CloseReason, ConnectionMatch } from '../../src/lib/server/runtime.ts';

/** How long a document load may wait for Redis before it is served from the database alone. */
const LOAD_WAIT_MS = 2_000;

/** Reconnect quickly at first, then every two seconds, forever. */
const retryStrategy = (attempt: number) => Math.min(attempt * 100, 2_000);

export interface RedisConnections {
	instanceId: string;
	prefix: string;
	/** A new connection (pub/sub need their own). Commands queue while Redis is away. */
	connect(name: string): RedisClient;
	/** For rate limits: fails at once while Redis is away, so limits fall back to memory. */
	limits: RedisClient;
	ping(): Promise<void>;
	close(): Promise<void>;
}

export function connectRedis(url: string, prefix: string, logger: Logger): RedisConnections {
	const clients: RedisClient[] = [];
	const connect = (name: string, options: RedisOptions = {}) => {
		const client = new RedisClient(url, { connectionName: `easel:${name}`, retryStrategy, ...options });
		// One warning per outage and one note when it is back, not one line per reconnect attempt.
		let healthy = true;
		client.on('error', (error: Error) => {
			if (!healthy) return;
			healthy = false;
			logger.warn({ err: error, connection: name }, 'redis unreachable; retrying');
		});
		client.on('ready', () => {
			if (healthy) return;
			healthy = true;
			logger.info({ connection: name }, 'redis reachable again');
		});
		clients.push(client);
		return client;
	};
	const limits = connect('limits', { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
	const probe = connect('probe', { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
	return {
		instanceId: randomUUID(),
		prefix,
		connect: (name) => connect(name),
		limits,
		async ping() {
			await probe.ping();
		},
		async close() {
			await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
		}
	};
}

/**
 * The Redis extension, made to keep serving while Redis is away: a document loads from the
 * database without waiting for Redis, and when Redis returns every loaded document rejoins its
 * channel and announces its state, so instances that diverged meanwhile converge again.
 */
export class DocumentRelay extends DocumentRelayBase {
	private hocuspocus: Hocuspocus | undefined;
	private readonly channelPrefix: string;
	private readonly logger: Logger;

	constructor(redis: RedisConnections, logger: Logger) {
		let connections = 0;
		super({
			prefix: redis.prefix,
			identifier: redis.instanceId,
			createClient: () => redis.connect(connections++ === 0 ? 'documents-publish' : 'documents-subscribe')
		});
		this.channelPrefix = redis.prefix;
		this.logger = logger;
		this.sub.on('ready', () => this.rejoin());
		this.pub.on('ready', () => this.rejoin());
	}

	async onConfigure(payload: onConfigurePayload) {
		this.hocuspocus = payload.instance;
		await super.onConfigure(payload);
	}

	async afterLoadDocument(payload: afterLoadDocumentPayload) {
		const joined = super.afterLoadDocument(payload);
		joined.catch((error) => this.logger.warn({ err: error, documentName: payload.documentName }, 'document not relayed through redis yet'));
		if (this.sub.status !== 'ready' || this.pub.status !== 'ready') return;
		await Promise.race([joined.catch(() => {}), new Promise((resolve) => setTimeout(resolve, LOAD_WAIT_MS).unref())]);
	}

	/** Re-subscribes every loaded document and publishes its state vector; peers answer with what we miss. */
	private rejoin() {
		if (!this.hocuspocus) return;
		for (const [documentName, document] of this.hocuspocus.documents) {
			this.sub.subscribe(`${this.channelPrefix}:${documentName}`).catch(() => {});
			void this.onChange({ documentName, document, transactionOrigin: undefined } as onChangePayload);
		}
	}
}

// Every field of ConnectionMatch must be listed (the type checks it): an unlisted one would be
// stripped from what another instance sends, and an empty match closes every socket.
const connectionMatch = z.object({
	canvasId: z.string().optional(),
	teamId: z.string().optional(),
	userId: z.string().optional(),
	sessionId: z.string().optional(),
	shareLinkId: z.string().optional(),
	apiKeyId: z.string().optional()
} satisfies Record<keyof ConnectionMatch, z.ZodOptional<z.ZodString>>);

const controlMessage = z.object({
	from: z.string(),
	command: z.discriminatedUnion('kind', [
		z.object({
			kind: z.literal('close'),
			match: connectionMatch,
			reason: z.enum(['ACCESS_CHANGED', 'ACCESS_REVOKED', 'UNAUTHENTICATED', 'DELETED', 'TRASHED'])
		}),
		z.object({ kind: z.literal('discard'), documentName: z.string(), reason: z.string() })
	])
});

export type ControlCommand = z.infer<typeof controlMessage>['command'] & { reason: CloseReason | string };

/**
 * Tells every other instance to close sockets or drop a document; `onCommand` runs what they send.
 * Commands sent while Redis is away can be lost, so after an outage `onReconnected` runs: the
 * caller re-authorises its sockets, which keeps the revocation delay bounded by the outage.
 */
export class ControlChannel {
	private readonly publisher: RedisClient;
	private readonly subscriber: RedisClient;
	private readonly channel: string;
	private readonly instanceId: string;

	constructor(redis: RedisConnections, logger: Logger, handlers: { onCommand: (command: ControlCommand) => void; onReconnected: () => void }) {
		this.channel = `${redis.prefix}#control`;
		this.instanceId = redis.instanceId;
		this.publisher = redis.connect('control-publish');
		this.subscriber = redis.connect('control-subscribe');
		let connectedBefore = false;
		this.subscriber.on('ready', () => {
			this.subscriber.subscribe(this.channel).catch(() => {});
			if (connectedBefore) handlers.onReconnected();
			connectedBefore = true;
		});
		this.subscriber.on('message', (_channel: string, text: string) => {
			let parsed;
			try {
				parsed = controlMessage.safeParse(JSON.parse(text));
			} catch {
				parsed = undefined;
			}
			if (!parsed?.success) {
				logger.warn('ignored a malformed control message from redis');
				return;
			}
			if (parsed.data.from !== this.instanceId) handlers.onCommand(parsed.data.command);
		});
	}

	send(command: ControlCommand): void {
		// Queued while Redis is briefly away; if it stays away, onReconnected covers the loss.
		this.publisher.publish(this.channel, JSON.stringify({ from: this.instanceId, command })).catch(() => {});
	}
}
