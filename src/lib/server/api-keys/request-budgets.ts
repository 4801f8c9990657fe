// The /api/v1 budgets a request counts against (rate-limits.ts counts them): an API key's own and
// its team's, by plan; a person's own. The team budget is the key's team only: a person's request
// is not charged to a team, since a team named in a URL could be anyone's (a stranger would spend
// it) and proving membership first would cost a query per request.
import type { Actor } from '../access.ts';
import * as billing from '../billing.ts';
import type { Config } from '../config.ts';
import type { Queryable } from '../db/index.ts';
import type { PlanId } from '../db/schema.ts';
import { PLANS, upgradeFor } from '../plans.ts';
import type { ApiBudget } from '../rate-limits.ts';

/** How long a team's plan is trusted for its budget: an upgrade applies within this. */
const PLAN_CACHE_MS = 30_000;
const PLAN_CACHE_SIZE = 10_000;
const planCache = new Map<string, { plan: PlanId; readAt: number }>();

export type BudgetSettings = Pick<Config, 'API_KEY_REQUESTS_PER_MINUTE' | 'API_USER_REQUESTS_PER_MINUTE' | 'API_TEAM_REQUESTS_PER_MINUTE'>;

/** The budgets of `actor`'s request, most specific first; null for callers that are not limited here (anonymous). */
export async function requestBudgets(db: Queryable, settings: BudgetSettings, actor: Actor): Promise<ApiBudget[] | null> {
	if (actor.kind === 'user') return [{ kind: 'person', subject: actor.userId, limit: settings.API_USER_REQUESTS_PER_MINUTE }];
	if (actor.kind !== 'apiKey') return null;
	const plan = await effectivePlan(db, actor.teamId);
	const next = upgradeFor(plan);
	return [
		{ kind: 'key', subject: actor.keyId, limit: settings.API_KEY_REQUESTS_PER_MINUTE },
		{
			kind: 'team',
			subject: actor.teamId,
			limit: settings.API_TEAM_REQUESTS_PER_MINUTE ?? PLANS[plan].apiRequestsPerMinute,
			...(settings.API_TEAM_REQUESTS_PER_MINUTE === undefined ? { planName: PLANS[plan].name, upgradeName: next?.name } : {})
		}
	];
}

async function effectivePlan(db: Queryable, teamId: string): Promise<PlanId> {
	const now = Date.now();
	const cached = planCache.get(teamId);
	if (cached && now - cached.readAt < PLAN_CACHE_MS) return cached.plan;
	const { limits } = await billing.teamPlan(db, teamId);
	planCache.delete(teamId);
	planCache.set(teamId, { plan: limits.plan, readAt: now });
	if (planCache.size > PLAN_CACHE_SIZE) planCache.delete(planCache.keys().next().value!);
	return limits.plan;
}
