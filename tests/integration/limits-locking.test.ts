// Plan limits (seats, canvases) hold against every path that takes a seat or adds a canvas, and
// against concurrent requests: on PostgreSQL these run in parallel on a pool of several connections.
import { expect, it } from 'vitest';
import * as accounts from '../../src/lib/server/accounts.ts';
import * as billing from '../../src/lib/server/billing.ts';
import * as canvases from '../../src/lib/server/canvases.ts';
import * as invitations from '../../src/lib/server/invitations.ts';
import * as teams from '../../src/lib/server/teams.ts';
import type { UserActor } from '../../src/lib/server/access.ts';
import type { Database } from '../../src/lib/server/db/index.ts';
import { describeEachDatabase, uniqueEmail } from '../helpers/databases.ts';
import { recordingServices } from '../helpers/services.ts';

async function person(db: Database, name: string): Promise<UserActor & { id: string }> {
	const user = await accounts.signUp(db, { email: uniqueEmail(name.toLowerCase().replace(/[^a-z0-9]/g, '')), password: 'password123', name });
	return { kind: 'user', userId: user.id, id: user.id };
}

/** A Free team owned by a new user. */
async function freeTeam(db: Database, name = 'Limits'): Promise<{ teamId: string; owner: UserActor }> {
	const owner = await person(db, 'Owner');
	const team = await teams.create(db, owner, name);
	return { teamId: team.id, owner };
}

async function join(db: Database, owner: UserActor, teamId: string, role: 'viewer' | 'editor', count: number): Promise<(UserActor & { id: string })[]> {
	const { token } = await invitations.create(db, owner, teamId, { role, maxUses: null });
	const people = [];
	for (let i = 0; i < count; i++) {
		const member = await person(db, `${role} ${i}`);
		await invitations.accept(recordingServices(db), member, token);
		people.push(member);
	}
	return people;
}

const seatsRefusal = { code: 'LIMIT_EXCEEDED', details: { limit: 'seats', allowed: 3, plan: 'free' } };

function outcomes(results: PromiseSettledResult<unknown>[]) {
	const refused = results.filter((result) => result.status === 'rejected').map((result) => (result as PromiseRejectedResult).reason);
	return { fulfilled: results.length - refused.length, refused };
}

describeEachDatabase('seat limits through ownership', (database) => {
	it('the owner-transfer cycle that reached 7 of 3 seats stops at 3, with the seat limit named', async () => {
		const db = database().db;
		const { teamId, owner: first } = await freeTeam(db);
		const [second] = await join(db, first, teamId, 'editor', 1);
		await teams.changeRole(recordingServices(db), first, teamId, second.userId, 'owner');
		const viewers = await join(db, first, teamId, 'viewer', 5);
		expect(await billing.seatsUsed(db, teamId)).toBe(2);

		// Hand ownership to a (free) viewer, take it back through the other owner, demote the viewer to
		// editor; repeat with the next viewer. Each round used to add a seat.
		const refusals: unknown[] = [];
		for (const viewer of viewers) {
			try {
				await teams.transferOwnership(recordingServices(db), first, teamId, viewer.userId);
				await teams.changeRole(recordingServices(db), second, teamId, first.userId, 'owner');
				await teams.changeRole(recordingServices(db), second, teamId, viewer.userId, 'editor');
			} catch (error) {
				refusals.push(error);
			}
			expect(await billing.seatsUsed(db, teamId)).toBeLessThanOrEqual(3);
		}
		expect(await billing.seatsUsed(db, teamId)).toBe(3);
		expect(refusals).toHaveLength(4);
		for (const refusal of refusals) {
			expect(refusal).toMatchObject(seatsRefusal);
			expect((refusal as Error).message).toBe('All 3 seats of the Free plan are taken (viewers are free). Upgrade to Pro for more.');
		}
		// The refused transfers changed nothing: the viewers are still viewers, the owners still owners.
		const roles = Object.fromEntries((await teams.listMembers(db, first, teamId)).map((member) => [member.userId, member.role]));
		expect(roles[first.userId]).toBe('owner');
		expect(roles[second.userId]).toBe('owner');
		expect(viewers.map((viewer) => roles[viewer.userId])).toEqual(['editor', 'viewer', 'viewer', 'viewer', 'viewer']);
		// Handing ownership to someone who already has a seat needs none.
		await teams.transferOwnership(recordingServices(db), first, teamId, viewers[0].userId);
		expect(await billing.seatsUsed(db, teamId)).toBe(3);
	});

	it('demoting within seat roles needs no seat; a viewer promoted by any route does', async () => {
		const db = database().db;
		const { teamId, owner } = await freeTeam(db);
		const [editor, admin] = await join(db, owner, teamId, 'editor', 2);
		await teams.changeRole(recordingServices(db), owner, teamId, admin.userId, 'admin');
		const [viewer] = await join(db, owner, teamId, 'viewer', 1);
		await expect(teams.changeRole(recordingServices(db), owner, teamId, admin.userId, 'editor')).resolves.toMatchObject({ role: 'editor' });
		for (const role of ['editor', 'admin', 'owner'] as const) {
			await expect(teams.changeRole(recordingServices(db), owner, teamId, viewer.userId, role)).rejects.toMatchObject(seatsRefusal);
		}
		await expect(teams.transferOwnership(recordingServices(db), owner, teamId, viewer.userId)).rejects.toMatchObject(seatsRefusal);
		await teams.changeRole(recordingServices(db), owner, teamId, editor.userId, 'viewer');
		await expect(teams.transferOwnership(recordingServices(db), owner, teamId, viewer.userId)).resolves.toBeUndefined();
		expect(await billing.seatsUsed(db, teamId)).toBe(3);
	});
});

