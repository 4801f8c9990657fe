// The trash, as users meet it: deleting a canvas or a team moves it there (sockets closed, links
// revoked, gone from lists and from every writer), a restore brings back everything up to the
// moment of deletion, and the purge deletes for good what has been there 30 days. Through the real
// server on both databases; the purge with a controlled clock in-process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq, inArray } from 'drizzle-orm';
import { api, connectCanvas, createCanvas, signUp, waitFor, type CanvasClient, type TestUser } from '../helpers/clients.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { describeEachDatabase, uniqueEmail } from '../helpers/databases.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { recordingServices } from '../helpers/services.ts';
import { seedCanvas, testShape } from '../helpers/tldraw-records.ts';
import { documentName, documentNamesOf } from '../../src/lib/document-names.ts';
import * as accounts from '../../src/lib/server/accounts.ts';
import * as apiKeys from '../../src/lib/server/api-keys/index.ts';
import * as audit from '../../src/lib/server/audit.ts';
import { sessionCookieName } from '../../src/lib/server/auth/sessions.ts';
import * as canvases from '../../src/lib/server/canvases.ts';
import * as history from '../../src/lib/server/history.ts';
import * as invitations from '../../src/lib/server/invitations.ts';
import * as teams from '../../src/lib/server/teams.ts';
import * as trash from '../../src/lib/server/trash/index.ts';
import { canvases as canvasRows, documentVersions, documents, memberships, teams as teamRows } from '../../src/lib/server/db/schema.ts';
import type { Database } from '../../src/lib/server/db/index.ts';
import { writeNewDocument } from '../../src/lib/server/documents/document-store.ts';
import * as Y from 'yjs';

const DAY_MS = 86_400_000;
const SHARE_TOKEN_HEADER = 'easel-share-token';

function expectError(response: { status: number; body: { error?: { code?: string } } }, status: number, code: string) {
	expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status, code });
}

/** Resolves with the reason the server closed the client's document connection for good. */
function closedWith(client: CanvasClient): Promise<string> {
	return new Promise((resolve) => client.provider.on('close', ({ event }: { event: { reason: string } }) => event.reason && resolve(event.reason)));
}

