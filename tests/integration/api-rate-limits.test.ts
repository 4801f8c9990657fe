// The JSON API's request budgets (per key, per team by plan, per person), in memory and shared through
// the real Redis by two instances: what RateLimit-* report, when a request is refused and with what.
import { describe, expect, it } from 'vitest';
import { useTwoRedisClients } from '../helpers/redis.ts';
import { ApiRateLimits, type ApiBudget } from '../../src/lib/server/rate-limits.ts';
import { limitsFor } from '../../src/lib/server/plans.ts';
import { waitFor } from '../helpers/clients.ts';

const redisClients = useTwoRedisClients();

const FREE_TEAM = limitsFor('free', null).apiRequestsPerMinute;

function keyBudgets(keyId: string, teamId: string, keyLimit: number, teamLimit = FREE_TEAM): ApiBudget[] {
	return [
		{ kind: 'key', subject: keyId, limit: keyLimit },
		{ kind: 'team', subject: teamId, limit: teamLimit, planName: 'Free', upgradeName: 'Pro' }
	];
}

describe('the plan catalog', () => {
	it('gives bigger teams bigger API budgets: Free < Pro < Team', () => {
		const [free, pro, team] = (['free', 'pro', 'team'] as const).map((plan) => limitsFor(plan, 3).apiRequestsPerMinute);
		expect(free).toBe(1200);
		expect(free).toBeLessThan(pro);
		expect(pro).toBeLessThan(team);
	});
});

for (const variant of [
	{ name: 'in memory', make: (keyPrefix: string, windowSeconds?: number) => [new ApiRateLimits({ keyPrefix, windowSeconds })] },
	{
		name: 'through Redis, shared by two instances',
		make: (keyPrefix: string, windowSeconds?: number) => [
			new ApiRateLimits({ keyPrefix, redis: redisClients.first, windowSeconds }),
			new ApiRateLimits({ keyPrefix, redis: redisClients.second, windowSeconds })
		]
	}
]) {
	describe(`API request budgets ${variant.name}`, () => {
		it("a key's own budget: counted down in the headers, then refused with the wait, without spending its team's", async () => {
			const instances = variant.make(`test-${crypto.randomUUID()}`);
			const [keyId, teamId] = [crypto.randomUUID(), crypto.randomUUID()];
			const remaining: number[] = [];
			for (let request = 0; request < 3; request++) {
				// Alternating instances: with Redis they count together.
				const state = await instances[request % instances.length].consume(keyBudgets(keyId, teamId, 3));
				expect(state).toMatchObject({ limit: 3, refused: null, policy: `3;w=60;name="key", ${FREE_TEAM};w=60;name="team"` });
				expect(state.resetSeconds).toBeGreaterThan(0);
				expect(state.resetSeconds).toBeLessThanOrEqual(60);
				remaining.push(state.remaining);
			}
			expect(remaining).toEqual([2, 1, 0]);
			const refused = await instances.at(-1)!.consume(keyBudgets(keyId, teamId, 3));
			expect(refused).toMatchObject({ limit: 3, remaining: 0 });
			expect(refused.refused).toMatchObject({
				code: 'RATE_LIMITED',
				status: 429,
				details: { limit: 'requests_per_key_per_minute', retryAfterSeconds: refused.resetSeconds }
			});
			expect(refused.refused!.message).toMatch(/^This API key may make 3 requests a minute\. Try again in (\d+ seconds?|1 minute)\.$/);
			// Another key of the team still may: the refused request did not count for the team.
			const other = await instances[0].consume(keyBudgets(crypto.randomUUID(), teamId, 3));
			expect(other).toMatchObject({ refused: null, limit: 3, remaining: 2 });
		});

		it("a team's budget is shared by all its keys, and names the plan and the upgrade", async () => {
			const instances = variant.make(`test-${crypto.randomUUID()}`);
			const teamId = crypto.randomUUID();
			const keys = [crypto.randomUUID(), crypto.randomUUID()];
			for (let request = 0; request < 4; request++) {
				const state = await instances[request % instances.length].consume(keyBudgets(keys[request % 2], teamId, 100, 4));
				// The header reports the budget nearest to being spent: the team's.
				expect(state).toMatchObject({ refused: null, limit: 4, remaining: 3 - request });
			}
			const refused = await instances[0].consume(keyBudgets(keys[0], teamId, 100, 4));
			expect(refused.refused).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 'requests_per_team_per_minute' } });
			expect(refused.refused!.message).toMatch(
				/^This team's API keys may make 4 requests a minute together on the Free plan\. Try again in (\d+ seconds?|1 minute)\. Upgrade to Pro for more\.$/
			);
			// Another team is not held up.
			expect((await instances[0].consume(keyBudgets(keys[0], crypto.randomUUID(), 100, 4))).refused).toBeNull();
		});

		it('a person has a budget of their own, and the window starts again once it has passed', async () => {
			const instances = variant.make(`test-${crypto.randomUUID()}`, 2);
			const budgets: ApiBudget[] = [{ kind: 'person', subject: crypto.randomUUID(), limit: 2 }];
			expect((await instances[0].consume(budgets)).refused).toBeNull();
			expect((await instances.at(-1)!.consume(budgets)).refused).toBeNull();
			const refused = await instances[0].consume(budgets);
			expect(refused.refused).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 'requests_per_user_per_minute' } });
			expect(refused.refused!.message).toMatch(/^You may make 2 API requests a minute\. Try again in (1 second|2 seconds)\.$/);
			expect(refused.policy).toBe('2;w=2;name="person"');
			await waitFor(async () => (await instances[0].consume(budgets)).refused === null, 5000, 'the next window');
		});
	});
}
