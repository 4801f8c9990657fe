// The teams, members, invitations, share-link and audit-log API through the real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, connectCanvas, createCanvas, signUp, waitFor, type TestUser } from '../helpers/clients.ts';
import { seedCanvas, testShape } from '../helpers/tldraw-records.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

let server: RunningServer;
let owner: TestUser;
let stranger: TestUser;

beforeAll(async () => {
	server = await startServer();
	[owner, stranger] = await Promise.all([signUp(server.url, 'Olga'), signUp(server.url, 'Stan')]);
});
afterAll(() => server?.dispose());

function expectError(response: { status: number; body: unknown }, status: number, code: string) {
	expect(response.status).toBe(status);
	expect(response.body).toMatchObject({ error: { code, message: expect.any(String) } });
}

async function newTeam(name = 'Team'): Promise<string> {
	const created = await api(server.url, '/api/v1/teams', { token: owner.token, body: { name } });
	expect(created.status).toBe(201);
	return created.body.id;
}

describe('teams', () => {
	it('creates, lists, renames and deletes a team (deleting needs its exact name and moves it to the trash)', async () => {
		const teamId = await newTeam('Platform');
		const list = await api(server.url, '/api/v1/teams', { token: owner.token });
		expect(list.body.teams).toEqual(expect.arrayContaining([expect.objectContaining({ id: teamId, name: 'Platform', role: 'owner', personal: false })]));
		const renamed = await api(server.url, `/api/v1/teams/${teamId}`, { method: 'PATCH', token: owner.token, body: { name: 'Platform squad' } });
		expect(renamed.body).toMatchObject({ name: 'Platform squad', memberCount: 1 });
		const canvasId = (await api(server.url, '/api/v1/canvases', { token: owner.token, body: { teamId, title: 'Doomed' } })).body.id;
		expectError(await api(server.url, `/api/v1/teams/${teamId}`, { method: 'DELETE', token: owner.token, body: { confirmName: 'Platform' } }), 400, 'INVALID_INPUT');
		const deleted = await api(server.url, `/api/v1/teams/${teamId}`, { method: 'DELETE', token: owner.token, body: { confirmName: 'Platform squad' } });
		expect(deleted.status).toBe(200);
		expect(deleted.body.team).toMatchObject({ id: teamId, name: 'Platform squad', deletedBy: { id: owner.id } });
		expectError(await api(server.url, `/api/v1/teams/${teamId}`, { token: owner.token }), 404, 'NOT_FOUND');
		expectError(await api(server.url, `/api/v1/canvases/${canvasId}`, { token: owner.token }), 404, 'NOT_FOUND');
		expect((await api(server.url, '/api/v1/teams', { token: owner.token })).body.teams.map((team: { id: string }) => team.id)).not.toContain(teamId);
	});

	it("validates names and hides other people's teams", async () => {
		expectError(await api(server.url, '/api/v1/teams', { token: owner.token, body: { name: '  ' } }), 400, 'INVALID_INPUT');
		expectError(await api(server.url, '/api/v1/teams', { token: owner.token, body: { name: 'x'.repeat(81) } }), 400, 'INVALID_INPUT');
		const teamId = await newTeam('Private');
		for (const [method, path, body] of [
			['GET', `/api/v1/teams/${teamId}`, undefined],
			['PATCH', `/api/v1/teams/${teamId}`, { name: 'Mine' }],
			['GET', `/api/v1/teams/${teamId}/members`, undefined],
			['GET', `/api/v1/teams/${teamId}/invitations`, undefined],
			['POST', `/api/v1/teams/${teamId}/invitations`, { role: 'admin' }],
			['GET', `/api/v1/teams/${teamId}/audit-log`, undefined],
			['PATCH', `/api/v1/teams/${teamId}/members/${owner.id}`, { role: 'viewer' }],
			['DELETE', `/api/v1/teams/${teamId}/members/${owner.id}`, undefined]
		] as const) {
			expectError(await api(server.url, path, { method, token: stranger.token, body }), 404, 'NOT_FOUND');
		}
		expectError(await api(server.url, `/api/v1/teams/${teamId}/members`), 401, 'UNAUTHENTICATED');
	});

	it('the personal team cannot be deleted or left', async () => {
		expectError(await api(server.url, `/api/v1/teams/${owner.personalTeamId}/members/${owner.id}`, { method: 'DELETE', token: owner.token }), 409, 'CONFLICT');
		const name = (await api(server.url, `/api/v1/teams/${owner.personalTeamId}`, { token: owner.token })).body.name;
		expectError(await api(server.url, `/api/v1/teams/${owner.personalTeamId}`, { method: 'DELETE', token: owner.token, body: { confirmName: name } }), 403, 'FORBIDDEN');
	});
});

