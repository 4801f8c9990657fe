// The plan catalog: what each plan allows. Code asks `limitsFor(...)`, never `if (plan === 'pro')`.
import type { PlanId } from './db/schema.ts';

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
}

export const PLANS: Record<PlanId, Plan> = {
	free: { id: 'free', name: 'Free', seats: 3, canvases: 10, historyDays: 7, keepsNamedVersions: false, monthlyCredits: { amount: 50, perSeat: false } },
	pro: { id: 'pro', name: 'Pro', seats: 10, canvases: null, historyDays: 90, keepsNamedVersions: true, monthlyCredits: { amount: 1000, perSeat: false } },
	team: { id: 'team', name: 'Team', seats: 'bought', canvases: null, historyDays: null, keepsNamedVersions: true, monthlyCredits: { amount: 1000, perSeat: true } }
};

export interface Limits {
	plan: PlanId;
	seats: number;
	canvases: number | null;
	historyDays: number | null;
	keepsNamedVersions: boolean;
	monthlyCredits: number;
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
		monthlyCredits: plan.monthlyCredits.perSeat ? plan.monthlyCredits.amount * seats : plan.monthlyCredits.amount
	};
}

/** The cheapest plan that lifts a limit, for "upgrade to …" messages. */
export function upgradeFor(current: PlanId): Plan | null {
	return current === 'free' ? PLANS.pro : current === 'pro' ? PLANS.team : null;
}
