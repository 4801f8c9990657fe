// The full access matrix, table-driven: role × action on canvases and teams, share link × audience ×
// state, and ids from other teams — all through the one access module, on both databases.
import { documentNamesOf } from '../../src/lib/document-names.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as accounts from '../../src/lib/server/accounts.ts';
import * as canvases from '../../src/lib/server/canvases.ts';
import * as library from '../../src/lib/server/library/index.ts';
import * as sharing from '../../src/lib/server/sharing.ts';
import * as teams from '../../src/lib/server/teams.ts';
import * as trash from '../../src/lib/server/trash/index.ts';
import * as invitations from '../../src/lib/server/invitations.ts';
import * as audit from '../../src/lib/server/audit.ts';
import * as billing from '../../src/lib/server/billing.ts';
import { startSession } from '../../src/lib/server/auth/sessions.ts';
import { ANONYMOUS, resolveCanvasAccess, type UserActor } from '../../src/lib/server/access.ts';
import { memberships, shareLinks, ROLES, type Role } from '../../src/lib/server/db/schema.ts';
import type { OpenDatabase } from '../../src/lib/server/db/index.ts';
import { describeEachDatabase, uniqueEmail } from '../helpers/databases.ts';
import { recordingServices, type RecordingServices } from '../helpers/services.ts';

async function user(db: OpenDatabase['db'], name: string): Promise<UserActor & { personalTeamId: string }> {
	const created = await accounts.signUp(db, { email: uniqueEmail(name), password: 'password123', name });
	return { kind: 'user', userId: created.id, personalTeamId: created.personalTeamId };
}

