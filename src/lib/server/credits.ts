// AI credits as a ledger: a team's balance is the sum of its rows. Work reserves credits first,
// then commits what it used or releases the reservation, so the balance never goes negative.
import { and, desc, eq, lt, sum } from 'drizzle-orm';
import type { Database, Queryable, Transaction } from './db/index.ts';
import { creditLedger, teamBilling, type CreditReason } from './db/schema.ts';
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

/** Serialises credit changes of one team (row lock on its billing row). */
async function lockTeam(tx: Transaction, teamId: string): Promise<void> {
	await tx.insert(teamBilling).values({ teamId }).onConflictDoNothing();
	await tx.select({ teamId: teamBilling.teamId }).from(teamBilling).where(eq(teamBilling.teamId, teamId)).for('update');
}

/** Holds `amount` credits for work about to start; LIMIT_EXCEEDED when the balance is short. */
export async function reserve(db: Database, teamId: string, amount: number): Promise<string> {
	if (!Number.isInteger(amount) || amount <= 0) throw new AppError('INVALID_INPUT', 'A reservation must be a positive whole number of credits.');
	const reservationId = crypto.randomUUID();
	await db.transaction(async (tx) => {
		await lockTeam(tx, teamId);
		const available = await balance(tx, teamId);
		if (available < amount) {
			throw new AppError('LIMIT_EXCEEDED', `This needs ${amount} AI credits and the team has ${available}. Buy credits or upgrade for a bigger monthly grant.`, {
				limit: 'credits',
				needed: amount,
				available
			});
		}
		await tx.insert(creditLedger).values({ teamId, delta: -amount, reason: 'reservation', reference: reservationId });
	});
	return reservationId;
}

/** Ends a reservation, charging what the work used (at most what was reserved). Idempotent. */
export async function commit(db: Database, teamId: string, reservationId: string, used: number): Promise<void> {
	await settle(db, teamId, reservationId, used);
}

/** Ends a reservation without charging (the work failed). Idempotent. */
export async function release(db: Database, teamId: string, reservationId: string): Promise<void> {
	await settle(db, teamId, reservationId, 0);
}

async function settle(db: Database, teamId: string, reservationId: string, used: number): Promise<void> {
	await db.transaction(async (tx) => {
		await lockTeam(tx, teamId);
		const [held] = await tx
			.select({ delta: creditLedger.delta })
			.from(creditLedger)
			.where(and(eq(creditLedger.teamId, teamId), eq(creditLedger.reason, 'reservation'), eq(creditLedger.reference, reservationId)));
		if (!held) throw new AppError('NOT_FOUND', 'That credit reservation does not exist.');
		const reserved = -held.delta;
		const released = await record(tx, teamId, reserved, 'reservation_release', reservationId);
		if (!released) return; // already settled
		const charge = Math.min(Math.max(0, Math.round(used)), reserved);
		if (charge > 0) await tx.insert(creditLedger).values({ teamId, delta: -charge, reason: 'charge', reference: reservationId });
	});
}
