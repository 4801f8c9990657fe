// Plan limits and the credits ledger, on both databases.
import { describe, expect, it } from 'vitest';
import * as accounts from '../../src/lib/server/accounts.ts';
import * as billing from '../../src/lib/server/billing.ts';
import * as canvases from '../../src/lib/server/canvases.ts';
import * as trash from '../../src/lib/server/trash/index.ts';
import * as credits from '../../src/lib/server/credits.ts';
import * as invitations from '../../src/lib/server/invitations.ts';
import * as teams from '../../src/lib/server/teams.ts';
import { limitsFor, PLANS } from '../../src/lib/server/plans.ts';
import type { UserActor } from '../../src/lib/server/access.ts';
import type { OpenDatabase } from '../../src/lib/server/db/index.ts';
import { describeEachDatabase, uniqueEmail } from '../helpers/databases.ts';
import { setCreditBalance } from '../helpers/credits.ts';
import { recordingServices } from '../helpers/services.ts';

describe('plan catalog', () => {
	it('matches the published plans', () => {
		expect(limitsFor('free', null)).toMatchObject({ seats: 3, canvases: 10, historyDays: 7, monthlyCredits: 50 });
		expect(limitsFor('pro', null)).toMatchObject({ seats: 10, canvases: null, historyDays: 90, monthlyCredits: 1000 });
		expect(limitsFor('team', 7)).toMatchObject({ seats: 7, canvases: null, historyDays: null, monthlyCredits: 7000, keepsNamedVersions: true });
		expect(Object.keys(PLANS)).toEqual(['free', 'pro', 'team']);
	});
});

async function owner(db: OpenDatabase['db']): Promise<UserActor & { teamId: string }> {
	const user = await accounts.signUp(db, { email: uniqueEmail('owner'), password: 'password123', name: 'Owner' });
	const actor = { kind: 'user' as const, userId: user.id };
	const team = await teams.create(db, actor, 'Billing team');
	return { ...actor, teamId: team.id };
}

describeEachDatabase('plan limits', (database) => {
	it('a free team cannot create its 11th canvas, with a message naming the limit and the upgrade', async () => {
		const { db } = database();
		const boss = await owner(db);
		for (let i = 0; i < 10; i++) await canvases.create(db, boss, { teamId: boss.teamId });
		const refused = await canvases.create(db, boss, { teamId: boss.teamId }).catch((error) => error);
		expect(refused).toMatchObject({ code: 'LIMIT_EXCEEDED', status: 402, details: { limit: 'canvases', allowed: 10, used: 10, plan: 'free' } });
		expect(refused.message).toBe('The Free plan includes 10 canvases and this team has 10. Upgrade to Pro for more.');
		expect((await canvases.listForTeam(db, boss, boss.teamId)).length).toBe(10);
		await billing.setPlan(db, boss.teamId, 'pro', null);
		await expect(canvases.create(db, boss, { teamId: boss.teamId })).resolves.toBeDefined();
	});

	it('seats: editors beyond the seats are refused at invitation and at acceptance; viewers are free', async () => {
		const { db } = database();
		const boss = await owner(db);
		const editors = await Promise.all([1, 2].map(() => invitations.create(db, boss, boss.teamId, { role: 'editor', maxUses: 1 })));
		const spare = await invitations.create(db, boss, boss.teamId, { role: 'editor', maxUses: 1 });
		for (const invite of editors) {
			const person = await accounts.signUp(db, { email: uniqueEmail(), password: 'password123' });
			await invitations.accept(recordingServices(db), { kind: 'user', userId: person.id }, invite.token);
		}
		expect(await billing.seatsUsed(db, boss.teamId)).toBe(3);
		await expect(invitations.create(db, boss, boss.teamId, { role: 'editor' })).rejects.toMatchObject({
			code: 'LIMIT_EXCEEDED',
			details: { limit: 'seats', allowed: 3 }
		});
		const late = await accounts.signUp(db, { email: uniqueEmail(), password: 'password123' });
		await expect(invitations.accept(recordingServices(db), { kind: 'user', userId: late.id }, spare.token)).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
		const viewer = await invitations.create(db, boss, boss.teamId, { role: 'viewer' });
		await expect(invitations.accept(recordingServices(db), { kind: 'user', userId: late.id }, viewer.token)).resolves.toMatchObject({ role: 'viewer', joined: true });
		await expect(teams.changeRole(recordingServices(db), boss, boss.teamId, late.id, 'editor')).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
		await billing.setPlan(db, boss.teamId, 'team', 5);
		await expect(teams.changeRole(recordingServices(db), boss, boss.teamId, late.id, 'editor')).resolves.toMatchObject({ role: 'editor' });
	});

	it('a lapsed subscription keeps paid limits during its grace period, then falls back to free', async () => {
		const { db } = database();
		const boss = await owner(db);
		await billing.setPlan(db, boss.teamId, 'pro', null);
		const { teamBilling } = await import('../../src/lib/server/db/schema.ts');
		const { eq } = await import('drizzle-orm');
		await db
			.update(teamBilling)
			.set({ status: 'past_due', graceUntil: new Date(Date.now() + 86_400_000) })
			.where(eq(teamBilling.teamId, boss.teamId));
		expect((await billing.teamPlan(db, boss.teamId)).limits.plan).toBe('pro');
		expect((await billing.teamPlan(db, boss.teamId, new Date(Date.now() + 2 * 86_400_000))).limits.plan).toBe('free');
	});
});