describe('invitations and members', () => {
	it('invites by link and by email, lists pending, accepts, changes roles, transfers ownership', async () => {
		const teamId = await newTeam('Growing');
		const link = await api(server.url, `/api/v1/teams/${teamId}/invitations`, { token: owner.token, body: { role: 'editor', expiresInDays: 3, maxUses: 5 } });
		expect(link.status).toBe(201);
		expect(link.body).toMatchObject({ role: 'editor', maxUses: 5, uses: 0, email: null, url: `http://localhost:${server.port}/invite/${link.body.token}` });
		const email = await api(server.url, `/api/v1/teams/${teamId}/invitations`, { token: owner.token, body: { role: 'viewer', email: 'New.Person@Example.com' } });
		expect(email.body).toMatchObject({ email: 'new.person@example.com', maxUses: 1 });
		expect(email.headers.get('x-invitation-emailed')).toBe('false');
		const pending = await api(server.url, `/api/v1/teams/${teamId}/invitations`, { token: owner.token });
		expect(pending.body.invitations.map((i: { id: string }) => i.id).sort()).toEqual([link.body.id, email.body.id].sort());
		expect(JSON.stringify(pending.body)).not.toContain(link.body.token);

		const joiner = await signUp(server.url, 'Jo');
		expect((await api(server.url, `/api/v1/invitations/${link.body.token}/accept`, { method: 'POST', token: joiner.token })).body).toMatchObject({
			teamId,
			role: 'editor',
			joined: true
		});
		const members = await api(server.url, `/api/v1/teams/${teamId}/members`, { token: joiner.token });
		expect(members.body.members.map((m: { name: string; role: string }) => [m.name, m.role]).sort()).toEqual([
			['Jo', 'editor'],
			['Olga', 'owner']
		]);

		expectError(
			await api(server.url, `/api/v1/teams/${teamId}/members/${joiner.id}`, { method: 'PATCH', token: owner.token, body: { role: 'boss' } }),
			400,
			'INVALID_INPUT'
		);
		expectError(await api(server.url, `/api/v1/teams/${teamId}/members/${owner.id}`, { method: 'PATCH', token: owner.token, body: { role: 'admin' } }), 409, 'CONFLICT');
		expectError(
			await api(server.url, `/api/v1/teams/${teamId}/members/${owner.id}`, { method: 'PATCH', token: joiner.token, body: { role: 'viewer' } }),
			403,
			'FORBIDDEN'
		);

		expect((await api(server.url, `/api/v1/teams/${teamId}/transfer-ownership`, { token: owner.token, body: { userId: joiner.id } })).status).toBe(200);
		const after = await api(server.url, `/api/v1/teams/${teamId}/members`, { token: owner.token });
		expect(after.body.members.map((m: { name: string; role: string }) => [m.name, m.role]).sort()).toEqual([
			['Jo', 'owner'],
			['Olga', 'admin']
		]);

		expect((await api(server.url, `/api/v1/invitations/${email.body.id}`, { method: 'DELETE', token: owner.token })).status).toBe(204);
		const late = await signUp(server.url, 'Late');
		expectError(await api(server.url, `/api/v1/invitations/${email.body.token}/accept`, { method: 'POST', token: late.token }), 410, 'GONE');
		expectError(await api(server.url, `/api/v1/invitations/not-a-token/accept`, { method: 'POST', token: late.token }), 404, 'NOT_FOUND');
		expectError(await api(server.url, `/api/v1/invitations/${link.body.id}`, { method: 'DELETE', token: stranger.token }), 404, 'NOT_FOUND');

		const log = await api(server.url, `/api/v1/teams/${teamId}/audit-log?limit=3`, { token: owner.token });
		expect(log.body.entries).toHaveLength(3);
		expect(log.body.entries[0]).toMatchObject({ action: 'invitation.revoke', actorName: 'Olga' });
		const older = await api(server.url, `/api/v1/teams/${teamId}/audit-log?before=${log.body.next}`, { token: owner.token });
		expect(older.body.entries.at(-1)).toMatchObject({ action: 'team.create' });
	});

	it('validates invitations', async () => {
		const teamId = await newTeam('Strict');
		for (const body of [
			{ role: 'owner' },
			{ role: 'editor', expiresInDays: 0 },
			{ role: 'editor', maxUses: 0 },
			{ role: 'editor', email: 'nope' },
			{ role: 'editor', extra: true }
		]) {
			expectError(await api(server.url, `/api/v1/teams/${teamId}/invitations`, { token: owner.token, body }), 400, 'INVALID_INPUT');
		}
	});
});

