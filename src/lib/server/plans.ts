// The plan catalog: what each plan allows. Code asks `limitsFor(...)`, never `if (plan === 'pro')`.
import type { ModelTier, PlanId } from './db/schema.ts';

export interface Plan {
	id: PlanId;
	name: string;
	/** Seats (editors and above); 'bought' = as many as the subscription's quantity. */
	seats: number | 'bought';
	/** null = unlimited. */
	canvases: number | null;
	/** Days of version history kept; null = unlimited. */
	historyDays: number | null;
	/** Named versions are kept until deleted, whatever the history window. */
	keepsNamedVersions: boolean;
	/** AI credits granted each month, per plan or per seat. */
	monthlyCredits: { amount: number; perSeat: boolean };
	/** The assistant's model tiers this plan may use. */
	modelTiers: readonly ModelTier[];
	/** Assistant runs one person may start per minute, and the whole team per day. */
	assistantRuns: { perUserPerMinute: number; perTeamPerDay: number };
	/** Largest file one upload may be, and all the team's assets together, in bytes. */
	storage: { fileBytes: number; teamBytes: number };
	/** Requests to /api/v1 all the team's API keys together may make a minute (each key also has its own budget). */
	apiRequestsPerMinute: number;
	/** Live sketch images: per calendar month (UTC) and, as fair use, per day; null = no such cap. Higher `priority` is generated first. */
	images: { perMonth: number | null; perDay: number | null; priority: number };
}

const MB = 1_000_000;
const GB = 1_000 * MB;

/** What each model tier costs: credits per assistant request = 1 × multiplier (the seeds' Haiku/Sonnet/Opus). */
export const MODEL_TIER_CATALOG: Record<ModelTier, { label: string; multiplier: number; description: string }> = {
	fast: { label: 'Fast', multiplier: 1, description: 'Quick answers and small edits' },
	balanced: { label: 'Balanced', multiplier: 3, description: 'Most diagrams' },
	best: { label: 'Best', multiplier: 10, description: 'Large or subtle designs' }
};

/** Credits one image costs (a variation is one image). Charged when it is made; failed and superseded jobs cost nothing. */
export const IMAGE_CREDITS = 1;

/** Where a guest's jobs (the /sketch playground, no account) stand in the queue: behind every team's. */
export const GUEST_IMAGE_PRIORITY = -10;

/** Credits one assistant request costs on a tier. */
export const ASSISTANT_REQUEST_CREDITS = 1;
export function assistantRequestCredits(tier: ModelTier): number {
	return ASSISTANT_REQUEST_CREDITS * MODEL_TIER_CATALOG[tier].multiplier;
}

export const DESIGN_DOC_FORMATS = ['markdown', 'pdf', 'both'] as const;
export type DesignDocFormat = (typeof DESIGN_DOC_FORMATS)[number];

/** What files made from a diagram cost before the tier multiplier (the seeds' price table). Plain exports are free. */
export const WORK_PRICES = {
	designDoc: { markdown: 3, pdf: 3, both: 5 } satisfies Record<DesignDocFormat, number>,
	/** Code for one node asked for alone, and per node when several are asked for at once. */
	code: { node: 5, bulkNode: 3 }
} as const;

/** Credits a design document costs on a tier. */
export function designDocCredits(format: DesignDocFormat, tier: ModelTier): number {
	return WORK_PRICES.designDoc[format] * MODEL_TIER_CATALOG[tier].multiplier;
}

/** Credits code for one node costs on a tier, alone or as one of `nodeCount` asked for together. */
export function codeCreditsPerNode(nodeCount: number, tier: ModelTier): number {
	return (nodeCount > 1 ? WORK_PRICES.code.bulkNode : WORK_PRICES.code.node) * MODEL_TIER_CATALOG[tier].multiplier;
}

export const PLANS: Record<PlanId, Plan> = {
	free: {
		id: 'free',
		name: 'Free',
		seats: 3,
		canvases: 10,
		historyDays: 7,
		keepsNamedVersions: false,
		monthlyCredits: { amount: 50, perSeat: false },
		modelTiers: ['fast'],
		assistantRuns: { perUserPerMinute: 5, perTeamPerDay: 100 },
		storage: { fileBytes: 10 * MB, teamBytes: 1 * GB },
		apiRequestsPerMinute: 1_200,
		images: { perMonth: 100, perDay: null, priority: 0 }
	},
	pro: {
		id: 'pro',
		name: 'Pro',
		seats: 10,
		canvases: null,
		historyDays: 90,
		keepsNamedVersions: true,
		monthlyCredits: { amount: 1000, perSeat: false },
		modelTiers: ['fast', 'balanced', 'best'],
		assistantRuns: { perUserPerMinute: 20, perTeamPerDay: 2000 },
		storage: { fileBytes: 100 * MB, teamBytes: 10 * GB },
		apiRequestsPerMinute: 6_000,
		images: { perMonth: 2_000, perDay: null, priority: 10 }
	},
	team: {
		id: 'team',
		name: 'Team',
		seats: 'bought',
		canvases: null,
		historyDays: null,
		keepsNamedVersions: true,
		monthlyCredits: { amount: 1000, perSeat: true },
		modelTiers: ['fast', 'balanced', 'best'],
		assistantRuns: { perUserPerMinute: 30, perTeamPerDay: 10000 },
		storage: { fileBytes: 100 * MB, teamBytes: 100 * GB },
		apiRequestsPerMinute: 30_000,
		images: { perMonth: null, perDay: 2_000, priority: 10 }
	}
};

export interface Limits {
	plan: PlanId;
	seats: number;
	canvases: number | null;
	historyDays: number | null;
	keepsNamedVersions: boolean;
	monthlyCredits: number;
	modelTiers: readonly ModelTier[];
	assistantRuns: { perUserPerMinute: number; perTeamPerDay: number };
	storage: { fileBytes: number; teamBytes: number };
	apiRequestsPerMinute: number;
	images: { perMonth: number | null; perDay: number | null; priority: number };
}

/** The limits in force for a plan and (team plan) a number of seats bought. */
export function limitsFor(planId: PlanId, seatsBought: number | null): Limits {
	const plan = PLANS[planId];
	const seats = plan.seats === 'bought' ? Math.max(1, seatsBought ?? 1) : plan.seats;
	return {
		plan: planId,
		seats,
		canvases: plan.canvases,
		historyDays: plan.historyDays,
		keepsNamedVersions: plan.keepsNamedVersions,
		monthlyCredits: plan.monthlyCredits.perSeat ? plan.monthlyCredits.amount * seats : plan.monthlyCredits.amount,
		modelTiers: plan.modelTiers,
		assistantRuns: plan.assistantRuns,
		storage: plan.storage,
		apiRequestsPerMinute: plan.apiRequestsPerMinute,
		images: plan.images
	};
}

/** The cheapest plan that lifts a limit, for "upgrade to …" messages. */
export function upgradeFor(current: PlanId): Plan | null {
	return current === 'free' ? PLANS.pro : current === 'pro' ? PLANS.team : null;
}