describeEachDatabase('access matrix', (database) => {
	let owner: UserActor;
	let teamId: string;
	let canvasId: string;
	const members = {} as Record<Role, UserActor>;
	let outsider: UserActor & { personalTeamId: string };
	let outsiderCanvasId: string;
	let services: RecordingServices;

	beforeAll(async () => {
		const { db } = database();
		services = recordingServices(db);
		owner = await user(db, 'Owner');
		teamId = (await teams.create(db, owner, 'Matrix team')).id;
		members.owner = owner;
		for (const role of ['admin', 'editor', 'viewer'] as const) {
			members[role] = await user(db, role);
			await db.insert(memberships).values({ teamId, userId: members[role].userId, role });
		}
		outsider = await user(db, 'Outsider');
		canvasId = (await canvases.create(db, owner, { teamId, title: 'Matrix canvas' })).id;
		outsiderCanvasId = (await canvases.create(db, outsider, { teamId: outsider.personalTeamId, title: 'Theirs' })).id;
	});

	// action → the roles that may do it; every other role gets FORBIDDEN, outsiders NOT_FOUND.
	const CANVAS_ACTIONS: [string, Role[], (actor: UserActor) => Promise<unknown>][] = [
		['open', [...ROLES], (actor) => canvases.get(database().db, actor, canvasId)],
		['rename', ['owner', 'admin', 'editor'], (actor) => canvases.rename(database().db, actor, canvasId, 'Matrix canvas')],
		['duplicate', ['owner', 'admin', 'editor'], (actor) => canvases.duplicate(services, actor, canvasId)],
		['list share links', ['owner', 'admin'], (actor) => sharing.listLinks(database().db, actor, canvasId)],
		['create share link', ['owner', 'admin'], (actor) => sharing.createLink(database().db, actor, canvasId, { access: 'view', audience: 'anyone' })],
		['list canvases', [...ROLES], (actor) => canvases.listForTeam(database().db, actor, teamId)],
		['list the trash', [...ROLES], (actor) => trash.listTrash(database().db, actor, teamId)],
		// Restoring a canvas that is not in the trash changes nothing: the permission is all that is asked.
		['restore from the trash', ['owner', 'admin', 'editor'], (actor) => trash.restoreCanvas(services, actor, canvasId)],
		['create canvas', ['owner', 'admin', 'editor'], (actor) => canvases.create(database().db, actor, { teamId })],
		['list members', [...ROLES], (actor) => teams.listMembers(database().db, actor, teamId)],
		['list invitations', ['owner', 'admin'], (actor) => invitations.listPending(database().db, actor, teamId)],
		['invite a viewer', ['owner', 'admin'], (actor) => invitations.create(database().db, actor, teamId, { role: 'viewer' })],
		['read the audit log', ['owner', 'admin'], (actor) => audit.listForTeam(database().db, actor, teamId)],
		['rename the team', ['owner'], (actor) => teams.rename(database().db, actor, teamId, 'Matrix team').then(() => 'renamed')],
		['search the library', [...ROLES], (actor) => library.listLibrary(database().db, actor, teamId, { q: 'matrix' })],
		['star a canvas', [...ROLES], (actor) => library.star(database().db, actor, canvasId).then(() => 'starred')],
		['list folders', [...ROLES], (actor) => library.listFolders(database().db, actor, teamId)],
		['create a folder', ['owner', 'admin', 'editor'], (actor) => library.createFolder(database().db, actor, teamId, `Folder ${crypto.randomUUID()}`)],
		['file a canvas', ['owner', 'admin', 'editor'], (actor) => library.fileCanvas(database().db, actor, canvasId, null).then(() => 'filed')]
	];

	for (const [action, allowed, attempt] of CANVAS_ACTIONS) {
		for (const role of ROLES) {
			const may = allowed.includes(role);
			it(`${role} ${may ? 'may' : 'may not'} ${action}`, async () => {
				const result = attempt(members[role]);
				if (may) await expect(result).resolves.toBeDefined();
				else await expect(result).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 });
			});
		}
		it(`an outsider gets NOT_FOUND (never FORBIDDEN) trying to ${action}`, async () => {
			await expect(attempt(outsider)).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
		});
	}

	it('editing follows the role: owners, admins and editors edit; viewers only view', async () => {
		const { db } = database();
		for (const role of ROLES) {
			const access = await resolveCanvasAccess(db, members[role], canvasId);
			expect(access).toMatchObject({ role, canEdit: role !== 'viewer', link: null });
		}
	});

	it('ids from other teams are NOT_FOUND, existing or not, well-formed or not', async () => {
		const { db } = database();
		for (const id of [outsiderCanvasId, crypto.randomUUID(), 'not-a-uuid', '']) {
			await expect(resolveCanvasAccess(db, owner, id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		}
		await expect(resolveCanvasAccess(db, ANONYMOUS, canvasId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
	});

	describe('share links: access × audience × state', () => {
		type LinkCase = { access: 'view' | 'edit'; audience: 'anyone' | 'team'; state: 'active' | 'expired' | 'revoked' };
		const CASES: LinkCase[] = [];
		for (const access of ['view', 'edit'] as const)
			for (const audience of ['anyone', 'team'] as const) for (const state of ['active', 'expired', 'revoked'] as const) CASES.push({ access, audience, state });

		async function makeLink({ access, audience, state }: LinkCase): Promise<{ token: string; id: string }> {
			const { db } = database();
			const { link, token } = await sharing.createLink(db, owner, canvasId, { access, audience });
			if (state === 'expired')
				await db
					.update(shareLinks)
					.set({ expiresAt: new Date(Date.now() - 1000) })
					.where(eq(shareLinks.id, link.id));
			if (state === 'revoked') await sharing.revokeLink(services, owner, link.id);
			return { token, id: link.id };
		}

		for (const linkCase of CASES) {
			const name = `${linkCase.access} link for ${linkCase.audience}, ${linkCase.state}`;
			it(`${name}: anonymous visitor`, async () => {
				const { token } = await makeLink(linkCase);
				const result = resolveCanvasAccess(database().db, ANONYMOUS, canvasId, token);
				if (linkCase.state !== 'active') await expect(result).rejects.toMatchObject({ code: 'GONE', status: 410 });
				else if (linkCase.audience === 'team') await expect(result).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
				else await expect(result).resolves.toMatchObject({ role: null, canEdit: linkCase.access === 'edit', link: { access: linkCase.access } });
			});
			it(`${name}: signed-in user of another team`, async () => {
				const { token } = await makeLink(linkCase);
				const result = resolveCanvasAccess(database().db, outsider, canvasId, token);
				if (linkCase.state !== 'active') await expect(result).rejects.toMatchObject({ code: 'GONE' });
				else if (linkCase.audience === 'team') await expect(result).rejects.toMatchObject({ code: 'NOT_FOUND' });
				else await expect(result).resolves.toMatchObject({ role: null, canEdit: linkCase.access === 'edit' });
			});
			it(`${name}: a viewer of the team gets the best of role and link`, async () => {
				const { token } = await makeLink(linkCase);
				const access = await resolveCanvasAccess(database().db, members.viewer, canvasId, token);
				expect(access.role).toBe('viewer');
				expect(access.canEdit).toBe(linkCase.state === 'active' && linkCase.access === 'edit');
			});
		}

		it('a link opens only its own canvas', async () => {
			const { db } = database();
			const { token } = await sharing.createLink(db, owner, canvasId, { access: 'edit', audience: 'anyone' });
			const other = (await canvases.create(db, owner, { teamId })).id;
			await expect(resolveCanvasAccess(db, ANONYMOUS, other, token)).rejects.toMatchObject({ code: 'NOT_FOUND' });
			await expect(resolveCanvasAccess(db, ANONYMOUS, outsiderCanvasId, token)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		});

		it('tokens are stored only as SHA-256, and unknown or malformed tokens grant nothing', async () => {
			const { db } = database();
			const { token, link } = await sharing.createLink(db, owner, canvasId, { access: 'view', audience: 'anyone' });
			expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
			const [row] = await db.select().from(shareLinks).where(eq(shareLinks.id, link.id));
			expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
			expect(JSON.stringify(row)).not.toContain(token);
			for (const bad of ['x'.repeat(43), token.slice(0, 42), `${token}x`, "' or 1=1 --"]) {
				await expect(resolveCanvasAccess(db, ANONYMOUS, canvasId, bad)).rejects.toMatchObject({ code: 'NOT_FOUND' });
			}
		});
	});

	describe('membership rules', () => {
		it('the last owner can neither be demoted nor leave; after a transfer they can', async () => {
			const { db } = database();
			const boss = await user(db, 'Boss');
			const deputy = await user(db, 'Deputy');
			const team = await teams.create(db, boss, 'Rules');
			await db.insert(memberships).values({ teamId: team.id, userId: deputy.userId, role: 'editor' });
			await expect(teams.changeRole(services, boss, team.id, boss.userId, 'admin')).rejects.toMatchObject({ code: 'CONFLICT' });
			await expect(teams.removeMember(services, boss, team.id, boss.userId)).rejects.toMatchObject({ code: 'CONFLICT' });
			await teams.transferOwnership(services, boss, team.id, deputy.userId);
			const roles = Object.fromEntries((await teams.listMembers(db, boss, team.id)).map((m) => [m.userId, m.role]));
			expect(roles).toEqual({ [boss.userId]: 'admin', [deputy.userId]: 'owner' });
			await teams.removeMember(services, boss, team.id, boss.userId);
			await expect(teams.listMembers(db, boss, team.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		});

		it('admins manage editors and viewers but not owners or other admins, and cannot grant ownership', async () => {
			const { db } = database();
			const boss = await user(db, 'Boss');
			const admin = await user(db, 'Admin');
			const admin2 = await user(db, 'Admin2');
			const editor = await user(db, 'Editor');
			const team = await teams.create(db, boss, 'Admins');
			await billing.setPlan(db, team.id, 'team', 10); // room for seats: this test is about roles
			for (const [member, role] of [
				[admin, 'admin'],
				[admin2, 'admin'],
				[editor, 'editor']
			] as const) {
				await db.insert(memberships).values({ teamId: team.id, userId: member.userId, role });
			}
			await expect(teams.changeRole(services, admin, team.id, editor.userId, 'viewer')).resolves.toMatchObject({ role: 'viewer' });
			await expect(teams.changeRole(services, admin, team.id, editor.userId, 'owner')).rejects.toMatchObject({ code: 'FORBIDDEN' });
			await expect(teams.changeRole(services, admin, team.id, admin2.userId, 'viewer')).rejects.toMatchObject({ code: 'FORBIDDEN' });
			await expect(teams.changeRole(services, admin, team.id, boss.userId, 'viewer')).rejects.toMatchObject({ code: 'FORBIDDEN' });
			await expect(teams.removeMember(services, admin, team.id, admin2.userId)).rejects.toMatchObject({ code: 'FORBIDDEN' });
			await expect(teams.removeMember(services, admin, team.id, editor.userId)).resolves.toBeUndefined();
			await expect(invitations.create(db, admin, team.id, { role: 'admin' })).resolves.toBeDefined();
			await expect(teams.changeRole(services, editor, team.id, admin.userId, 'viewer')).rejects.toMatchObject({ code: 'NOT_FOUND' });
		});

		it('invitations: role, expiry, use limits and revocation are enforced; members are not downgraded', async () => {
			const { db } = database();
			const boss = await user(db, 'Boss');
			const team = await teams.create(db, boss, 'Invites');
			const single = await invitations.create(db, boss, team.id, { role: 'editor', maxUses: 1 });
			const first = await user(db, 'First');
			const second = await user(db, 'Second');
			await expect(invitations.accept(services, first, single.token)).resolves.toMatchObject({ teamId: team.id, role: 'editor', joined: true });
			await expect(invitations.accept(services, second, single.token)).rejects.toMatchObject({ code: 'GONE', message: expect.stringMatching(/already been used/) });
			expect((await invitations.preview(db, single.token)).problem).toBe('used');

			const viewerInvite = await invitations.create(db, boss, team.id, { role: 'viewer' });
			await expect(invitations.accept(services, first, viewerInvite.token)).resolves.toMatchObject({ role: 'editor', joined: false });
			await invitations.revoke(db, boss, viewerInvite.invitation.id);
			await expect(invitations.accept(services, second, viewerInvite.token)).rejects.toMatchObject({ code: 'GONE', message: expect.stringMatching(/revoked/) });
			await expect(invitations.preview(db, 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });

			// Concurrent accepts of a 3-use invitation: exactly three people get in.
			const limited = await invitations.create(db, boss, team.id, { role: 'viewer', maxUses: 3 });
			const people = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => user(db, `Rush${n}`)));
			const results = await Promise.allSettled(people.map((person) => invitations.accept(services, person, limited.token)));
			expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(3);
			expect((await invitations.listPending(db, boss, team.id)).map((i) => i.id)).not.toContain(limited.invitation.id);
		});

		it('every membership, role, invitation and share-link change lands in the audit log', async () => {
			const { db } = database();
			const boss = await user(db, 'Boss');
			const member = await user(db, 'Member');
			const team = await teams.create(db, boss, 'Audited', { ip: '203.0.113.9' });
			const invite = await invitations.create(db, boss, team.id, { role: 'editor' }, { ip: '203.0.113.9' });
			await invitations.accept(services, member, invite.token);
			await teams.changeRole(services, boss, team.id, member.userId, 'viewer');
			const canvas = await canvases.create(db, boss, { teamId: team.id });
			const { link } = await sharing.createLink(db, boss, canvas.id, { access: 'view', audience: 'anyone' });
			await sharing.revokeLink(services, boss, link.id);
			await invitations.revoke(db, boss, invite.invitation.id);
			await teams.removeMember(services, boss, team.id, member.userId);
			const actions = (await audit.listForTeam(db, boss, team.id)).map((row) => row.action).reverse();
			expect(actions).toEqual([
				'team.create',
				'invitation.create',
				'member.join',
				'member.role_change',
				'canvas.create',
				'share_link.create',
				'share_link.revoke',
				'invitation.revoke',
				'member.remove'
			]);
			const [created] = (await audit.listForTeam(db, boss, team.id)).slice(-1);
			expect(created).toMatchObject({ actorId: boss.userId, actorName: 'Boss', ip: '203.0.113.9' });
		});
	});

	// Guarantee 5 rests on these: each access mutation closes (or re-authorises) the sockets it
	// concerns itself, after its commit, whoever calls it. A refused mutation closes nothing.
	describe('the sockets each mutation closes', () => {
		let recorder: RecordingServices;
		let boss: UserActor & { personalTeamId: string };
		let member: UserActor & { personalTeamId: string };
		let team: string;

		beforeAll(async () => {
			const { db } = database();
			recorder = recordingServices(db);
			boss = await user(db, 'Closer');
			member = await user(db, 'Closed');
			team = (await teams.create(db, boss, 'Closing')).id;
			await billing.setPlan(db, team, 'team', 10);
		});

		/** Runs `mutation` and returns what it closed and discarded. */
		async function effectsOf(mutation: () => Promise<unknown>) {
			recorder.clear();
			await mutation();
			return { closed: [...recorder.recorded.closed], discarded: [...recorder.recorded.discarded] };
		}

		const reauthorised = (userIds: string[]) => userIds.map((userId) => ({ match: { teamId: team, userId }, reason: 'ACCESS_CHANGED' }));

		it('invitations.accept: a new member, and a member whose role goes up, reconnect; an unchanged one does not', async () => {
			const viewerInvite = await invitations.create(database().db, boss, team, { role: 'viewer', maxUses: null });
			expect(await effectsOf(() => invitations.accept(recorder, member, viewerInvite.token))).toEqual({ closed: reauthorised([member.userId]), discarded: [] });
			expect(await effectsOf(() => invitations.accept(recorder, member, viewerInvite.token))).toEqual({ closed: [], discarded: [] });
			const editorInvite = await invitations.create(database().db, boss, team, { role: 'editor' });
			expect(await effectsOf(() => invitations.accept(recorder, member, editorInvite.token))).toEqual({ closed: reauthorised([member.userId]), discarded: [] });
		});

		it('teams.changeRole re-authorises the member; the same role again, or a refused change, closes nothing', async () => {
			expect(await effectsOf(() => teams.changeRole(recorder, boss, team, member.userId, 'admin'))).toEqual({ closed: reauthorised([member.userId]), discarded: [] });
			expect(await effectsOf(() => teams.changeRole(recorder, boss, team, member.userId, 'admin'))).toEqual({ closed: [], discarded: [] });
			recorder.clear();
			await expect(teams.changeRole(recorder, member, team, boss.userId, 'viewer')).rejects.toMatchObject({ code: 'FORBIDDEN' });
			expect(recorder.recorded).toEqual({ closed: [], discarded: [] });
		});

		it('teams.transferOwnership re-authorises both the old and the new owner', async () => {
			expect(await effectsOf(() => teams.transferOwnership(recorder, boss, team, member.userId))).toEqual({
				closed: reauthorised([boss.userId, member.userId]),
				discarded: []
			});
			// Back as it was, for the tests that follow.
			await teams.transferOwnership(recorder, member, team, boss.userId);
		});

		it('teams.removeMember closes the removed member’s sockets, and the leaver’s own', async () => {
			expect(await effectsOf(() => teams.removeMember(recorder, boss, team, member.userId))).toEqual({ closed: reauthorised([member.userId]), discarded: [] });
			const invite = await invitations.create(database().db, boss, team, { role: 'editor' });
			await invitations.accept(recorder, member, invite.token);
			expect(await effectsOf(() => teams.removeMember(recorder, member, team, member.userId))).toEqual({ closed: reauthorised([member.userId]), discarded: [] });
		});

		it('sharing.revokeLink closes what the link opened; creating one closes nothing', async () => {
			const canvas = await canvases.create(database().db, boss, { teamId: team });
			let linkId = '';
			expect(
				await effectsOf(async () => {
					linkId = (await sharing.createLink(database().db, boss, canvas.id, { access: 'edit', audience: 'anyone' })).link.id;
				})
			).toEqual({ closed: [], discarded: [] });
			expect(await effectsOf(() => sharing.revokeLink(recorder, boss, linkId))).toEqual({
				closed: [{ match: { shareLinkId: linkId }, reason: 'ACCESS_CHANGED' }],
				discarded: []
			});
		});

		it('accounts.signOut closes the session’s sockets as unauthenticated', async () => {
			const { session } = await startSession(database().db, member.userId, 30);
			expect(await effectsOf(() => accounts.signOut(recorder, session.id))).toEqual({
				closed: [{ match: { sessionId: session.id }, reason: 'UNAUTHENTICATED' }],
				discarded: []
			});
		});

		it('canvases.move re-authorises the canvas’s sockets; the trash closes them keeping the document; deleting for good discards it', async () => {
			const canvas = await canvases.create(database().db, boss, { teamId: team });
			expect(await effectsOf(() => canvases.move(recorder, boss, canvas.id, boss.personalTeamId))).toEqual({
				closed: [{ match: { canvasId: canvas.id }, reason: 'ACCESS_CHANGED' }],
				discarded: []
			});
			expect(await effectsOf(() => trash.moveCanvasToTrash(recorder, boss, canvas.id))).toEqual({
				closed: [{ match: { canvasId: canvas.id }, reason: 'TRASHED' }],
				discarded: []
			});
			expect(await effectsOf(() => trash.deleteCanvasForever(recorder, boss, canvas.id))).toEqual({
				closed: [],
				discarded: documentNamesOf(canvas.id).map((documentName) => ({ documentName, reason: 'DELETED' }))
			});
		});

		it('trashing a team closes every socket of the team, after a refused confirmation closed none; the purge discards its canvases', async () => {
			const doomed = (await teams.create(database().db, boss, 'Doomed')).id;
			const ids = [(await canvases.create(database().db, boss, { teamId: doomed })).id, (await canvases.create(database().db, boss, { teamId: doomed })).id];
			recorder.clear();
			await expect(trash.trashTeam(recorder, boss, doomed, 'not the name')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
			expect(recorder.recorded).toEqual({ closed: [], discarded: [] });
			expect(await effectsOf(() => trash.trashTeam(recorder, boss, doomed, 'Doomed'))).toEqual({
				closed: [{ match: { teamId: doomed }, reason: 'TRASHED' }],
				discarded: []
			});
			const later = new Date(Date.now() + (trash.TRASH_RETENTION_DAYS + 1) * 86_400_000);
			const { closed, discarded } = await effectsOf(() => trash.purgeTrash(recorder, later));
			expect(closed).toEqual([]);
			expect(discarded.map((entry) => entry.documentName).sort()).toEqual(expect.arrayContaining(ids.flatMap(documentNamesOf).sort()));
			expect(new Set(discarded.map((entry) => entry.reason))).toEqual(new Set(['DELETED']));
		});
	});
});