describe('canvases across teams', () => {
	it('duplicates a canvas with its content, and moves one between teams the user administers', async () => {
		const teamId = await newTeam('Destination');
		const canvasId = await createCanvas(server.url, owner, 'Original');
		const writer = connectCanvas(server.wsUrl, `canvas:${canvasId}`, owner.token);
		await writer.synced;
		seedCanvas(writer.records);
		writer.records.set('shape:a', testShape('shape:a', { x: 1 }));
		await waitFor(() => !writer.provider.hasUnsyncedChanges);

		const copy = await api(server.url, `/api/v1/canvases/${canvasId}/duplicate`, { method: 'POST', token: owner.token });
		expect(copy.status).toBe(201);
		expect(copy.body.title).toBe('Original (copy)');
		const copied = await api(server.url, `/api/v1/canvases/${copy.body.id}/document`, { token: owner.token });
		expect(copied.body.records['shape:a']).toEqual(testShape('shape:a', { x: 1 }));

		const moved = await api(server.url, `/api/v1/canvases/${canvasId}/move`, { token: owner.token, body: { teamId } });
		expect(moved.body.teamId).toBe(teamId);
		expectError(await api(server.url, `/api/v1/canvases/${canvasId}/move`, { token: owner.token, body: { teamId: stranger.personalTeamId } }), 404, 'NOT_FOUND');
		expectError(await api(server.url, `/api/v1/canvases/${canvasId}/duplicate`, { method: 'POST', token: stranger.token }), 404, 'NOT_FOUND');
		expectError(await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, { token: stranger.token }), 404, 'NOT_FOUND');
		writer.destroy();
	});

	it('share links: created with a url, listed with their creator, validated, revoked', async () => {
		const canvasId = await createCanvas(server.url, owner, 'Linked');
		const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
		const created = await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token, body: { access: 'view', audience: 'team', expiresAt } });
		expect(created.body).toMatchObject({ access: 'view', audience: 'team', createdByName: 'Olga', expiresAt, url: expect.stringContaining('/s/') });
		const listed = await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token });
		expect(listed.body.shareLinks).toEqual([expect.objectContaining({ id: created.body.id, lastUsedAt: null })]);
		expect(JSON.stringify(listed.body)).not.toContain(created.body.token);
		for (const body of [
			{ access: 'admin', audience: 'anyone' },
			{ access: 'view', audience: 'world' },
			{ access: 'view', audience: 'anyone', expiresAt: '2001-01-01T00:00:00Z' },
			{ access: 'view', audience: 'anyone', expiresAt: 'tomorrow' }
		]) {
			expectError(await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token, body }), 400, 'INVALID_INPUT');
		}
		expectError(await api(server.url, `/api/v1/share-links/${created.body.id}`, { method: 'DELETE', token: stranger.token }), 404, 'NOT_FOUND');
		expect((await api(server.url, `/api/v1/share-links/${created.body.id}`, { method: 'DELETE', token: owner.token })).status).toBe(204);
		expect((await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token })).body.shareLinks).toEqual([]);
	});
});
