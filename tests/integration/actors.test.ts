// Actors other than people: API keys (within their team and scopes), the assistant (within its run's
// team, never beyond the person it acts for), the system (only as server code makes it); how bearer
// tokens are told apart; and the audit log recording and naming each kind — on both databases.
import { recordingServices } from '../helpers/services.ts';
import { beforeAll, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import * as accounts from '../../src/lib/server/accounts.ts';
import * as audit from '../../src/lib/server/audit.ts';
import * as canvases from '../../src/lib/server/canvases.ts';
import * as trash from '../../src/lib/server/trash/index.ts';
import * as history from '../../src/lib/server/history.ts';
import * as sharing from '../../src/lib/server/sharing.ts';
import * as teams from '../../src/lib/server/teams.ts';
import { startSession } from '../../src/lib/server/auth/sessions.ts';
import { identifyBearer } from '../../src/lib/server/auth/bearer.ts';
import {
	requireTeamRole,
	resolveCanvasAccess,
	systemActor,
	teamStanding,
	type Actor,
	type ApiKeyActor,
	type ApiKeyScope,
	type AssistantActor,
	type UserActor
} from '../../src/lib/server/access.ts';
import { memberships } from '../../src/lib/server/db/schema.ts';
import type { OpenDatabase } from '../../src/lib/server/db/index.ts';
import { describeEachDatabase, uniqueEmail } from '../helpers/databases.ts';

async function person(db: OpenDatabase['db'], name: string): Promise<UserActor & { personalTeamId: string }> {
	const created = await accounts.signUp(db, { email: uniqueEmail(name), password: 'password123', name });
	return { kind: 'user', userId: created.id, personalTeamId: created.personalTeamId };
}

/** The actor the key lookup makes (api-keys.test.ts covers real keys): these tests are about scopes alone. */
function apiKey(teamId: string, scopes: ApiKeyScope[]): ApiKeyActor {
	return { kind: 'apiKey', keyId: crypto.randomUUID(), teamId, scopes };
}

describeEachDatabase('actors', (database) => {
	let owner: UserActor;
	let viewer: UserActor;
	let teamId: string;
	let canvasId: string;
	let otherCanvasId: string;
	let otherTeamId: string;

	beforeAll(async () => {
		const { db } = database();
		owner = await person(db, 'Owner');
		teamId = (await teams.create(db, owner, 'Actors team')).id;
		viewer = await person(db, 'Viewer');
		await db.insert(memberships).values({ teamId, userId: viewer.userId, role: 'viewer' });
		canvasId = (await canvases.create(db, owner, { teamId, title: 'Keyed' })).id;
		const stranger = await person(db, 'Stranger');
		otherTeamId = stranger.personalTeamId;
		otherCanvasId = (await canvases.create(db, stranger, { teamId: otherTeamId, title: 'Elsewhere' })).id;
	});

	it('an API key reaches its own team only, and does what its scopes allow', async () => {
		const { db } = database();
		const reader = apiKey(teamId, ['canvases:read']);
		expect(await resolveCanvasAccess(db, reader, canvasId)).toMatchObject({ role: null, canEdit: false, link: null, standing: { holder: 'apiKey' } });
		await expect(canvases.get(db, reader, canvasId)).resolves.toMatchObject({ title: 'Keyed' });
		await expect(canvases.listForTeam(db, reader, teamId)).resolves.toHaveLength(1);
		await expect(canvases.rename(db, reader, canvasId, 'Nope')).rejects.toMatchObject({
			code: 'FORBIDDEN',
			message: 'This API key may not rename this canvas: it needs the “canvases:write” scope.'
		});
		await expect(audit.listForTeam(db, reader, teamId)).rejects.toMatchObject({ code: 'FORBIDDEN' });
		await expect(sharing.listLinks(db, reader, canvasId)).rejects.toMatchObject({ code: 'FORBIDDEN' });
		await expect(requireTeamRole(db, reader, teamId, 'team.view')).resolves.toBeNull();

		// Another team's canvases and teams do not exist for it, whatever its scopes.
		const writer = apiKey(teamId, ['canvases:write', 'audit:read']);
		await expect(resolveCanvasAccess(db, writer, otherCanvasId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		await expect(canvases.listForTeam(db, writer, otherTeamId)).rejects.toMatchObject({ code: 'NOT_FOUND' });

		expect(await resolveCanvasAccess(db, writer, canvasId)).toMatchObject({ role: null, canEdit: true });
		await expect(canvases.rename(db, writer, canvasId, 'Keyed')).resolves.toMatchObject({ title: 'Keyed' });
		await expect(history.list(db, writer, canvasId)).resolves.toMatchObject({ versions: [] });
		await expect(audit.listForTeam(db, writer, teamId)).resolves.toBeInstanceOf(Array);
		// Membership, billing and sharing need a person: no scope grants them.
		await expect(requireTeamRole(db, writer, teamId, 'team.members')).rejects.toMatchObject({ code: 'FORBIDDEN' });
		await expect(requireTeamRole(db, writer, teamId, 'team.billing')).rejects.toMatchObject({ code: 'FORBIDDEN' });

		// A scope this version does not know (say, from a newer release's stored key) grants nothing.
		const unknown = { ...apiKey(teamId, []), scopes: ['everything'] } as unknown as ApiKeyActor;
		await expect(canvases.get(db, unknown, canvasId)).rejects.toMatchObject({ code: 'FORBIDDEN' });
	});

	it("the assistant acts within its run's team, never beyond the person it acts for", async () => {
		const { db } = database();
		const run = (onBehalfOf?: string): AssistantActor => ({ kind: 'assistant', runId: crypto.randomUUID(), teamId, onBehalfOf });
		expect(await resolveCanvasAccess(db, run(owner.userId), canvasId)).toMatchObject({ role: null, canEdit: true, standing: { holder: 'assistant' } });
		expect(await resolveCanvasAccess(db, run(), canvasId)).toMatchObject({ canEdit: true });
		expect(await resolveCanvasAccess(db, run(viewer.userId), canvasId)).toMatchObject({ canEdit: false });
		await expect(resolveCanvasAccess(db, run(crypto.randomUUID()), canvasId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		await expect(resolveCanvasAccess(db, run(owner.userId), otherCanvasId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		await expect(canvases.rename(db, run(viewer.userId), canvasId, 'Nope')).rejects.toMatchObject({
			code: 'FORBIDDEN',
			message: 'The assistant may not rename this canvas.'
		});
		await expect(sharing.listLinks(db, run(owner.userId), canvasId)).rejects.toMatchObject({ code: 'FORBIDDEN' });
		await expect(trash.moveCanvasToTrash(recordingServices(db), run(owner.userId), canvasId)).rejects.toMatchObject({ code: 'FORBIDDEN' });
	});

	it('the system may do what server code asks, in any team; a look-alike from data is nobody', async () => {
		const { db } = database();
		const system = systemActor('test');
		expect(await resolveCanvasAccess(db, system, otherCanvasId)).toMatchObject({ role: null, canEdit: true, standing: { holder: 'system' } });
		await expect(requireTeamRole(db, system, otherTeamId, 'team.billing')).resolves.toBeNull();
		await expect(requireTeamRole(db, system, crypto.randomUUID(), 'team.view')).rejects.toMatchObject({ code: 'NOT_FOUND' });
		const forged = JSON.parse(JSON.stringify(system)) as Actor;
		expect(forged).toEqual({ kind: 'system', reason: 'test' });
		expect(await teamStanding(db, forged, otherTeamId)).toBeNull();
		await expect(resolveCanvasAccess(db, forged, otherCanvasId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
	});

	it('bearer tokens are told apart by their form, each refusal saying why', async () => {
		const { db } = database();
		const { token } = await startSession(db, owner.userId, 30);
		await expect(identifyBearer(db, token, { sessionDays: 30 })).resolves.toMatchObject({
			kind: 'session',
			actor: { kind: 'user', userId: owner.userId },
			session: { user: { id: owner.userId } }
		});
		await expect(identifyBearer(db, 'a'.repeat(32), { sessionDays: 30 })).rejects.toMatchObject({
			code: 'UNAUTHENTICATED',
			message: 'Your session has expired. Sign in again.'
		});
		await expect(identifyBearer(db, `easel_${'k'.repeat(40)}`, { sessionDays: 30 })).rejects.toMatchObject({
			code: 'UNAUTHENTICATED',
			message: expect.stringMatching(/^That is not an Easel API key/)
		});
		for (const unknown of ['', 'sk_test_123', 'Bearer', token.toUpperCase(), `${token}x`]) {
			await expect(identifyBearer(db, unknown, { sessionDays: 30 })).rejects.toMatchObject({
				code: 'UNAUTHENTICATED',
				message: expect.stringMatching(/not one Easel issues/)
			});
		}
	});

	it('the audit log records every kind of actor and names it', async () => {
		const { db } = database();
		const key = apiKey(teamId, ['audit:read']);
		const runId = crypto.randomUUID();
		await audit.record(db, { teamId, actor: systemActor('credit-sweeper'), action: 'team.rename', targetType: 'team', targetId: teamId, details: { name: 'By Easel' } });
		await audit.record(db, { teamId, actor: key, action: 'share_link.revoke', targetType: 'share_link', targetId: crypto.randomUUID() });
		await audit.record(db, {
			teamId,
			actor: { kind: 'assistant', runId, teamId, onBehalfOf: owner.userId },
			action: 'canvas.move',
			targetType: 'canvas',
			targetId: canvasId
		});
		await audit.record(db, { teamId, actor: owner, action: 'invitation.revoke', targetType: 'invitation', targetId: crypto.randomUUID() });
		await audit.record(db, { teamId, actorId: null, action: 'invitation.revoke', targetType: 'invitation', targetId: crypto.randomUUID() });

		const rows = await audit.listForTeam(db, owner, teamId, { limit: 5 });
		expect(rows.map(({ actorKind, actorId, actorRef, actorName }) => ({ actorKind, actorId, actorRef, actorName }))).toEqual([
			{ actorKind: 'user', actorId: null, actorRef: null, actorName: null },
			{ actorKind: 'user', actorId: owner.userId, actorRef: null, actorName: 'Owner' },
			{ actorKind: 'assistant', actorId: null, actorRef: runId, actorName: 'AI assistant' },
			// A key the table does not hold (this test's made-up one) is still named as a key.
			{ actorKind: 'apiKey', actorId: null, actorRef: key.keyId, actorName: 'An API key' },
			{ actorKind: 'system', actorId: null, actorRef: 'credit-sweeper', actorName: 'Easel' }
		]);
		// An API key with the scope reads the same log.
		expect((await audit.listForTeam(db, key, teamId, { limit: 5 })).map((row) => row.actorName)).toEqual(rows.map((row) => row.actorName));
		// Only a person's entry points at a user.
		await expect(
			db.execute(sql`insert into audit_log (team_id, actor_kind, actor_id, action, target_type) values (${teamId}, 'system', ${owner.userId}, 'team.rename', 'team')`)
		).rejects.toThrow();
	});
});