describeEachDatabase('credits ledger', (database) => {
	it('50 concurrent spends never take the balance below zero', async () => {
		const { db } = database();
		const boss = await owner(db);
		await setCreditBalance(db, boss.teamId, 100);
		const attempts = await Promise.allSettled(
			Array.from({ length: 50 }, async () => {
				const reservation = await credits.reserve(db, boss.teamId, 7);
				await credits.commit(db, boss.teamId, reservation, 7);
			})
		);
		const succeeded = attempts.filter((attempt) => attempt.status === 'fulfilled').length;
		expect(succeeded).toBe(14); // 14 × 7 = 98 ≤ 100 < 15 × 7
		for (const attempt of attempts) {
			if (attempt.status === 'rejected') expect(attempt.reason).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'credits' } });
		}
		expect(await credits.balance(db, boss.teamId)).toBe(2);
	});

	it('commit charges at most what was reserved, release charges nothing, both are idempotent', async () => {
		const { db } = database();
		const boss = await owner(db);
		await setCreditBalance(db, boss.teamId, 0);
		await credits.record(db, boss.teamId, 50, 'grant', 'period:a');
		expect(await credits.record(db, boss.teamId, 50, 'grant', 'period:a')).toBe(false); // the same grant twice
		const first = await credits.reserve(db, boss.teamId, 20);
		expect(await credits.balance(db, boss.teamId)).toBe(30);
		await credits.commit(db, boss.teamId, first, 12);
		await credits.commit(db, boss.teamId, first, 12);
		expect(await credits.balance(db, boss.teamId)).toBe(38);
		const second = await credits.reserve(db, boss.teamId, 10);
		await credits.release(db, boss.teamId, second);
		await credits.release(db, boss.teamId, second);
		expect(await credits.balance(db, boss.teamId)).toBe(38);
		const third = await credits.reserve(db, boss.teamId, 5);
		await credits.commit(db, boss.teamId, third, 500);
		expect(await credits.balance(db, boss.teamId)).toBe(33);
		expect((await credits.ledger(db, boss.teamId, { limit: 3 })).map((row) => row.reason)).toEqual(['charge', 'reservation_release', 'reservation']);
		await expect(credits.reserve(db, boss.teamId, 34)).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
		await expect(credits.reserve(db, boss.teamId, 0)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
	});
});

describeEachDatabase('downgrades keep data', (database) => {
	it('canvases beyond the plan limit turn read-only (never deleted) until the team is within it again', async () => {
		const { db } = database();
		const { resolveCanvasAccess } = await import('../../src/lib/server/access.ts');
		const boss = await owner(db);
		await billing.setPlan(db, boss.teamId, 'pro', null);
		const ids: string[] = [];
		for (let i = 0; i < 12; i++) ids.push((await canvases.create(db, boss, { teamId: boss.teamId, title: `C${i}` })).id);
		await billing.setPlan(db, boss.teamId, 'free', null);
		const access = await Promise.all(ids.map((id) => resolveCanvasAccess(db, boss, id)));
		expect(access.map((a) => a.canEdit)).toEqual([...Array(10).fill(true), false, false]);
		expect(access[11].readOnlyReason).toBe('plan_limit');
		expect((await canvases.listForTeam(db, boss, boss.teamId)).length).toBe(12);
		// Canvases in the trash don't count.
		await trash.moveCanvasToTrash(recordingServices(db), boss, ids[0]);
		await trash.moveCanvasToTrash(recordingServices(db), boss, ids[1]);
		expect((await resolveCanvasAccess(db, boss, ids[11])).canEdit).toBe(true);
	});
});
