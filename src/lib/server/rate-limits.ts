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

function rateLimited(what: string, retryAfterSeconds: number): AppError {
	return new AppError('RATE_LIMITED', `Too many ${what}. Try again in ${formatWait(retryAfterSeconds)}.`, { retryAfterSeconds });
}

/**
 * Sign-in attempts: a budget per IP + email (guessing one password) and, when `perAddress` is
 * given, a larger one per IP whatever the email (spraying one password over many accounts).
 */
export class LoginThrottle {
	private readonly limiter: RateLimiterAbstract;
	private readonly addressLimiter: RateLimiterAbstract | null;

	constructor(options: LimiterOptions, perAddress?: LimiterOptions) {
		this.limiter = createLimiter(options);
		this.addressLimiter = perAddress ? createLimiter(perAddress) : null;
	}

	/** Counts one sign-in attempt for this IP and this IP + email; throws RATE_LIMITED once either budget is spent. */
	async consume(ip: string, email: string): Promise<void> {
		// Every attempt counts against the address, successes too: otherwise one valid account would
		// refill the budget for guesses at the others.
		const addressWait = this.addressLimiter ? await spend(this.addressLimiter, ip) : null;
		if (addressWait !== null) throw rateLimited('sign-in attempts from this network address', addressWait);
		const retryAfterSeconds = await spend(this.limiter, `${ip}|${email.toLowerCase()}`);
		if (retryAfterSeconds === null) return;
		throw rateLimited('sign-in attempts', retryAfterSeconds);
	}

	/** A successful sign-in clears the count. */
	async reset(ip: string, email: string): Promise<void> {
		await this.limiter.delete(`${ip}|${email.toLowerCase()}`);
	}
}

/** A budget of actions per key (an IP, a user, a team) per window; `consume` throws RATE_LIMITED once it is spent. */
export class ActionThrottle {
	private readonly limiter: RateLimiterAbstract;
	private readonly what: string;

	/** `what` completes "Too many …": "sign-ups from this network address". */
	constructor(options: LimiterOptions & { what: string }) {
		this.limiter = createLimiter(options);
		this.what = options.what;
	}

	async consume(key: string): Promise<void> {
		const retryAfterSeconds = await spend(this.limiter, key);
		if (retryAfterSeconds !== null) throw rateLimited(this.what, retryAfterSeconds);
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
