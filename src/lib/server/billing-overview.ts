// What a team's owners see of its billing: plan, seats, limits, the credit ledger read as people
// read it, and a failed payment to fix. The billing page, its layout banner and the API share it.
import type { Database, Queryable } from './db/index.ts';
import { can, requireTeamRole, type Actor } from './access.ts';
import * as billing from './billing.ts';
import * as credits from './credits.ts';
import { PLANS, upgradeFor, type Limits } from './plans.ts';
import type { PlanId } from './db/schema.ts';

export interface BillingOverview {
	plan: { id: PlanId; name: string };
	/** The plan whose limits are in force (free once a lapsed subscription's grace period is over). */
	effectivePlan: string;
	status: string;
	seats: { used: number; bought: number };
	renewsAt: Date | null;
	graceUntil: Date | null;
	limits: Limits;
	/** The next plan up, if any. */
	upgrade: PlanId | null;
	credits: { balance: number; entries: CreditEntry[] };
}

export interface CreditEntry {
	id: number;
	delta: number;
	reason: credits.LedgerRow['reason'];
	createdAt: Date;
}

/** The team's billing for its owners (`team.billing`); `entries` recent credit entries, newest first. */
export async function overview(db: Database, actor: Actor, teamId: string, options: { entries?: number; now?: Date } = {}): Promise<BillingOverview> {
	await requireTeamRole(db, actor, teamId, 'team.billing');
	await credits.ensureMonthlyGrant(db, teamId, options.now);
	const [plan, seatsUsed, balance, rows] = await Promise.all([
		billing.teamPlan(db, teamId),
		billing.seatsUsed(db, teamId),
		credits.balance(db, teamId),
		// A settled reservation takes three rows; read enough of them to fill `entries` readable ones.
		credits.ledger(db, teamId, { limit: Math.min(200, (options.entries ?? 10) * 6) })
	]);
	return {
		plan: { id: plan.plan, name: PLANS[plan.plan].name },
		effectivePlan: PLANS[plan.limits.plan].name,
		status: plan.status,
		seats: { used: seatsUsed, bought: plan.limits.seats },
		renewsAt: plan.currentPeriodEnd,
		graceUntil: plan.graceUntil,
		limits: plan.limits,
		upgrade: upgradeFor(plan.plan)?.id ?? null,
		credits: { balance, entries: readableLedger(rows).slice(0, options.entries ?? 10) }
	};
}

/**
 * Ledger rows as people read them: a settled AI reservation (hold + release + charge) shows only
 * as its charge; a hold not yet settled shows as work in progress.
 */
export function readableLedger(rows: credits.LedgerRow[]): CreditEntry[] {
	const released = new Set(rows.filter((row) => row.reason === 'reservation_release').map((row) => row.reference));
	return rows
		.filter((row) => row.reason !== 'reservation_release' && !(row.reason === 'reservation' && released.has(row.reference)))
		.map((row) => ({ id: row.id, delta: row.delta, reason: row.reason, createdAt: row.createdAt }));
}

export interface PaymentProblem {
	plan: string;
	/** Until when the paid plan's limits are kept. */
	graceUntil: Date | null;
	/** The grace period is over: the team is on the free plan's limits. */
	lapsed: boolean;
}

/** A failed payment an owner must fix, or null (also for members who do not manage billing). */
export async function paymentProblem(db: Queryable, actor: Actor, teamId: string): Promise<PaymentProblem | null> {
	const role = await requireTeamRole(db, actor, teamId, 'team.view');
	if (!can(role, 'team.billing')) return null;
	const plan = await billing.teamPlan(db, teamId);
	// A failed invoice sets graceUntil before Stripe moves the subscription to past_due.
	if (plan.plan === 'free' || (plan.status !== 'past_due' && plan.status !== 'unpaid' && !plan.graceUntil)) return null;
	return { plan: PLANS[plan.plan].name, graceUntil: plan.graceUntil, lapsed: plan.limits.plan === 'free' };
}