describeEachServerDatabase('the trash', (database) => {
	let server: RunningServer;
	let owner: TestUser;
	let admin: TestUser;
	let editor: TestUser;
	let viewer: TestUser;
	let stranger: TestUser;
	let teamId: string;

	/** Joins `user` to the team with `role` through an invitation, as people do. */
	async function join(user: TestUser, role: 'admin' | 'editor' | 'viewer') {
		const invitation = await api(server.url, `/api/v1/teams/${teamId}/invitations`, { token: owner.token, body: { role } });
		expect(invitation.status).toBe(201);
		expect((await api(server.url, `/api/v1/invitations/${invitation.body.token}/accept`, { method: 'POST', token: user.token })).status).toBe(200);
	}

	const teamCanvas = async (title: string) => {
		const created = await api(server.url, '/api/v1/canvases', { token: owner.token, body: { teamId, title } });
		expect(created.status).toBe(201);
		return created.body.id as string;
	};
	const trashOf = async (user: TestUser, team = teamId) => api(server.url, `/api/v1/teams/${team}/trash`, { token: user.token });
	const remove = (user: TestUser, canvasId: string, query = '') => api(server.url, `/api/v1/canvases/${canvasId}${query}`, { method: 'DELETE', token: user.token });
	const restore = (user: TestUser, canvasId: string) => api(server.url, `/api/v1/canvases/${canvasId}/restore`, { method: 'POST', token: user.token });

	beforeAll(async () => {
		server = await startServer({ env: database().env });
		[owner, admin, editor, viewer, stranger] = await Promise.all(['Olive', 'Ada', 'Ed', 'Vi', 'Stan'].map((name) => signUp(server.url, name)));
		teamId = (await api(server.url, '/api/v1/teams', { token: owner.token, body: { name: 'Trash team' } })).body.id;
		await join(admin, 'admin');
		await join(editor, 'editor');
		await join(viewer, 'viewer');
	}, 60_000);
	afterAll(() => server?.dispose());

	it('deleting closes open sockets as TRASHED; the last edit before it, and the versions, come back on restore', async () => {
		const canvasId = await teamCanvas('Architecture');
		const client = connectCanvas(server.wsUrl, documentName('canvas', canvasId), editor.token);
		await client.synced;
		seedCanvas(client.records);
		client.records.set('shape:first', testShape('shape:first'));
		await waitFor(() => !client.provider.hasUnsyncedChanges, 5000, 'the first edit acknowledged');
		expect((await api(server.url, `/api/v1/canvases/${canvasId}/versions`, { token: editor.token, body: { label: 'Before the review' } })).status).toBe(201);
		// The last edit, acknowledged just before the delete: it must survive the trash.
		client.records.set('shape:last', testShape('shape:last', { note: 'the very last edit' }));
		await waitFor(() => !client.provider.hasUnsyncedChanges, 5000, 'the last edit acknowledged');
		const closed = closedWith(client);

		const deleted = await remove(editor, canvasId);
		expect(deleted.status).toBe(200);
		const { deletedAt, purgeAt } = deleted.body.canvas;
		expect(deleted.body.canvas.id).toBe(canvasId);
		expect(new Date(purgeAt).getTime() - new Date(deletedAt).getTime()).toBe(30 * DAY_MS);
		expect(await closed).toBe('TRASHED');
		client.destroy();

		// Gone from the library and from every read, to everyone; in the trash, with who and when.
		expect((await api(server.url, `/api/v1/canvases?teamId=${teamId}`, { token: owner.token })).body.canvases.map((canvas: { id: string }) => canvas.id)).not.toContain(
			canvasId
		);
		expectError(await api(server.url, `/api/v1/canvases/${canvasId}`, { token: owner.token }), 404, 'NOT_FOUND');
		expectError(await api(server.url, `/api/v1/canvases/${canvasId}/document`, { token: owner.token }), 404, 'NOT_FOUND');
		expectError(await api(server.url, `/api/v1/canvases/${canvasId}/state`, { token: owner.token }), 404, 'NOT_FOUND');
		const listed = (await trashOf(viewer)).body.canvases.find((canvas: { id: string }) => canvas.id === canvasId);
		expect(listed).toEqual({ id: canvasId, title: 'Architecture', deletedAt, purgeAt, deletedBy: { id: editor.id, name: 'Ed' } });
		// Nobody can open a socket on it any more.
		const refused = connectCanvas(server.wsUrl, documentName('canvas', canvasId), owner.token);
		await expect(refused.synced).rejects.toThrow('NOT_FOUND');
		refused.destroy();

		const restored = await restore(editor, canvasId);
		expect(restored.status).toBe(200);
		expect(restored.body).toMatchObject({ id: canvasId, title: 'Architecture', teamId });
		expect((await trashOf(owner)).body.canvases.map((canvas: { id: string }) => canvas.id)).not.toContain(canvasId);
		expect((await api(server.url, `/api/v1/canvases?teamId=${teamId}`, { token: owner.token })).body.canvases.map((canvas: { id: string }) => canvas.id)).toContain(
			canvasId
		);
		const reader = connectCanvas(server.wsUrl, documentName('canvas', canvasId), owner.token);
		await reader.synced;
		expect(reader.records.get('shape:last')).toMatchObject({ meta: { note: 'the very last edit' } });
		expect(reader.records.has('shape:first')).toBe(true);
		reader.destroy();
		const versions = await api(server.url, `/api/v1/canvases/${canvasId}/versions`, { token: owner.token });
		expect(versions.body.versions.map((version: { label: string | null }) => version.label)).toContain('Before the review');
	});

	it('share links answer 410 once the canvas is in the trash and stay revoked after a restore; its publication leaves the gallery', async () => {
		const canvasId = await teamCanvas('Shared');
		const link = await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token, body: { access: 'edit', audience: 'anyone' } });
		expect(link.status).toBe(201);
		const asGuest = () => api(server.url, `/api/v1/canvases/${canvasId}/state`, { headers: { [SHARE_TOKEN_HEADER]: link.body.token } });
		expect((await asGuest()).status).toBe(200);
		const published = await api(server.url, `/api/v1/canvases/${canvasId}/publication`, { token: owner.token, body: { title: 'Shared with the world' } });
		expect(published.status).toBe(201);
		expect((await fetch(`${server.url}/p/${published.body.publication.slug}`)).status).toBe(200);
		const guest = connectCanvas(server.wsUrl, documentName('canvas', canvasId), `share:${link.body.token}`);
		await guest.synced;
		const guestClosed = closedWith(guest);

		expect((await remove(owner, canvasId)).status).toBe(200);
		expect(await guestClosed).toBe('TRASHED');
		guest.destroy();
		expectError(await asGuest(), 410, 'GONE');
		expect((await fetch(`${server.url}/s/${link.body.token}`)).status).toBe(410);
		expect((await fetch(`${server.url}/p/${published.body.publication.slug}`)).status).toBe(404);

		expect((await restore(owner, canvasId)).status).toBe(200);
		expectError(await asGuest(), 410, 'GONE');
		expect((await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token })).body.shareLinks).toEqual([]);
		expectError(await api(server.url, `/api/v1/canvases/${canvasId}/publication`, { token: owner.token }), 404, 'NOT_FOUND');
		const log = await api(server.url, `/api/v1/teams/${teamId}/audit-log`, { token: owner.token });
		const entries = (log.body.entries as { action: string; targetId: string; details: Record<string, unknown> }[]).filter((entry) => entry.targetId === canvasId);
		expect(entries.map((entry) => entry.action)).toEqual(['canvas.restore', 'canvas.trash', 'publication.publish', 'canvas.create']);
		expect(entries[1].details).toMatchObject({ title: 'Shared', revokedLinks: 1, unpublished: published.body.publication.slug });
	});

	it('editors move to the trash and restore; viewers may only look; deleting for good is for admins and owners', async () => {
		const canvasId = await teamCanvas('Roles');
		expectError(await remove(viewer, canvasId), 403, 'FORBIDDEN');
		expect((await remove(editor, canvasId)).status).toBe(200);
		expect((await trashOf(viewer)).status).toBe(200);
		expectError(await restore(viewer, canvasId), 403, 'FORBIDDEN');
		const editorForever = await remove(editor, canvasId, '?permanent=true');
		expectError(editorForever, 403, 'FORBIDDEN');
		expect(editorForever.body.error.message).toBe('As an editor you may not delete canvases for good.');
		expectError(await remove(editor, canvasId, '?permanent=yes'), 400, 'INVALID_INPUT');
		expect((await remove(admin, canvasId, '?permanent=true')).status).toBe(204);
		expect((await trashOf(owner)).body.canvases.map((canvas: { id: string }) => canvas.id)).not.toContain(canvasId);
		expectError(await restore(owner, canvasId), 404, 'NOT_FOUND');

		// An admin may also delete a live canvas for good, at once.
		const live = await teamCanvas('Straight to nothing');
		expect((await remove(owner, live, '?permanent=true')).status).toBe(204);
		expectError(await api(server.url, `/api/v1/canvases/${live}`, { token: owner.token }), 404, 'NOT_FOUND');
		expect((await trashOf(owner)).body.canvases.map((canvas: { id: string }) => canvas.id)).not.toContain(live);
	});

	it("another team's member gets 404 everywhere: the trash, restoring, deleting, deleting for good", async () => {
		const canvasId = await teamCanvas('Private');
		expectError(await remove(stranger, canvasId), 404, 'NOT_FOUND');
		expect((await remove(owner, canvasId)).status).toBe(200);
		expectError(await trashOf(stranger), 404, 'NOT_FOUND');
		expectError(await restore(stranger, canvasId), 404, 'NOT_FOUND');
		expectError(await remove(stranger, canvasId, '?permanent=true'), 404, 'NOT_FOUND');
		expectError(await restore(stranger, crypto.randomUUID()), 404, 'NOT_FOUND');
		// And the canvas page tells only the team it is in the trash.
		expect((await trashOf(owner)).body.canvases.map((canvas: { id: string }) => canvas.id)).toContain(canvasId);
	});

	it('server-side writers treat a canvas in the trash as not found', async () => {
		const canvasId = await teamCanvas('Quiet now');
		expect((await remove(owner, canvasId)).status).toBe(200);
		const writes: [string, string, unknown][] = [
			['PATCH', `/api/v1/canvases/${canvasId}`, { title: 'Renamed in the trash' }],
			['POST', `/api/v1/canvases/${canvasId}/conversations`, { messages: [{ role: 'user', content: 'Hello?' }] }],
			['POST', `/api/v1/canvases/${canvasId}/assistant/runs`, { prompt: 'Draw a cache' }],
			['POST', `/api/v1/canvases/${canvasId}/versions`, { label: 'From the trash' }],
			['POST', `/api/v1/canvases/${canvasId}/duplicate`, undefined],
			['POST', `/api/v1/canvases/${canvasId}/publication`, { title: 'Nope' }],
			['POST', `/api/v1/canvases/${canvasId}/share-links`, { access: 'view', audience: 'anyone' }],
			['POST', `/api/v1/canvases/${canvasId}/move`, { teamId: owner.personalTeamId }],
			['GET', `/api/v1/canvases/${canvasId}/export?format=json`, undefined],
			['DELETE', `/api/v1/canvases/${canvasId}`, undefined]
		];
		for (const [method, path, body] of writes) {
			const answer = await api(server.url, path, { method, token: owner.token, body });
			expect({ path, method, status: answer.status, code: answer.body?.error?.code }).toEqual({ path, method, status: 404, code: 'NOT_FOUND' });
		}
		expect((await restore(owner, canvasId)).body.title).toBe('Quiet now');
	});

	it('the plan counts only canvases outside the trash: one in the trash makes room, restoring it at the limit is refused', async () => {
		const solo = await signUp(server.url, 'Frugal');
		const ids: string[] = [];
		for (let i = 0; i < 10; i++) ids.push(await createCanvas(server.url, solo, `Canvas ${i + 1}`));
		expectError(await api(server.url, '/api/v1/canvases', { token: solo.token, body: { title: 'Eleventh' } }), 402, 'LIMIT_EXCEEDED');
		expect((await remove(solo, ids[0])).status).toBe(200);
		expect((await api(server.url, '/api/v1/canvases', { token: solo.token, body: { title: 'Eleventh' } })).status).toBe(201);
		const refused = await restore(solo, ids[0]);
		expectError(refused, 402, 'LIMIT_EXCEEDED');
		expect(refused.body.error.message).toBe(
			'“Canvas 1” cannot be restored: The Free plan includes 10 canvases and this team has 10. Upgrade to Pro for more. Or move another canvas to the trash first.'
		);
		expect(refused.body.error.details).toMatchObject({ limit: 'canvases', allowed: 10, used: 10 });
		expect((await trashOf(solo, solo.personalTeamId)).body.canvases.map((canvas: { id: string }) => canvas.id)).toEqual([ids[0]]);
		expect((await remove(solo, ids[1])).status).toBe(200);
		expect((await restore(solo, ids[0])).status).toBe(200);
	});

	it('a team in the trash disappears for its members and closes their sockets; only its owners see and restore it', async () => {
		const doomedTeam = (await api(server.url, '/api/v1/teams', { token: owner.token, body: { name: 'Short-lived' } })).body.id as string;
		const invitation = await api(server.url, `/api/v1/teams/${doomedTeam}/invitations`, { token: owner.token, body: { role: 'admin' } });
		await api(server.url, `/api/v1/invitations/${invitation.body.token}/accept`, { method: 'POST', token: admin.token });
		const canvasId = (await api(server.url, '/api/v1/canvases', { token: owner.token, body: { teamId: doomedTeam, title: 'Goes with it' } })).body.id as string;
		const link = await api(server.url, `/api/v1/canvases/${canvasId}/share-links`, { token: owner.token, body: { access: 'view', audience: 'anyone' } });
		const member = connectCanvas(server.wsUrl, documentName('canvas', canvasId), admin.token);
		await member.synced;
		seedCanvas(member.records);
		member.records.set('shape:kept', testShape('shape:kept'));
		await waitFor(() => !member.provider.hasUnsyncedChanges, 5000, 'the edit acknowledged');
		const closed = closedWith(member);

		expectError(await api(server.url, `/api/v1/teams/${doomedTeam}`, { method: 'DELETE', token: admin.token, body: { confirmName: 'Short-lived' } }), 403, 'FORBIDDEN');
		const deleted = await api(server.url, `/api/v1/teams/${doomedTeam}`, { method: 'DELETE', token: owner.token, body: { confirmName: 'Short-lived' } });
		expect(deleted.status).toBe(200);
		expect(deleted.body.team).toMatchObject({ id: doomedTeam, name: 'Short-lived', deletedBy: { id: owner.id, name: 'Olive' } });
		expect(await closed).toBe('TRASHED');
		member.destroy();

		for (const user of [owner, admin]) {
			expect((await api(server.url, '/api/v1/teams', { token: user.token })).body.teams.map((team: { id: string }) => team.id)).not.toContain(doomedTeam);
			expectError(await api(server.url, `/api/v1/teams/${doomedTeam}`, { token: user.token }), 404, 'NOT_FOUND');
			expectError(await api(server.url, `/api/v1/canvases/${canvasId}`, { token: user.token }), 404, 'NOT_FOUND');
			expectError(await api(server.url, `/api/v1/canvases?teamId=${doomedTeam}`, { token: user.token }), 404, 'NOT_FOUND');
		}
		expectError(await api(server.url, `/api/v1/canvases/${canvasId}/state`, { headers: { [SHARE_TOKEN_HEADER]: link.body.token } }), 410, 'GONE');
		const ownersList = (await api(server.url, '/api/v1/me/deleted-teams', { token: owner.token })).body.teams;
		expect(ownersList).toEqual([expect.objectContaining({ id: doomedTeam, name: 'Short-lived', deletedBy: { id: owner.id, name: 'Olive' } })]);
		expect(new Date(ownersList[0].purgeAt).getTime() - new Date(ownersList[0].deletedAt).getTime()).toBe(30 * DAY_MS);
		expect((await api(server.url, '/api/v1/me/deleted-teams', { token: admin.token })).body.teams).toEqual([]);
		expectError(await api(server.url, `/api/v1/teams/${doomedTeam}/restore`, { method: 'POST', token: admin.token }), 404, 'NOT_FOUND');

		const restored = await api(server.url, `/api/v1/teams/${doomedTeam}/restore`, { method: 'POST', token: owner.token });
		expect(restored.status).toBe(200);
		expect(restored.body).toEqual({ id: doomedTeam, name: 'Short-lived', personal: false, role: 'owner' });
		expect((await api(server.url, '/api/v1/teams', { token: admin.token })).body.teams.map((team: { id: string }) => team.id)).toContain(doomedTeam);
		const reader = connectCanvas(server.wsUrl, documentName('canvas', canvasId), admin.token);
		await reader.synced;
		expect(reader.records.has('shape:kept')).toBe(true);
		reader.destroy();
		expectError(await api(server.url, `/api/v1/canvases/${canvasId}/state`, { headers: { [SHARE_TOKEN_HEADER]: link.body.token } }), 410, 'GONE');
		expect((await api(server.url, '/api/v1/me/deleted-teams', { token: owner.token })).body.teams).toEqual([]);
	});

	it('a member opening a canvas in the trash is told so and pointed to the trash; others get the plain not-found', async () => {
		const canvasId = await teamCanvas('Looked for');
		expect((await remove(editor, canvasId)).status).toBe(200);
		const page = async (user: TestUser) => {
			const response = await fetch(`${server.url}/c/${canvasId}`, { headers: { cookie: `${sessionCookieName(false)}=${user.token}` } });
			return { status: response.status, html: await response.text() };
		};
		const member = await page(viewer);
		expect(member.status).toBe(404);
		expect(member.html).toContain('is in the trash');
		expect(member.html).toContain('Ed moved it to the trash');
		expect(member.html).toContain(`/teams/${teamId}/trash`);
		const outsider = await page(stranger);
		expect(outsider.status).toBe(404);
		expect(outsider.html).not.toContain('Looked for');
	});
});

