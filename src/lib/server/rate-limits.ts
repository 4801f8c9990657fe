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
	const [amount, unit] = seconds < 60 ? [seconds, 'second'] : [Math.ceil(seconds / 60), 'minute'];
	return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}

/** Which budget of the JSON API a request counts against. */
export type ApiBudgetKind = 'key' | 'person' | 'team';

export interface ApiBudget {
	kind: ApiBudgetKind;
	/** Whose budget: the key's id, the person's id, the team's id. */
	subject: string;
	/** Requests allowed per window. */
	limit: number;
	/** The team's plan name, for a team budget's message ("on the Free plan"). */
	planName?: string;
	/** The plan to upgrade to for more, for a team budget's message. */
	upgradeName?: string;
}

export interface ApiRateLimitState {
	/** The budget nearest to being spent (or the one that was): what RateLimit-* describe. */
	limit: number;
	remaining: number;
	/** Seconds until that budget's window starts again. */
	resetSeconds: number;
	/** Every budget the request counted against, as RateLimit-Policy lists them: `1200;w=60;name="key"`. */
	policy: string;
	/** RATE_LIMITED naming the budget, when one was already spent. */
	refused: AppError | null;
}

const API_LIMIT_NAMES: Record<ApiBudgetKind, string> = {
	key: 'requests_per_key_per_minute',
	person: 'requests_per_user_per_minute',
	team: 'requests_per_team_per_minute'
};

/**
 * Requests to /api/v1 per window: per API key and its team, or per person. One counter per kind of
 * budget whatever the limit (the limit is compared with the count, as AssistantRateLimits does), so
 * a plan change applies at once to the requests already counted.
 */
export class ApiRateLimits {
	private readonly counters: Record<ApiBudgetKind, RateLimiterAbstract>;
	private readonly windowSeconds: number;

	/** `redis`: a client made with `enableOfflineQueue: false`, so an outage falls back to memory at once. */
	constructor(options: { keyPrefix: string; redis?: Redis; windowSeconds?: number }) {
		this.windowSeconds = options.windowSeconds ?? 60;
		const counter = (kind: ApiBudgetKind) =>
			createLimiter({
				keyPrefix: `${options.keyPrefix}:api-requests-${kind}`,
				points: Number.MAX_SAFE_INTEGER,
				durationSeconds: this.windowSeconds,
				redis: options.redis
			});
		this.counters = { key: counter('key'), person: counter('person'), team: counter('team') };
	}

	/**
	 * Counts one request against each budget in order, stopping at the first already spent (so a key
	 * over its own budget does not use up its team's). Never throws for a spent budget: `refused` says so.
	 */
	async consume(budgets: readonly ApiBudget[]): Promise<ApiRateLimitState> {
		let shown: { limit: number; remaining: number; resetSeconds: number } | null = null;
		let refused: AppError | null = null;
		for (const budget of budgets) {
			const result = await this.counters[budget.kind].consume(budget.subject);
			const remaining = Math.max(0, budget.limit - result.consumedPoints);
			const resetSeconds = Math.max(1, Math.ceil(result.msBeforeNext / 1000));
			if (!shown || remaining < shown.remaining) shown = { limit: budget.limit, remaining, resetSeconds };
			if (result.consumedPoints > budget.limit) {
				shown = { limit: budget.limit, remaining: 0, resetSeconds };
				refused = apiRateLimited(budget, resetSeconds);
				break;
			}
		}
		const policy = budgets.map((budget) => `${budget.limit};w=${this.windowSeconds};name="${budget.kind}"`).join(', ');
		return { ...(shown ?? { limit: 0, remaining: 0, resetSeconds: this.windowSeconds }), policy, refused };
	}
}

function apiRateLimited(budget: ApiBudget, retryAfterSeconds: number): AppError {
	const count = new Intl.NumberFormat('en').format(budget.limit);
	const wait = `Try again in ${formatWait(retryAfterSeconds)}.`;
	const sentence = {
		key: `This API key may make ${count} requests a minute.`,
		person: `You may make ${count} API requests a minute.`,
		team: `This team's API keys may make ${count} requests a minute together${budget.planName ? ` on the ${budget.planName} plan` : ''}.`
	}[budget.kind];
	const upgrade = budget.kind === 'team' && budget.upgradeName ? ` Upgrade to ${budget.upgradeName} for more.` : '';
	return new AppError('RATE_LIMITED', `${sentence} ${wait}${upgrade}`, { retryAfterSeconds, limit: API_LIMIT_NAMES[budget.kind] });
}
