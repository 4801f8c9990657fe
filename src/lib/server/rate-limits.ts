// Request rate limits. With Redis they are shared by every instance (a client can't multiply its
// budget by reaching another instance); without it, or while Redis is unreachable, each process
// counts in memory.
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from './errors.ts';

export interface LimiterOptions {
	/** Namespace of the counters (also the Redis key prefix). */
	keyPrefix: string;
	points: number;
	durationSeconds: number;
	/** A client made with `enableOfflineQueue: false`, so an outage falls back to memory at once. */
	redis?: Redis;
}

function createLimiter({ keyPrefix, points, durationSeconds, redis }: LimiterOptions): RateLimiterAbstract {
	const memory = new RateLimiterMemory({ keyPrefix, points, duration: durationSeconds });
	if (!redis) return memory;
	return new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration: durationSeconds, insuranceLimiter: memory });
}

/** Spends one point; resolves with the wait in seconds when the budget is spent, otherwise null. */
async function spend(limiter: RateLimiterAbstract, key: string): Promise<number | null> {
	try {
		await limiter.consume(key);
		return null;
	} catch (result) {
		if (!(result instanceof RateLimiterRes)) throw result;
		return Math.max(1, Math.ceil(result.msBeforeNext / 1000));
	}
}

export class LoginThrottle {
	private readonly limiter: RateLimiterAbstract;

	constructor(options: LimiterOptions) {
		this.limiter = createLimiter(options);
	}

	/** Counts one sign-in attempt for this IP + email; throws RATE_LIMITED once the budget is spent. */
	async consume(ip: string, email: string): Promise<void> {
		const retryAfterSeconds = await spend(this.limiter, `${ip}|${email.toLowerCase()}`);
		if (retryAfterSeconds === null) return;
		throw new AppError('RATE_LIMITED', `Too many sign-in attempts. Try again in ${formatWait(retryAfterSeconds)}.`, { retryAfterSeconds });
	}

	/** A successful sign-in clears the count. */
	async reset(ip: string, email: string): Promise<void> {
		await this.limiter.delete(`${ip}|${email.toLowerCase()}`);
	}
}

/** Limits how often one IP may open collaboration sockets (before any authentication). */
export class ConnectionThrottle {
	private readonly limiter: RateLimiterAbstract;

	constructor(options: LimiterOptions) {
		this.limiter = createLimiter(options);
	}

	/** Counts one connection attempt; resolves with seconds to wait when over the budget, otherwise null. */
	attempt(ip: string): Promise<number | null> {
		return spend(this.limiter, ip);
	}
}

function formatWait(seconds: number): string {
	return seconds < 60 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
}
