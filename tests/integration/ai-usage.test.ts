// The AI usage report: usage events recorded with recordUsage add up by member, tier and day for one
// month, with the credit balance; only owners and admins see it. Domain on both databases, then the
// API through the real server on PostgreSQL (seeded directly, as a second instance would write).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as accounts from '../../src/lib/server/accounts.ts';
import * as canvases from '../../src/lib/server/canvases.ts';
import * as credits from '../../src/lib/server/credits.ts';
import * as invitations from '../../src/lib/server/invitations.ts';
import * as teams from '../../src/lib/server/teams.ts';
import { recordUsage, usageReport, type UsageEvent } from '../../src/lib/server/ai/usage.ts';
import { openDatabase, type Database, type OpenDatabase } from '../../src/lib/server/db/index.ts';
import type { Role } from '../../src/lib/server/db/schema.ts';
import type { UserActor } from '../../src/lib/server/access.ts';
import { createScratchPostgres, describeEachDatabase, postgresAvailable, uniqueEmail } from '../helpers/databases.ts';
import { recordingServices } from '../helpers/services.ts';
import { api, signUp, type TestUser } from '../helpers/clients.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

async function person(db: Database, name: string): Promise<UserActor> {
	const user = await accounts.signUp(db, { email: uniqueEmail(name.toLowerCase()), password: 'password123', name });
	return { kind: 'user', userId: user.id };
}

async function join(db: Database, owner: UserActor, teamId: string, who: UserActor, role: Exclude<Role, 'owner'>): Promise<void> {
	const invite = await invitations.create(db, owner, teamId, { role, maxUses: 1 });
	await invitations.accept(recordingServices(db), who, invite.token);
}

const at = (iso: string) => new Date(iso);
const NOW = at('2027-03-20T12:00:00Z');

function event(teamId: string, overrides: Partial<UsageEvent>): UsageEvent {
	return {
		teamId,
		provider: 'openai-compatible',
		model: 'fast-model',
		tier: 'fast',
		inputTokens: 100,
		outputTokens: 20,
		credits: 1,
		latencyMs: 900,
		outcome: 'succeeded',
		...overrides
	};
}