describeEachDatabase('purging the trash', (database) => {
	async function person(db: Database, name: string) {
		const created = await accounts.signUp(db, { email: uniqueEmail(name), password: 'password123', name });
		return { actor: { kind: 'user' as const, userId: created.id }, personalTeamId: created.personalTeamId };
	}

	/** A canvas with a stored document and a version, as editing leaves it. */
	async function canvasWithContent(db: Database, actor: { kind: 'user'; userId: string }, teamId: string, title: string) {
		const canvas = await canvases.create(db, actor, { teamId, title });
		const doc = new Y.Doc();
		doc.getMap('records').set('shape:x', { id: 'shape:x' });
		await writeNewDocument(db, documentName('canvas', canvas.id), Y.encodeStateAsUpdate(doc), Y.encodeStateVector(doc));
		await history.capture(db, { document: documentName('canvas', canvas.id), state: Y.encodeStateAsUpdate(doc), kind: 'named', label: 'Kept' });
		return canvas.id;
	}

	async function storedRows(db: Database, canvasIds: string[]) {
		const names = canvasIds.flatMap(documentNamesOf);
		const [[stored], [versions], [rows]] = await Promise.all([
			db.select({ n: count() }).from(documents).where(inArray(documents.name, names)),
			db.select({ n: count() }).from(documentVersions).where(inArray(documentVersions.document, names)),
			db.select({ n: count() }).from(canvasRows).where(inArray(canvasRows.id, canvasIds))
		]);
		return { documents: stored.n, versions: versions.n, canvases: rows.n };
	}

	const daysOn = (days: number) => new Date(Date.now() + days * DAY_MS);

	it('keeps a canvas in the trash for 30 days (29 on: still there) and then deletes it with its documents (31 on: gone)', async () => {
		const { db } = database();
		const { actor, personalTeamId } = await person(db, 'Purger');
		const services = recordingServices(db);
		const doomed = await canvasWithContent(db, actor, personalTeamId, 'Old news');
		const kept = await canvasWithContent(db, actor, personalTeamId, 'Still here');
		await trash.moveCanvasToTrash(services, actor, doomed);
		// Moving to the trash closed the sockets without throwing away what they sent.
		expect(services.recorded).toEqual({ closed: [{ match: { canvasId: doomed }, reason: 'TRASHED' }], discarded: [] });
		expect(await storedRows(db, [doomed])).toEqual({ documents: 1, versions: 1, canvases: 1 });

		await trash.purgeTrash(services, daysOn(29));
		expect((await trash.listTrash(db, actor, personalTeamId)).map((canvas) => canvas.id)).toEqual([doomed]);
		expect(await storedRows(db, [doomed])).toEqual({ documents: 1, versions: 1, canvases: 1 });

		services.clear();
		const purged = await trash.purgeTrash(services, daysOn(31));
		expect(purged.canvases).toBeGreaterThanOrEqual(1);
		expect(await storedRows(db, [doomed])).toEqual({ documents: 0, versions: 0, canvases: 0 });
		expect(await storedRows(db, [kept])).toEqual({ documents: 1, versions: 1, canvases: 1 });
		expect(services.recorded.discarded.map((entry) => entry.documentName)).toEqual(expect.arrayContaining(documentNamesOf(doomed)));
		expect(await trash.listTrash(db, actor, personalTeamId)).toEqual([]);
		const [entry] = (await audit.listForTeam(db, actor, personalTeamId)).filter((row) => row.targetId === doomed && row.action === 'canvas.delete');
		expect(entry).toMatchObject({ actorKind: 'system', details: { title: 'Old news', purged: true } });
	});

	it('a team key no longer reaches a canvas in the trash, nor can a new key be limited to one', async () => {
		const { db } = database();
		const { actor, personalTeamId } = await person(db, 'Keyholder');
		const canvasId = await canvasWithContent(db, actor, personalTeamId, 'Keyed');
		const key = { kind: 'apiKey' as const, keyId: crypto.randomUUID(), teamId: personalTeamId, scopes: ['canvases:write' as const] };
		await trash.moveCanvasToTrash(recordingServices(db), key, canvasId);
		await expect(canvases.get(db, key, canvasId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		await expect(trash.deleteCanvasForever(recordingServices(db), key, canvasId)).rejects.toMatchObject({ code: 'FORBIDDEN' });
		await expect(apiKeys.create(db, actor, personalTeamId, { name: 'Too late', scopes: ['canvases:read'], canvasIds: [canvasId] })).rejects.toMatchObject({
			code: 'INVALID_INPUT',
			message: `${canvasId} is not a canvas of this team.`
		});
		// A key may restore (canvases:write), and then reaches it again.
		await trash.restoreCanvas(recordingServices(db), key, canvasId);
		expect((await canvases.get(db, key, canvasId)).title).toBe('Keyed');
	});

	it('a canvas restored before its time is up is left alone by the purge', async () => {
		const { db } = database();
		const { actor, personalTeamId } = await person(db, 'Rescuer');
		const services = recordingServices(db);
		const canvasId = await canvasWithContent(db, actor, personalTeamId, 'Rescued');
		await trash.moveCanvasToTrash(services, actor, canvasId);
		await trash.restoreCanvas(services, actor, canvasId);
		await trash.purgeTrash(services, daysOn(31));
		expect(await storedRows(db, [canvasId])).toEqual({ documents: 1, versions: 1, canvases: 1 });
		expect((await canvases.get(db, actor, canvasId)).title).toBe('Rescued');
	});

	it('purges a team 30 days after it went to the trash, with its canvases and their documents', async () => {
		const { db } = database();
		const { actor } = await person(db, 'Founder');
		const services = recordingServices(db);
		const team = await teams.create(db, actor, 'Sunset');
		const canvasIds = [await canvasWithContent(db, actor, team.id, 'One'), await canvasWithContent(db, actor, team.id, 'Two')];
		// One of its canvases was in the team's own trash already: the team takes it along.
		await trash.moveCanvasToTrash(services, actor, canvasIds[1]);
		await expect(trash.trashTeam(services, actor, team.id, 'Sunset ')).resolves.toMatchObject({ id: team.id, name: 'Sunset' });
		expect((await trash.listDeletedTeams(db, actor)).map((deleted) => deleted.id)).toEqual([team.id]);

		await trash.purgeTrash(services, daysOn(29));
		expect((await trash.listDeletedTeams(db, actor)).map((deleted) => deleted.id)).toEqual([team.id]);
		expect(await storedRows(db, canvasIds)).toEqual({ documents: 2, versions: 2, canvases: 2 });

		const purged = await trash.purgeTrash(services, daysOn(31));
		expect(purged.teams).toBeGreaterThanOrEqual(1);
		expect(await db.select().from(teamRows).where(eq(teamRows.id, team.id))).toEqual([]);
		expect(await db.select().from(memberships).where(eq(memberships.teamId, team.id))).toEqual([]);
		expect(await storedRows(db, canvasIds)).toEqual({ documents: 0, versions: 0, canvases: 0 });
		expect(await trash.listDeletedTeams(db, actor)).toEqual([]);
		await expect(trash.restoreTeam(services, actor, team.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
	});

	it('a restored team brings back its canvases, except those that were in its trash on their own', async () => {
		const { db } = database();
		const { actor, personalTeamId } = await person(db, 'Returner');
		const services = recordingServices(db);
		const team = await teams.create(db, actor, 'Phoenix');
		const live = await canvasWithContent(db, actor, team.id, 'Live');
		const binned = await canvasWithContent(db, actor, team.id, 'Binned');
		await trash.moveCanvasToTrash(services, actor, binned);
		await expect(trash.trashTeam(services, actor, personalTeamId, 'whatever')).rejects.toMatchObject({ code: 'FORBIDDEN' });
		const invitation = await invitations.create(db, actor, team.id, { role: 'editor' });
		const joiner = await person(db, 'Latecomer');
		await trash.trashTeam(services, actor, team.id, 'Phoenix');
		expect((await teams.listForUser(db, actor.userId)).map((listed) => listed.id)).not.toContain(team.id);
		// Nobody joins a team in the trash.
		await expect(invitations.preview(db, invitation.token)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		await expect(invitations.accept(services, joiner.actor, invitation.token)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		await expect(trash.listTrash(db, actor, team.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		await expect(trash.restoreCanvas(services, actor, binned)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		await expect(trash.trashTeam(services, actor, team.id, 'Phoenix')).rejects.toMatchObject({ code: 'NOT_FOUND' });

		await trash.restoreTeam(services, actor, team.id);
		expect((await canvases.listForTeam(db, actor, team.id)).map((canvas) => canvas.id)).toEqual([live]);
		await expect(invitations.accept(services, joiner.actor, invitation.token)).resolves.toMatchObject({ teamId: team.id, joined: true });
		expect((await trash.listTrash(db, actor, team.id)).map((canvas) => canvas.id)).toEqual([binned]);
		const actions = (await audit.listForTeam(db, actor, team.id)).map((entry) => entry.action);
		expect(actions.slice(0, 4)).toEqual(['member.join', 'team.restore', 'team.trash', 'invitation.create']);
	});
});

describe('trash retention', () => {
	it('purges 30 days after deletion', () => {
		const deletedAt = new Date('2026-12-04T10:00:00Z');
		expect(trash.TRASH_RETENTION_DAYS).toBe(30);
		expect(trash.purgeAtOf(deletedAt).toISOString()).toBe('2027-01-03T10:00:00.000Z');
	});
});
