// A team's plan, its effective limits, and the checks that enforce them with a clear message.
import { and, asc, count, eq, inArray, isNull } from 'drizzle-orm';
import type { Queryable, Transaction } from './db/index.ts';
import { canvases, memberships, teamBilling, teams, type PlanId, type Role } from './db/schema.ts';
import { AppError } from './errors.ts';
import { limitsFor, PLANS, upgradeFor, type Limits } from './plans.ts';

export interface TeamPlan {
	plan: PlanId;
	status: string;
	seatsBought: number | null;
	currentPeriodEnd: Date | null;
	graceUntil: Date | null;
	/** The Stripe subscription paying for the plan (null on free, and for plans set by the admin command). */
	stripeSubscriptionId: string | null;
	/** The limits in force now: a lapsed subscription past its grace period falls back to free. */
	limits: Limits;
}

/** Subscription statuses whose invoice is paid (or a trial). */
export const PAID_STATUSES: ReadonlySet<string> = new Set(['active', 'trialing']);

export async function teamPlan(db: Queryable, teamId: string, now = new Date()): Promise<TeamPlan> {
	const [row] = await db.select().from(teamBilling).where(eq(teamBilling.teamId, teamId));
	if (!row)
		return { plan: 'free', status: 'active', seatsBought: null, currentPeriodEnd: null, graceUntil: null, stripeSubscriptionId: null, limits: limitsFor('free', null) };
	const inGrace = row.graceUntil !== null && row.graceUntil.getTime() > now.getTime();
	const effective: PlanId = row.plan === 'free' || PAID_STATUSES.has(row.status) || inGrace ? row.plan : 'free';
	return {
		plan: row.plan,
		status: row.status,
		seatsBought: row.seats,
		currentPeriodEnd: row.currentPeriodEnd,
		graceUntil: row.graceUntil,
		stripeSubscriptionId: row.stripeSubscriptionId,
		limits: limitsFor(effective, row.seats)
	};
}

/** Sets a team's plan directly (the self-hosted admin command; Stripe webhooks use their own sync). */
export async function setPlan(db: Queryable, teamId: string, plan: PlanId, seats: number | null): Promise<void> {
	const values = { plan, seats: PLANS[plan].seats === 'bought' ? Math.max(1, seats ?? 1) : null, status: 'active' as const, graceUntil: null, updatedAt: new Date() };
	await db
		.insert(teamBilling)
		.values({ teamId, ...values })
		.onConflictDoUpdate({ target: teamBilling.teamId, set: values });
}

const SEAT_ROLES: Role[] = ['owner', 'admin', 'editor'];

export async function seatsUsed(db: Queryable, teamId: string): Promise<number> {
	const [{ value }] = await db
		.select({ value: count() })
		.from(memberships)
		.where(and(eq(memberships.teamId, teamId), inArray(memberships.role, SEAT_ROLES)));
	return value;
}

function upgradeHint(plan: PlanId): string {
	const next = upgradeFor(plan);
	return next ? ` Upgrade to ${next.name} for more.` : ' Buy more seats on the billing page.';
}

/** The team's canvases that count against its plan: those outside the trash. */
function countedCanvases(teamId: string) {
	return and(eq(canvases.teamId, teamId), isNull(canvases.deletedAt));
}

/**
 * After a downgrade nothing is deleted: when a team has more canvases than its plan allows, only
 * the oldest ones up to the limit stay editable and the rest are read-only until it is back within.
 */
export async function isCanvasOverLimit(db: Queryable, teamId: string, canvasId: string): Promise<boolean> {
	const { limits } = await teamPlan(db, teamId);
	if (limits.canvases === null) return false;
	const editable = await db
		.select({ id: canvases.id })
		.from(canvases)
		.where(countedCanvases(teamId))
		.orderBy(asc(canvases.createdAt), asc(canvases.id))
		.limit(limits.canvases);
	return editable.length === limits.canvases && !editable.some((row) => row.id === canvasId);
}

/** Why a canvas beyond the plan's canvas limit refuses changes, naming the limit and the way back. */
export async function canvasReadOnlyError(db: Queryable, teamId: string): Promise<AppError> {
	const { limits } = await teamPlan(db, teamId);
	const [{ value }] = await db.select({ value: count() }).from(canvases).where(countedCanvases(teamId));
	const next = upgradeFor(limits.plan);
	return new AppError(
		'LIMIT_EXCEEDED',
		`This canvas is read-only: the ${PLANS[limits.plan].name} plan includes ${limits.canvases} canvases and this team has ${value}.${next ? ` Upgrade to ${next.name}, or move canvases to the trash, to edit it again.` : ' Move canvases to the trash to edit it again.'}`,
		{ limit: 'canvases', allowed: limits.canvases, used: value, plan: limits.plan }
	);
}

/**
 * Serialises a team's limit checks with the writes they allow, until the transaction ends: without
 * it, concurrent requests on PostgreSQL all count the same rows and all pass. A row lock on the
 * team (PGlite runs one transaction at a time anyway). NO KEY UPDATE, so inserts that only
 * reference the team (canvases, audit rows, documents) don't wait; other limit checks do.
 */
export async function lockTeamLimits(tx: Transaction, teamId: string): Promise<void> {
	await tx.select({ id: teams.id }).from(teams).where(eq(teams.id, teamId)).for('no key update');
}

/**
 * Refuses a 11th canvas on free (and so on), naming the limit and the upgrade; canvases in the trash
 * don't count. Takes the team's limit lock: insert (or restore) the canvas in the same transaction.
 */
export async function assertCanCreateCanvas(tx: Transaction, teamId: string): Promise<void> {
	await lockTeamLimits(tx, teamId);
	const { limits } = await teamPlan(tx, teamId);
	if (limits.canvases === null) return;
	const [{ value }] = await tx.select({ value: count() }).from(canvases).where(countedCanvases(teamId));
	if (value >= limits.canvases) {
		throw new AppError(
			'LIMIT_EXCEEDED',
			`The ${PLANS[limits.plan].name} plan includes ${limits.canvases} canvases and this team has ${value}.${upgradeHint(limits.plan)}`,
			{
				limit: 'canvases',
				allowed: limits.canvases,
				used: value,
				plan: limits.plan
			}
		);
	}
}

/**
 * Refuses a new editor (or above) when every seat is taken. Viewers are free. An owner of a team
 * paying per seat through Stripe buys the extra seat instead (the quantity is synced afterwards).
 * Call it for every change that makes someone take a seat (joining, a viewer promoted, ownership
 * handed to a viewer); it takes the team's limit lock, so write the change in the same transaction.
 */
export async function assertSeatAvailable(tx: Transaction, teamId: string, role: Role, options: { buyerIsOwner?: boolean } = {}): Promise<void> {
	if (!SEAT_ROLES.includes(role)) return;
	await lockTeamLimits(tx, teamId);
	const { limits } = await teamPlan(tx, teamId);
	const used = await seatsUsed(tx, teamId);
	if (used >= limits.seats) {
		if (options.buyerIsOwner && limits.plan === 'team') {
			const [row] = await tx.select({ subscription: teamBilling.stripeSubscriptionId }).from(teamBilling).where(eq(teamBilling.teamId, teamId));
			if (row?.subscription) return;
		}
		throw new AppError('LIMIT_EXCEEDED', `All ${limits.seats} seats of the ${PLANS[limits.plan].name} plan are taken (viewers are free).${upgradeHint(limits.plan)}`, {
			limit: 'seats',
			allowed: limits.seats,
			used,
			plan: limits.plan
		});
	}
}
