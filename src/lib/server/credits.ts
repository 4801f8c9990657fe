// AI credits as a ledger: a team's balance is the sum of its rows. Every period the plan's monthly
// credits are granted once (`ensureMonthlyGrant`, lazily, wherever the balance matters). Work
// reserves credits first, then commits what it used or releases the reservation, so the balance
// never goes negative; a reservation whose holder died expires and is released by the sweeper.
import { and, desc, eq, like, lt, lte, or, sum } from 'drizzle-orm';
import type { Database, Queryable } from './db/index.ts';
import { creditLedger, creditReservations, teamBilling, type CreditReason } from './db/schema.ts';
import { isUuid } from './access.ts';
import * as billing from './billing.ts';
import { AppError } from './errors.ts';
import { parsePage } from './paging.ts';

export async function balance(db: Queryable, teamId: string): Promise<number> {
	const [{ value }] = await db
		.select({ value: sum(creditLedger.delta) })
		.from(creditLedger)
		.where(eq(creditLedger.teamId, teamId));
	return Number(value ?? 0);
}

export interface LedgerRow {
	id: number;
	delta: number;
	reason: CreditReason;
	reference: string | null;
	createdAt: Date;
}

export async function ledger(db: Queryable, teamId: string, page: { limit?: number; before?: number } = {}): Promise<LedgerRow[]> {
	const { limit, before } = parsePage(page);
	return db
		.select({ id: creditLedger.id, delta: creditLedger.delta, reason: creditLedger.reason, reference: creditLedger.reference, createdAt: creditLedger.createdAt })
		.from(creditLedger)
		.where(and(eq(creditLedger.teamId, teamId), before ? lt(creditLedger.id, before) : undefined))
		.orderBy(desc(creditLedger.id))
		.limit(limit);
}

/** Adds credits (monthly grant, purchase) or removes them (refund); applied once per reason + reference. */
export async function record(db: Queryable, teamId: string, delta: number, reason: CreditReason, reference: string): Promise<boolean> {
	const inserted = await db.insert(creditLedger).values({ teamId, delta, reason, reference }).onConflictDoNothing().returning({ id: creditLedger.id });
	return inserted.length > 0;
}

/**
 * The period a team's monthly credits belong to at `now`, as the ledger reference of its grant: the
 * calendar month (UTC) without a Stripe subscription, the subscription's billing period (known by
 * its end, the one bound of it we store) with one. Null while a subscriber's period is not paid or
 * not yet reported by Stripe: the paid invoice grants it then.
 */
export function grantPeriod(plan: billing.TeamPlan, now: Date): string | null {
	if (!plan.stripeSubscriptionId) return `period:${now.toISOString().slice(0, 7)}`;
	if (!billing.PAID_STATUSES.has(plan.status) || !plan.currentPeriodEnd || plan.currentPeriodEnd.getTime() <= now.getTime()) return null;
	return `period:stripe:${plan.currentPeriodEnd.toISOString()}`;
}

/** Credits granted for one period so far: its first grant plus any top-ups after upgrades. */
async function grantedInPeriod(db: Queryable, teamId: string, period: string): Promise<number> {
	const [{ value }] = await db
		.select({ value: sum(creditLedger.delta) })
		.from(creditLedger)
		.where(and(eq(creditLedger.teamId, teamId), eq(creditLedger.reason, 'grant'), or(eq(creditLedger.reference, period), like(creditLedger.reference, `${period}:%`))));
	return Number(value ?? 0);
}

/**
 * Grants the team its plan's monthly credits for the current period, once: the period's grants add
 * up to the largest allowance the team had in it (an upgrade mid-period adds the difference, a
 * downgrade takes nothing back). Cheap when already granted (two reads); safe on several instances
 * at once. Returns the credits this call added.
 */
export async function ensureMonthlyGrant(db: Database, teamId: string, now = new Date()): Promise<number> {
	const plan = await billing.teamPlan(db, teamId, now);
	const period = grantPeriod(plan, now);
	if (!period || (await grantedInPeriod(db, teamId, period)) >= plan.limits.monthlyCredits) return 0;
	return db.transaction((tx) => grantMonthly(tx, teamId, now));
}

/**
 * `ensureMonthlyGrant` inside a caller's transaction (the Stripe webhook's): under the team's credit
 * lock it re-reads the plan and what the period already got, and tops it up to the allowance. The
 * ledger's unique (team, reason, reference) is a second guard: a period's first grant is
 * `period:<p>`, a top-up to N credits `period:<p>:<N>`.
 */
export async function grantMonthly(tx: Queryable, teamId: string, now = new Date()): Promise<number> {
	await lockTeam(tx, teamId);
	const plan = await billing.teamPlan(tx, teamId, now);
	const period = grantPeriod(plan, now);
	if (!period) return 0;
	const allowance = plan.limits.monthlyCredits;
	const granted = await grantedInPeriod(tx, teamId, period);
	if (granted >= allowance) return 0;
	const added = allowance - granted;
	return (await record(tx, teamId, added, 'grant', granted === 0 ? period : `${period}:${allowance}`)) ? added : 0;
}

/** The balance after this period's grant: what pages and the API show. */
export async function currentBalance(db: Database, teamId: string, now = new Date()): Promise<number> {
	await ensureMonthlyGrant(db, teamId, now);
	return balance(db, teamId);
}

/** Serialises credit changes of one team (row lock on its billing row); call it inside a transaction. */
async function lockTeam(tx: Queryable, teamId: string): Promise<void> {
	await tx.insert(teamBilling).values({ teamId }).onConflictDoNothing();
	await tx.select({ teamId: teamBilling.teamId }).from(teamBilling).where(eq(teamBilling.teamId, teamId)).for('update');
}

