// The assistant's model tiers as one team sees them: what each costs (nothing with the team's own
// key), and whether it may be used — its plan must include the tier and a model must be configured.
import { z } from 'zod';
import type { ModelTierView } from '../../assistant-api.ts';
import * as billing from '../billing.ts';
import type { Config } from '../config.ts';
import type { Queryable } from '../db/index.ts';
import { MODEL_TIERS, type ModelTier } from '../db/schema.ts';
import { assistantRequestCredits, MODEL_TIER_CATALOG, upgradeFor } from '../plans.ts';
import { teamModels, type TeamModels } from './providers.ts';

/** `GET /api/v1/assistant/models`: `?teamId=`. */
export const modelTiersQuerySchema = z.object({ teamId: z.string({ error: 'Send ?teamId=<team id>.' }) });

export interface TeamModelTiers {
	configured: boolean;
	ownKey: boolean;
	tiers: ModelTierView[];
}

/** Every catalog tier for a team (no actor check: callers authorize), plus whether any provider is set up and whether the team's own key pays. */
export async function teamModelTiers(db: Queryable, config: Config, teamId: string, models?: TeamModels): Promise<TeamModelTiers> {
	const [plan, resolved] = await Promise.all([billing.teamPlan(db, teamId), models ?? teamModels(db, config, teamId)]);
	const upgrade = upgradeFor(plan.limits.plan);
	const tiers = MODEL_TIERS.map((tier: ModelTier): ModelTierView => {
		const { label, description, multiplier } = MODEL_TIER_CATALOG[tier];
		const view: ModelTierView = {
			tier,
			label,
			description,
			multiplier,
			credits: resolved.ownKey ? 0 : assistantRequestCredits(tier),
			available: false
		};
		if (!plan.limits.modelTiers.includes(tier)) {
			// With its own key a team still pays Easel for the plan: tiers are a plan feature either way.
			return { ...view, unavailableReason: 'plan', ...(upgrade ? { upgradeTo: { id: upgrade.id, name: upgrade.name } } : {}) };
		}
		if (!resolved.modelFor(tier)) return { ...view, unavailableReason: 'not_configured' };
		return { ...view, available: true };
	});
	return { configured: resolved.configured, ownKey: resolved.ownKey, tiers };
}
