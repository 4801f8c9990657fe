// Assistant run limits per plan: per person a minute and per team a day, in memory and shared through
// the real Redis by several instances; and the Retry-After the API sends with them.
import { describe, expect, it } from 'vitest';
import { useTwoRedisClients } from '../helpers/redis.ts';
import { Redis } from 'ioredis';
import { AssistantRateLimits, formatWait } from '../../src/lib/server/ai/assistant-limits.ts';
import { AppError } from '../../src/lib/server/errors.ts';
import { jsonError } from '../../src/lib/server/http/api.ts';
import { limitsFor } from '../../src/lib/server/plans.ts';

const FREE = limitsFor('free', null).assistantRuns;
const PRO = limitsFor('pro', null).assistantRuns;

async function refusal(promise: Promise<unknown>): Promise<AppError> {
	const outcome = await promise.then(
		() => null,
		(error: unknown) => error
	);
	if (!(outcome instanceof AppError)) throw new Error(`expected a RATE_LIMITED AppError, got ${String(outcome)}`);
	return outcome;
}

function variants(): { name: string; make: (keyPrefix: string) => AssistantRateLimits }[] {
	return [
		{ name: 'in memory', make: (keyPrefix) => new AssistantRateLimits({ keyPrefix }) },
		{ name: 'through Redis', make: (keyPrefix) => new AssistantRateLimits({ keyPrefix, redis: redisClients.first }) }
	];
}

const redisClients = useTwoRedisClients();

for (const variant of variants()) {
	describe(`assistant run limits ${variant.name}`, () => {
		it("the Free plan's 5 runs a minute per person, with a message naming the limit and the wait; others are not held up", async () => {
			const limits = variant.make(`test-${crypto.randomUUID()}`);
			const teamId = crypto.randomUUID();
			for (let run = 0; run < FREE.perUserPerMinute; run++) await limits.consume({ teamId, requesterKey: 'user-a', limits: FREE, plan: 'free' });
			const refused = await refusal(limits.consume({ teamId, requesterKey: 'user-a', limits: FREE, plan: 'free' }));
			expect(refused).toMatchObject({ code: 'RATE_LIMITED', status: 429, details: { limit: 'runs_per_user_per_minute' } });
			const wait = refused.details!.retryAfterSeconds as number;
			expect(wait).toBeGreaterThan(0);
			expect(wait).toBeLessThanOrEqual(60);
			expect(refused.message).toBe(`You can start 5 assistant runs a minute on the Free plan. Try again in ${formatWait(wait)}.`);
			// Another person in the team, and the same person in another team, still may.
			await limits.consume({ teamId, requesterKey: 'user-b', limits: FREE, plan: 'free' });
			await limits.consume({ teamId: crypto.randomUUID(), requesterKey: 'user-a', limits: FREE, plan: 'free' });
			// After an upgrade the runs already counted stay counted, under Pro's 20.
			for (let run = FREE.perUserPerMinute; run < PRO.perUserPerMinute; run++) await limits.consume({ teamId, requesterKey: 'user-a', limits: PRO, plan: 'pro' });
			await expect(limits.consume({ teamId, requesterKey: 'user-a', limits: PRO, plan: 'pro' })).rejects.toMatchObject({
				details: { limit: 'runs_per_user_per_minute' },
				message: expect.stringContaining('You can start 20 assistant runs a minute on the Pro plan.')
			});
		});

		it('the team budget a day counts everyone; refused runs count against nothing', async () => {
			const limits = variant.make(`test-${crypto.randomUUID()}`);
			const teamId = crypto.randomUUID();
			const small = { perUserPerMinute: 2, perTeamPerDay: 3 };
			await limits.consume({ teamId, requesterKey: 'a', limits: small, plan: 'free' });
			await limits.consume({ teamId, requesterKey: 'a', limits: small, plan: 'free' });
			await expect(limits.consume({ teamId, requesterKey: 'a', limits: small, plan: 'free' })).rejects.toMatchObject({ details: { limit: 'runs_per_user_per_minute' } });
			await limits.consume({ teamId, requesterKey: 'b', limits: small, plan: 'free' }); // the refusal above did not use the team's third run
			const refused = await refusal(limits.consume({ teamId, requesterKey: 'c', limits: small, plan: 'free' }));
			expect(refused.details).toMatchObject({ limit: 'runs_per_team_per_day' });
			const wait = refused.details!.retryAfterSeconds as number;
			expect(wait).toBeGreaterThan(86_400 - 60);
			expect(refused.message).toBe('This team can start 3 assistant runs a day on the Free plan. Try again in 24 hours. Upgrade to Pro for more.');
			// c's refused run did not count against c: with a bigger team budget c can still start two.
			const bigger = { perUserPerMinute: 2, perTeamPerDay: 10 };
			await limits.consume({ teamId, requesterKey: 'c', limits: bigger });
			await limits.consume({ teamId, requesterKey: 'c', limits: bigger });
			const withoutPlan = await refusal(limits.consume({ teamId, requesterKey: 'c', limits: bigger }));
			expect(withoutPlan.message).toBe(`You can start 2 assistant runs a minute. Try again in ${formatWait(withoutPlan.details!.retryAfterSeconds as number)}.`);
		});

		it('concurrent starts never exceed the limit', async () => {
			const limits = variant.make(`test-${crypto.randomUUID()}`);
			const teamId = crypto.randomUUID();
			const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => limits.consume({ teamId, requesterKey: 'eager', limits: FREE, plan: 'free' })));
			expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(FREE.perUserPerMinute);
		});
	});
}