describeEachDatabase('limits under concurrency', (database, driver) => {
	it(`25 concurrent creates on a Free team make exactly 10 canvases [${driver}]`, async () => {
		const db = database().db;
		const { teamId, owner } = await freeTeam(db);
		const results = await Promise.allSettled(Array.from({ length: 25 }, (_, i) => canvases.create(db, owner, { teamId, title: `Canvas ${i}` })));
		const { fulfilled, refused } = outcomes(results);
		expect(fulfilled).toBe(10);
		for (const reason of refused) expect(reason).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'canvases', allowed: 10 } });
		expect(await canvases.listForTeam(db, owner, teamId)).toHaveLength(10);
	});

	it(`concurrent duplicates and moves into a team with 9 canvases add exactly one [${driver}]`, async () => {
		const db = database().db;
		const { teamId, owner } = await freeTeam(db);
		const elsewhere = await teams.create(db, owner, 'Elsewhere');
		await billing.setPlan(db, elsewhere.id, 'pro', null);
		for (let i = 0; i < 9; i++) await canvases.create(db, owner, { teamId });
		const source = (await canvases.listForTeam(db, owner, teamId))[0];
		const movable = await Promise.all(Array.from({ length: 4 }, () => canvases.create(db, owner, { teamId: elsewhere.id })));
		const results = await Promise.allSettled([
			...Array.from({ length: 4 }, () => canvases.duplicate(recordingServices(db), owner, source.id)),
			...movable.map((canvas) => canvases.move(recordingServices(db), owner, canvas.id, teamId))
		]);
		const { fulfilled, refused } = outcomes(results);
		expect(fulfilled).toBe(1);
		for (const reason of refused) expect(reason).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'canvases' } });
		expect(await canvases.listForTeam(db, owner, teamId)).toHaveLength(10);
	});

	it(`6 concurrent accepts of editor invitations fill the 2 free seats, no more [${driver}]`, async () => {
		const db = database().db;
		const { teamId, owner } = await freeTeam(db);
		// One invitation each: accepts of a shared one already queue on its row.
		const tokens = await Promise.all(Array.from({ length: 6 }, async () => (await invitations.create(db, owner, teamId, { role: 'editor' })).token));
		const people = await Promise.all(Array.from({ length: 6 }, (_, i) => person(db, `Joiner ${i}`)));
		const results = await Promise.allSettled(people.map((member, i) => invitations.accept(recordingServices(db), member, tokens[i])));
		const { fulfilled, refused } = outcomes(results);
		expect(fulfilled).toBe(2);
		for (const reason of refused) expect(reason).toMatchObject(seatsRefusal);
		expect(await billing.seatsUsed(db, teamId)).toBe(3);
		expect(await teams.listMembers(db, owner, teamId)).toHaveLength(3);
	});

	it(`concurrent promotions and ownership transfers of viewers stop at the seat limit [${driver}]`, async () => {
		const db = database().db;
		const { teamId, owner } = await freeTeam(db);
		const [coOwner] = await join(db, owner, teamId, 'editor', 1);
		await teams.changeRole(recordingServices(db), owner, teamId, coOwner.userId, 'owner');
		const viewers = await join(db, owner, teamId, 'viewer', 6);
		const results = await Promise.allSettled([
			teams.transferOwnership(recordingServices(db), owner, teamId, viewers[0].userId),
			teams.transferOwnership(recordingServices(db), coOwner, teamId, viewers[1].userId),
			...viewers.slice(2).map((viewer, i) => teams.changeRole(recordingServices(db), i % 2 ? owner : coOwner, teamId, viewer.userId, 'editor'))
		]);
		const { fulfilled, refused } = outcomes(results);
		expect(fulfilled).toBeGreaterThanOrEqual(1);
		expect(await billing.seatsUsed(db, teamId)).toBe(3);
		expect(refused.length).toBe(results.length - fulfilled);
		for (const reason of refused) expect((reason as { code: string }).code).toMatch(/^(LIMIT_EXCEEDED|FORBIDDEN)$/);
	});
});
