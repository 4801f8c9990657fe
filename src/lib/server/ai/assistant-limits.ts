// How many assistant runs a person may start a minute and a team a day, by plan. Counted with
// rate-limiter-flexible, through Redis when configured (shared by every instance), else in memory.
// One counter per window whatever the plan: the plan's limit is compared with the count, so a plan
// change applies at once to the runs already counted (a limiter per points value would restart them).
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract, type RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../errors.ts';
import type { PlanId } from '../db/schema.ts';
import { PLANS, upgradeFor } from '../plans.ts';

export interface AssistantRunLimits {
	perUserPerMinute: number;
	perTeamPerDay: number;
}

export type AssistantLimitName = 'runs_per_user_per_minute' | 'runs_per_team_per_day';

// The counters never refuse on their own; `consume` compares the count with the plan's limit.
const UNBOUNDED = Number.MAX_SAFE_INTEGER;
const MINUTE_SECONDS = 60;
const DAY_SECONDS = 86_400;

function counter(keyPrefix: string, durationSeconds: number, redis: Redis | undefined): RateLimiterAbstract {
	const memory = new RateLimiterMemory({ keyPrefix, points: UNBOUNDED, duration: durationSeconds });
	if (!redis) return memory;
	return new RateLimiterRedis({ storeClient: redis, keyPrefix, points: UNBOUNDED, duration: durationSeconds, insuranceLimiter: memory });
}

export class AssistantRateLimits {
	private readonly perUser: RateLimiterAbstract;
	private readonly perTeam: RateLimiterAbstract;

	/** `redis`: a client made with `enableOfflineQueue: false`, so an outage falls back to memory at once. */
	constructor(options: { redis?: Redis; keyPrefix: string }) {
		this.perUser = counter(`${options.keyPrefix}:assistant-runs-user-minute`, MINUTE_SECONDS, options.redis);
		this.perTeam = counter(`${options.keyPrefix}:assistant-runs-team-day`, DAY_SECONDS, options.redis);
	}

	/**
	 * Counts one run for the requester (a user id, or a guest's key) in the team and for the team;
	 * RATE_LIMITED `{ retryAfterSeconds, limit }` naming the limit once either is spent. A refused
	 * run counts against neither, so waiting out the message always works.
	 */
	async consume(input: { teamId: string; requesterKey: string; limits: AssistantRunLimits; plan?: PlanId }): Promise<void> {
		const { teamId, requesterKey, limits, plan } = input;
		const userKey = `${teamId}:${requesterKey}`;
		const user = await this.perUser.consume(userKey);
		if (user.consumedPoints > limits.perUserPerMinute) {
			await this.perUser.reward(userKey);
			throw limited('runs_per_user_per_minute', user, `You can start ${runs(limits.perUserPerMinute)} a minute${onPlan(plan)}.`);
		}
		const team = await this.perTeam.consume(teamId);
		if (team.consumedPoints > limits.perTeamPerDay) {
			await Promise.all([this.perTeam.reward(teamId), this.perUser.reward(userKey)]);
			const next = plan ? upgradeFor(plan) : null;
			throw limited(
				'runs_per_team_per_day',
				team,
				`This team can start ${runs(limits.perTeamPerDay)} a day${onPlan(plan)}.`,
				next ? ` Upgrade to ${next.name} for more.` : ''
			);
		}
	}
}

function limited(limit: AssistantLimitName, result: RateLimiterRes, sentence: string, after = ''): AppError {
	const retryAfterSeconds = Math.max(1, Math.ceil(result.msBeforeNext / 1000));
	return new AppError('RATE_LIMITED', `${sentence} Try again in ${formatWait(retryAfterSeconds)}.${after}`, { retryAfterSeconds, limit });
}

function runs(count: number): string {
	return `${new Intl.NumberFormat('en').format(count)} assistant ${count === 1 ? 'run' : 'runs'}`;
}

function onPlan(plan: PlanId | undefined): string {
	return plan ? ` on the ${PLANS[plan].name} plan` : '';
}

/** "40 seconds", "3 minutes", "5 hours": rounded up, so the wait named is always long enough. */
export function formatWait(seconds: number): string {
	const [amount, unit] = seconds < 60 ? [seconds, 'second'] : seconds < 3600 ? [Math.ceil(seconds / 60), 'minute'] : [Math.ceil(seconds / 3600), 'hour'];
	return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}