describe('assistant run limits shared through Redis', () => {
	it('two instances count against one budget; without Redis each instance counts its own', async () => {
		const keyPrefix = `test-${crypto.randomUUID()}`;
		const teamId = crypto.randomUUID();
		const one = new AssistantRateLimits({ keyPrefix, redis: redisClients.first });
		const two = new AssistantRateLimits({ keyPrefix, redis: redisClients.second });
		for (let run = 0; run < FREE.perUserPerMinute; run++) await (run % 2 ? one : two).consume({ teamId, requesterKey: 'roamer', limits: FREE, plan: 'free' });
		await expect(two.consume({ teamId, requesterKey: 'roamer', limits: FREE, plan: 'free' })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
		await expect(one.consume({ teamId, requesterKey: 'roamer', limits: FREE, plan: 'free' })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
		expect(await redisClients.first.exists(`${keyPrefix}:assistant-runs-user-minute:${teamId}:roamer`)).toBe(1);

		const localPrefix = `test-${crypto.randomUUID()}`;
		const alone = new AssistantRateLimits({ keyPrefix: localPrefix });
		const elsewhere = new AssistantRateLimits({ keyPrefix: localPrefix });
		for (let run = 0; run < FREE.perUserPerMinute; run++) await alone.consume({ teamId, requesterKey: 'roamer', limits: FREE });
		await expect(elsewhere.consume({ teamId, requesterKey: 'roamer', limits: FREE })).resolves.toBeUndefined();
	});
});

describe('assistant run limits while Redis is away', () => {
	it('fall back to counting in memory at once, still enforcing the plan', async () => {
		// A client that never connected, made as the server makes its limits client: commands fail at once.
		const away = new Redis({ host: '127.0.0.1', port: 1, enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true });
		try {
			const limits = new AssistantRateLimits({ keyPrefix: `test-${crypto.randomUUID()}`, redis: away });
			const teamId = crypto.randomUUID();
			for (let run = 0; run < FREE.perUserPerMinute; run++) await limits.consume({ teamId, requesterKey: 'offline', limits: FREE, plan: 'free' });
			await expect(limits.consume({ teamId, requesterKey: 'offline', limits: FREE, plan: 'free' })).rejects.toMatchObject({
				code: 'RATE_LIMITED',
				details: { limit: 'runs_per_user_per_minute' }
			});
		} finally {
			away.disconnect();
		}
	});
});

describe('RATE_LIMITED over HTTP', () => {
	it('answers 429 with Retry-After and the limit in the body', async () => {
		const response = jsonError(
			new AppError('RATE_LIMITED', 'You can start 5 assistant runs a minute on the Free plan. Try again in 40 seconds.', {
				retryAfterSeconds: 40,
				limit: 'runs_per_user_per_minute'
			})
		);
		expect(response.status).toBe(429);
		expect(response.headers.get('retry-after')).toBe('40');
		expect(await response.json()).toEqual({
			error: { code: 'RATE_LIMITED', message: expect.stringContaining('Try again in 40 seconds'), details: { retryAfterSeconds: 40, limit: 'runs_per_user_per_minute' } }
		});
	});

	it('formats waits so they are never too short', () => {
		expect([1, 40, 60, 61, 3599, 3600, 3601, 86_400].map(formatWait)).toEqual([
			'1 second',
			'40 seconds',
			'1 minute',
			'2 minutes',
			'60 minutes',
			'1 hour',
			'2 hours',
			'24 hours'
		]);
	});
});
