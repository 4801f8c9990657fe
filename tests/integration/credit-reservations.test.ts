// Credit reservations expire when their holder dies: the sweeper releases each exactly once, even
// when several instances sweep at once and a late commit races them; on both databases.
import { expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import * as accounts from '../../src/lib/server/accounts.ts';
import * as credits from '../../src/lib/server/credits.ts';
import * as teams from '../../src/lib/server/teams.ts';
import { creditLedger, creditReservations } from '../../src/lib/server/db/schema.ts';
import type { OpenDatabase } from '../../src/lib/server/db/index.ts';
import { setCreditBalance } from '../helpers/credits.ts';
import { describeEachDatabase, uniqueEmail } from '../helpers/databases.ts';

const MINUTE = 60_000;

async function teamWithCredits(db: OpenDatabase['db'], grant: number): Promise<string> {
	const user = await accounts.signUp(db, { email: uniqueEmail('credits'), password: 'password123', name: 'Holder' });
	const team = await teams.create(db, { kind: 'user', userId: user.id }, 'Credits team');
	await setCreditBalance(db, team.id, grant);
	return team.id;
}

async function releasesOf(db: OpenDatabase['db'], teamId: string, reservationId: string): Promise<number> {
	const rows = await db
		.select({ id: creditLedger.id })
		.from(creditLedger)
		.where(and(eq(creditLedger.teamId, teamId), eq(creditLedger.reason, 'reservation_release'), eq(creditLedger.reference, reservationId)));
	return rows.length;
}

describeEachDatabase('credit reservations expire', (database, driver, anotherPool) => {
	it('a reservation holds its credits until it expires (15 minutes unless told), then the sweeper releases it once', async () => {
		const { db } = database();
		const teamId = await teamWithCredits(db, 50);
		const start = new Date();
		const byDefault = await credits.reserve(db, teamId, 20, { now: start });
		const [row] = await db.select({ expiresAt: creditReservations.expiresAt }).from(creditReservations).where(eq(creditReservations.id, byDefault));
		expect(row.expiresAt.getTime()).toBe(start.getTime() + credits.DEFAULT_RESERVATION_TTL_MS);
		const short = await credits.reserve(db, teamId, 10, { ttlMs: MINUTE, now: start });
		expect(await credits.balance(db, teamId)).toBe(20);

		expect(await credits.releaseExpired(db, new Date(start.getTime() + MINUTE - 1))).toBe(0);
		expect(await credits.balance(db, teamId)).toBe(20);
		expect(await credits.releaseExpired(db, new Date(start.getTime() + MINUTE))).toBe(1);
		expect(await credits.balance(db, teamId)).toBe(30);
		expect(await credits.releaseExpired(db, new Date(start.getTime() + 2 * MINUTE))).toBe(0);
		expect(await releasesOf(db, teamId, short)).toBe(1);

		// The unexpired one was kept and still commits normally.
		expect(await credits.commit(db, teamId, byDefault, 5, new Date(start.getTime() + 2 * MINUTE))).toBe(true);
		expect(await credits.balance(db, teamId)).toBe(45);
		await expect(credits.reserve(db, teamId, 1, { ttlMs: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
	});

	it('committing or releasing after expiry charges nothing and says so, swept or not', async () => {
		const { db } = database();
		const teamId = await teamWithCredits(db, 30);
		const start = new Date();
		const later = new Date(start.getTime() + 2 * MINUTE);
		const swept = await credits.reserve(db, teamId, 10, { ttlMs: MINUTE, now: start });
		const notYetSwept = await credits.reserve(db, teamId, 10, { ttlMs: MINUTE, now: start });
		expect(await credits.releaseExpired(db, later)).toBe(2);
		expect(await credits.commit(db, teamId, swept, 10, later)).toBe(false);
		expect(await credits.release(db, teamId, swept, later)).toBe(false);
		expect(await credits.balance(db, teamId)).toBe(30);

		// Expired but the sweeper has not come by: the commit itself gives the credits back.
		const lapsed = await credits.reserve(db, teamId, 30, { ttlMs: MINUTE, now: start });
		expect(await credits.balance(db, teamId)).toBe(0);
		expect(await credits.commit(db, teamId, lapsed, 30, later)).toBe(false);
		expect(await credits.balance(db, teamId)).toBe(30);
		expect(await credits.releaseExpired(db, later)).toBe(0);
		expect(await releasesOf(db, teamId, lapsed)).toBe(1);
		expect((await credits.ledger(db, teamId)).filter((entry) => entry.reason === 'charge')).toEqual([]);
		expect(notYetSwept).not.toBe(swept);
		await expect(credits.commit(db, teamId, crypto.randomUUID(), 1)).rejects.toMatchObject({ code: 'NOT_FOUND' });
	});

	it(`two sweepers racing each other and late commits release every expired reservation exactly once [${driver}: ${driver === 'postgres' ? 'two pools' : 'one process'}]`, async () => {
		const { db } = database();
		const other = (await anotherPool()).db;
		const start = new Date();
		const later = new Date(start.getTime() + 2 * MINUTE);
		const held: { teamId: string; reservationId: string }[] = [];
		const kept: { teamId: string; reservationId: string }[] = [];
		const teamIds: string[] = [];
		for (let t = 0; t < 6; t++) {
			const teamId = await teamWithCredits(db, 40);
			teamIds.push(teamId);
			for (let r = 0; r < 3; r++) held.push({ teamId, reservationId: await credits.reserve(db, teamId, 10, { ttlMs: MINUTE, now: start }) });
			kept.push({ teamId, reservationId: await credits.reserve(db, teamId, 10, { now: start }) });
			expect(await credits.balance(db, teamId)).toBe(0);
		}
		const late = held.filter((_, index) => index % 3 === 0);
		const results = await Promise.all([
			credits.releaseExpired(db, later),
			credits.releaseExpired(other, later),
			credits.releaseExpired(other, later),
			credits.releaseExpired(db, later),
			...late.map(({ teamId, reservationId }, index) => credits.commit(index % 2 ? other : db, teamId, reservationId, 10, later))
		]);
		const sweptCount = results.slice(0, 4).reduce<number>((sum, value) => sum + Number(value), 0);
		const committed = results.slice(4);
		expect(committed.every((value) => value === false)).toBe(true);
		// A sweeper skips a team another one (or a commit) holds; a later sweep picks up what is left.
		const leftOver = await credits.releaseExpired(db, later);
		expect(sweptCount + leftOver).toBeLessThanOrEqual(held.length);
		for (const { teamId, reservationId } of held) expect(await releasesOf(db, teamId, reservationId)).toBe(1);
		for (const { teamId, reservationId } of kept) expect(await releasesOf(db, teamId, reservationId)).toBe(0);
		for (const teamId of teamIds) expect(await credits.balance(db, teamId)).toBe(30);
		expect(await credits.releaseExpired(other, later)).toBe(0);
	});

	it('the balance never goes negative: expired credits come back once, and only what is there can be reserved again', async () => {
		const { db } = database();
		const other = (await anotherPool()).db;
		const teamId = await teamWithCredits(db, 21);
		const start = new Date();
		const later = new Date(start.getTime() + 2 * MINUTE);
		const doomed = await Promise.all([1, 2, 3].map(() => credits.reserve(db, teamId, 7, { ttlMs: MINUTE, now: start })));
		await expect(credits.reserve(db, teamId, 1)).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', details: { available: 0 } });
		const attempts = await Promise.allSettled([
			credits.releaseExpired(db, later),
			credits.releaseExpired(other, later),
			...Array.from({ length: 6 }, (_, index) => credits.reserve(index % 2 ? other : db, teamId, 7))
		]);
		expect(await credits.releaseExpired(db, later)).toBeGreaterThanOrEqual(0);
		for (const attempt of attempts) if (attempt.status === 'rejected') expect(attempt.reason).toMatchObject({ code: 'LIMIT_EXCEEDED' });
		const reservedAgain = attempts.slice(2).filter((attempt) => attempt.status === 'fulfilled').length;
		expect(reservedAgain).toBeLessThanOrEqual(3);
		expect(await credits.balance(db, teamId)).toBe(21 - 7 * reservedAgain);
		expect(await credits.balance(db, teamId)).toBeGreaterThanOrEqual(0);
		for (const reservationId of doomed) expect(await releasesOf(db, teamId, reservationId)).toBe(1);
	});
});