describeEachDatabase('AI usage report', (database) => {
	it('adds up a month by member, tier and day (every day, zeros included), own-key runs apart, with the balance', async () => {
		const { db } = database();
		const olga = await person(db, 'Olga');
		const ada = await person(db, 'Ada');
		const team = await teams.create(db, olga, 'Usage team');
		await join(db, olga, team.id, ada, 'admin');
		const canvas = await canvases.create(db, olga, { teamId: team.id, title: 'Diagram' });
		const events: Partial<UsageEvent>[] = [
			{ userId: olga.userId, createdAt: at('2027-03-01T00:00:00Z'), credits: 1 },
			{ userId: olga.userId, createdAt: at('2027-03-03T09:00:00Z'), tier: 'balanced', credits: 3, inputTokens: 1000, outputTokens: 300 },
			{ userId: olga.userId, createdAt: at('2027-03-03T23:59:59Z'), tier: 'best', credits: 10, inputTokens: 5000, outputTokens: 800 },
			{ userId: ada.userId, createdAt: at('2027-03-03T10:00:00Z'), credits: 1, canvasId: canvas.id, runId: crypto.randomUUID() },
			{ userId: ada.userId, createdAt: at('2027-03-10T10:00:00Z'), ownKey: true, credits: 0, inputTokens: 400, outputTokens: 40 },
			{ userId: ada.userId, createdAt: at('2027-03-11T10:00:00Z'), outcome: 'failed', credits: 0, inputTokens: 50, outputTokens: 0 },
			{ userId: null, createdAt: at('2027-03-31T23:59:59Z'), credits: 1 }, // a guest on an edit link
			// Outside March: the last second of February and the first of April.
			{ userId: olga.userId, createdAt: at('2027-02-28T23:59:59Z'), credits: 10 },
			{ userId: olga.userId, createdAt: at('2027-04-01T00:00:00Z'), credits: 10 }
		];
		for (const overrides of events) await recordUsage(db, event(team.id, overrides));

		const report = await usageReport(db, olga, team.id, {}, NOW);
		expect(report.month).toBe('2027-03');
		expect(report.totals).toEqual({ runs: 7, ownKeyRuns: 1, failedRuns: 1, inputTokens: 6750, outputTokens: 1200, credits: 16 });
		expect(report.byMember).toEqual([
			{ userId: olga.userId, name: 'Olga', runs: 3, ownKeyRuns: 0, failedRuns: 0, inputTokens: 6100, outputTokens: 1120, credits: 14 },
			{ userId: ada.userId, name: 'Ada', runs: 3, ownKeyRuns: 1, failedRuns: 1, inputTokens: 550, outputTokens: 60, credits: 1 },
			{ userId: null, name: 'Guests and deleted accounts', runs: 1, ownKeyRuns: 0, failedRuns: 0, inputTokens: 100, outputTokens: 20, credits: 1 }
		]);
		expect(report.byTier.map(({ tier, runs, credits: spent, multiplier }) => ({ tier, runs, credits: spent, multiplier }))).toEqual([
			{ tier: 'fast', runs: 5, credits: 3, multiplier: 1 },
			{ tier: 'balanced', runs: 1, credits: 3, multiplier: 3 },
			{ tier: 'best', runs: 1, credits: 10, multiplier: 10 }
		]);
		expect(report.byDay).toHaveLength(31);
		expect(report.byDay[0]).toEqual({ date: '2027-03-01', runs: 1, credits: 1 });
		expect(report.byDay[1]).toEqual({ date: '2027-03-02', runs: 0, credits: 0 });
		expect(report.byDay[2]).toEqual({ date: '2027-03-03', runs: 3, credits: 14 });
		expect(report.byDay[30]).toEqual({ date: '2027-03-31', runs: 1, credits: 1 });
		expect(report.byDay.reduce((sum, day) => sum + day.credits, 0)).toBe(report.totals.credits);
		// The balance comes after this period's grant (usage events record; they do not charge).
		expect(report.balance).toBe(50);
		expect(report.monthlyCredits).toBe(50);
		expect(await credits.balance(db, team.id)).toBe(50);
		expect(report.nextMonth).toBeNull();
		expect(report.previousMonth).toBe('2027-02');

		const february = await usageReport(db, ada, team.id, { month: '2027-02' }, NOW);
		expect(february.totals).toMatchObject({ runs: 1, credits: 10 });
		expect(february.byDay).toHaveLength(28);
		expect(february.nextMonth).toBe('2027-03');
		const empty = await usageReport(db, olga, team.id, { month: '2026-12' }, NOW);
		expect(empty.totals).toEqual({ runs: 0, ownKeyRuns: 0, failedRuns: 0, inputTokens: 0, outputTokens: 0, credits: 0 });
		expect(empty.byMember).toEqual([]);
		expect(empty.byTier.map((tier) => tier.runs)).toEqual([0, 0, 0]);
		expect(empty.previousMonth).toBeNull(); // the team was created in December 2026
	});

	it('is for owners and admins: editors and viewers are refused, other people do not see the team', async () => {
		const { db } = database();
		const owner = await person(db, 'Owen');
		const team = await teams.create(db, owner, 'Private usage');
		const [editor, viewer, stranger] = await Promise.all([person(db, 'Eddie'), person(db, 'Vera'), person(db, 'Stan')]);
		await join(db, owner, team.id, editor, 'editor');
		await join(db, owner, team.id, viewer, 'viewer');
		await expect(usageReport(db, editor, team.id)).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403, message: 'As an editor you may not see AI usage.' });
		await expect(usageReport(db, viewer, team.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
		await expect(usageReport(db, stranger, team.id)).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
		await expect(usageReport(db, { kind: 'anonymous' }, team.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		await expect(usageReport(db, owner, team.id, { month: '2027-13' })).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'month' } });
		await expect(usageReport(db, owner, team.id, { month: 'march' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
		await expect(usageReport(db, owner, team.id, { month: '0050-01' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
	});

	it('recordUsage refuses impossible events', async () => {
		const { db } = database();
		const owner = await person(db, 'Rita');
		const team = await teams.create(db, owner, 'Strict');
		await expect(recordUsage(db, event(team.id, { inputTokens: -1 }))).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'inputTokens' } });
		await expect(recordUsage(db, event(team.id, { credits: 1.5 }))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
		await expect(recordUsage(db, event(team.id, { outcome: 'exploded' as 'failed' }))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
		await expect(recordUsage(db, event(team.id, {}))).resolves.toBeUndefined();
	});
});

const postgresReachable = await postgresAvailable();

(postgresReachable ? describe : describe.skip)('GET /api/v1/teams/:teamId/ai-usage [postgres]', () => {
	let server: RunningServer;
	let direct: OpenDatabase;
	let drop: () => Promise<void>;
	let owner: TestUser;
	let editor: TestUser;
	let stranger: TestUser;
	let teamId: string;

	beforeAll(async () => {
		const scratch = await createScratchPostgres();
		drop = scratch.drop;
		server = await startServer({ env: { DATABASE_URL: scratch.url } });
		direct = await openDatabase({ url: scratch.url, maxConnections: 2 });
		[owner, editor, stranger] = await Promise.all([signUp(server.url, 'Olive'), signUp(server.url, 'Ed'), signUp(server.url, 'Stan')]);
		teamId = (await api(server.url, '/api/v1/teams', { token: owner.token, body: { name: 'API usage' } })).body.id;
		await join(direct.db, { kind: 'user', userId: owner.id }, teamId, { kind: 'user', userId: editor.id }, 'editor');
		const now = new Date();
		await recordUsage(direct.db, event(teamId, { userId: owner.id, createdAt: now, tier: 'balanced', credits: 3 }));
		await recordUsage(direct.db, event(teamId, { userId: owner.id, createdAt: now, ownKey: true, credits: 0 }));
	});
	afterAll(async () => {
		await server?.dispose();
		await direct?.close();
		await drop?.();
	});

	it('answers the report to the owner; 403 to an editor, 404 to a stranger, 401 without a session, 400 for a bad month', async () => {
		const report = await api(server.url, `/api/v1/teams/${teamId}/ai-usage`, { token: owner.token });
		expect(report.status).toBe(200);
		expect(report.body).toMatchObject({
			month: new Date().toISOString().slice(0, 7),
			totals: { runs: 2, ownKeyRuns: 1, credits: 3 },
			byMember: [{ userId: owner.id, name: 'Olive', runs: 2, credits: 3 }],
			balance: 50,
			monthlyCredits: 50
		});
		const forbidden = await api(server.url, `/api/v1/teams/${teamId}/ai-usage`, { token: editor.token });
		expect(forbidden).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
		expect(await api(server.url, `/api/v1/teams/${teamId}/ai-usage`, { token: stranger.token })).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
		expect(await api(server.url, `/api/v1/teams/${teamId}/ai-usage`)).toMatchObject({ status: 401 });
		expect(await api(server.url, `/api/v1/teams/${teamId}/ai-usage?month=2026-1`, { token: owner.token })).toMatchObject({
			status: 400,
			body: { error: { code: 'INVALID_INPUT' } }
		});
		const older = await api(server.url, `/api/v1/teams/${teamId}/ai-usage?month=2020-01`, { token: owner.token });
		expect(older.body).toMatchObject({ month: '2020-01', totals: { runs: 0 } });
	});

	it('the billing API shows the same balance as the usage page', async () => {
		const billing = await api(server.url, `/api/v1/teams/${teamId}/billing`, { token: owner.token });
		expect(billing.body).toMatchObject({ credits: { balance: 50 }, limits: { monthlyCredits: 50 } });
	});
});