/** How long a reservation holds its credits unless the work says otherwise (then the sweeper releases it). */
export const DEFAULT_RESERVATION_TTL_MS = 15 * 60 * 1000;

/**
 * Holds `amount` credits for work about to start; LIMIT_EXCEEDED when the balance is short. The hold
 * ends when the work commits or releases it, or after `ttlMs` when its holder died (`releaseExpired`).
 */
export async function reserve(db: Database, teamId: string, amount: number, options: { ttlMs?: number; now?: Date } = {}): Promise<string> {
	if (!Number.isInteger(amount) || amount <= 0) throw new AppError('INVALID_INPUT', 'A reservation must be a positive whole number of credits.');
	const ttlMs = options.ttlMs ?? DEFAULT_RESERVATION_TTL_MS;
	if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new AppError('INVALID_INPUT', 'A reservation must expire after a positive time.');
	const now = options.now ?? new Date();
	const expiresAt = new Date(now.getTime() + ttlMs);
	const reservationId = crypto.randomUUID();
	await ensureMonthlyGrant(db, teamId, now);
	await db.transaction(async (tx) => {
		await lockTeam(tx, teamId);
		const available = await balance(tx, teamId);
		if (available < amount) {
			throw new AppError(
				'LIMIT_EXCEEDED',
				`This needs ${amount} AI ${amount === 1 ? 'credit' : 'credits'} and the team has ${available}. Buy credits or upgrade for a bigger monthly grant.`,
				{
					limit: 'credits',
					needed: amount,
					available
				}
			);
		}
		await tx.insert(creditLedger).values({ teamId, delta: -amount, reason: 'reservation', reference: reservationId });
		await tx.insert(creditReservations).values({ id: reservationId, teamId, amount, expiresAt });
	});
	return reservationId;
}

/**
 * Ends a reservation, charging what the work used (at most what was reserved). True when this call
 * settled it; false, charging nothing, when it had already ended: settled before, or expired (its
 * holder was presumed dead and the credits went back).
 */
export async function commit(db: Database, teamId: string, reservationId: string, used: number, now = new Date()): Promise<boolean> {
	return settle(db, teamId, reservationId, used, now);
}

/** What a reservation was charged, once it ended (0 when released or still open). */
export async function chargedFor(db: Queryable, teamId: string, reservationId: string): Promise<number> {
	const [{ value }] = await db
		.select({ value: sum(creditLedger.delta) })
		.from(creditLedger)
		.where(and(eq(creditLedger.teamId, teamId), eq(creditLedger.reason, 'charge'), eq(creditLedger.reference, reservationId)));
	return -Number(value ?? 0);
}

/** Ends a reservation without charging (the work failed). True when this call released it; false when it had already ended or expired (the credits are back either way). */
export async function release(db: Database, teamId: string, reservationId: string, now = new Date()): Promise<boolean> {
	return settle(db, teamId, reservationId, 0, now);
}

async function settle(db: Database, teamId: string, reservationId: string, used: number, now: Date): Promise<boolean> {
	return db.transaction(async (tx) => {
		await lockTeam(tx, teamId);
		const [open] = isUuid(reservationId)
			? await tx
					.delete(creditReservations)
					.where(and(eq(creditReservations.id, reservationId), eq(creditReservations.teamId, teamId)))
					.returning({ amount: creditReservations.amount, expiresAt: creditReservations.expiresAt })
			: [];
		if (!open) {
			const [held] = await tx
				.select({ id: creditLedger.id })
				.from(creditLedger)
				.where(and(eq(creditLedger.teamId, teamId), eq(creditLedger.reason, 'reservation'), eq(creditLedger.reference, reservationId)));
			if (!held) throw new AppError('NOT_FOUND', 'That credit reservation does not exist.');
			return false; // already committed, released or expired
		}
		// The unique (team, reason, reference) writes a release once, whoever ends the reservation.
		if (!(await record(tx, teamId, open.amount, 'reservation_release', reservationId))) return false;
		// Past its expiry the holder counts as dead, whether or not the sweeper got there first.
		if (open.expiresAt.getTime() <= now.getTime()) return false;
		const charge = Math.min(Math.max(0, Math.round(used)), open.amount);
		if (charge > 0) await tx.insert(creditLedger).values({ teamId, delta: -charge, reason: 'charge', reference: reservationId });
		return true;
	});
}

/**
 * The sweeper: releases every reservation past its expiry (its holder died), returning how many.
 * Safe on several instances at once: a team is swept under its lock taken with SKIP LOCKED (a team
 * busy elsewhere waits for the next sweep), and the ledger's unique (team, reason, reference) writes
 * each release once, so running it twice, or racing a commit, never gives credits back twice.
 */
export async function releaseExpired(db: Database, now = new Date(), maxTeams = 500): Promise<number> {
	const due = await db.selectDistinct({ teamId: creditReservations.teamId }).from(creditReservations).where(lte(creditReservations.expiresAt, now)).limit(maxTeams);
	let released = 0;
	for (const { teamId } of due) {
		released += await db.transaction(async (tx) => {
			const [locked] = await tx.select({ teamId: teamBilling.teamId }).from(teamBilling).where(eq(teamBilling.teamId, teamId)).for('update', { skipLocked: true });
			if (!locked) return 0;
			const expired = await tx
				.delete(creditReservations)
				.where(and(eq(creditReservations.teamId, teamId), lte(creditReservations.expiresAt, now)))
				.returning({ id: creditReservations.id, amount: creditReservations.amount });
			let count = 0;
			for (const reservation of expired) if (await record(tx, teamId, reservation.amount, 'reservation_release', reservation.id)) count++;
			return count;
		});
	}
	return released;
}
