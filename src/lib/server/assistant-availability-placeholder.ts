// PLACEHOLDER until the assistant module's `assistantAvailability(db, config, actor/access, canvasId)`
// lands: what the chat panel may offer from the server's AI settings and the team's plan alone (no
// team keys, no rate limits). Both canvas pages call it in one marked line, so swapping it is one edit.
import type { AssistantAvailability, ModelTierId, ModelTierView } from '../assistant-api.ts';
import type { Config } from './config.ts';
import { MODEL_TIER_CATALOG, assistantRequestCredits, upgradeFor, type Limits } from './plans.ts';

export const ENABLE_HINT = 'AI_PROVIDER=ollama AI_MODEL_FAST=llama3.2';

const TIER_MODELS: Record<ModelTierId, keyof Pick<Config, 'AI_MODEL_FAST' | 'AI_MODEL_BALANCED' | 'AI_MODEL_BEST'>> = {
	fast: 'AI_MODEL_FAST',
	balanced: 'AI_MODEL_BALANCED',
	best: 'AI_MODEL_BEST'
};

export function placeholderAssistantAvailability(config: Config, limits: Limits, access: { canEdit: boolean }, balance: number): AssistantAvailability {
	const configured = Boolean(config.AI_PROVIDER && config.AI_MODEL_FAST);
	const upgrade = upgradeFor(limits.plan);
	const tiers: ModelTierView[] = (Object.keys(MODEL_TIER_CATALOG) as ModelTierId[]).map((tier) => {
		const inPlan = limits.modelTiers.includes(tier);
		const hasModel = Boolean(config[TIER_MODELS[tier]]);
		return {
			tier,
			...MODEL_TIER_CATALOG[tier],
			credits: assistantRequestCredits(tier),
			available: configured && inPlan && hasModel,
			...(!inPlan ? { unavailableReason: 'plan' as const, ...(upgrade ? { upgradeTo: { id: upgrade.id, name: upgrade.name } } : {}) } : {}),
			...(inPlan && !hasModel ? { unavailableReason: 'not_configured' as const } : {})
		};
	});
	return {
		configured,
		enableHint: ENABLE_HINT,
		ownKey: false,
		canAsk: configured && access.canEdit,
		canEdit: access.canEdit,
		...(configured && !access.canEdit ? { reason: 'Only people who can edit this canvas can ask the assistant.' } : {}),
		tiers,
		defaultTier: 'fast',
		balance
	};
}
