// The full access matrix, table-driven: role × action on canvases and teams, share link × audience ×
// state, and ids from other teams — all through the one access module, on both databases.
import { beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as accounts from '../../src/lib/server/accounts.ts';
import * as canvases from '../../src/lib/server/canvases.ts';
import * as sharing from '../../src/lib/server/sharing.ts';
import * as teams from '../../src/lib/server/teams.ts';
import * as invitations from '../../src/lib/server/invitations.ts';
import * as audit from '../../src/lib/server/audit.ts';
import * as billing from '../../src/lib/server/billing.ts';
import { ANONYMOUS, resolveCanvasAccess, type UserActor } from '../../src/lib/server/access.ts';
import { memberships, shareLinks, ROLES, type Role } from '../../src/lib/server/db/schema.ts';
import type { OpenDatabase } from '../../src/lib/server/db/index.ts';
import { describeEachDatabase, uniqueEmail } from '../helpers/databases.ts';

const collaboration = {
	discardDocument: async () => {},
	readDocumentState: async () => new Uint8Array([0, 0]),
	closeConnections: () => 0
};

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

	beforeAll(async () => {
		const { db } = database();
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
		['duplicate', ['owner', 'admin', 'editor'], (actor) => canvases.duplicate(database().db, actor, canvasId, collaboration)],
		['list share links', ['owner', 'admin'], (actor) => sharing.listLinks(database().db, actor, canvasId)],
		['create share link', ['owner', 'admin'], (actor) => sharing.createLink(database().db, actor, canvasId, { access: 'view', audience: 'anyone' })],
		['list canvases', [...ROLES], (actor) => canvases.listForTeam(database().db, actor, teamId)],
		['create canvas', ['owner', 'admin', 'editor'], (actor) => canvases.create(database().db, actor, { teamId })],
		['list members', [...ROLES], (actor) => teams.listMembers(database().db, actor, teamId)],
		['list invitations', ['owner', 'admin'], (actor) => invitations.listPending(database().db, actor, teamId)],
		['invite a viewer', ['owner', 'admin'], (actor) => invitations.create(database().db, actor, teamId, { role: 'viewer' })],
		['read the audit log', ['owner', 'admin'], (actor) => audit.listForTeam(database().db, actor, teamId)],
		['rename the team', ['owner'], (actor) => teams.rename(database().db, actor, teamId, 'Matrix team').then(() => 'renamed')]
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
			if (state === 'revoked') await sharing.revokeLink(db, owner, link.id);
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
			await expect(teams.changeRole(db, boss, team.id, boss.userId, 'admin')).rejects.toMatchObject({ code: 'CONFLICT' });
			await expect(teams.removeMember(db, boss, team.id, boss.userId)).rejects.toMatchObject({ code: 'CONFLICT' });
			await teams.transferOwnership(db, boss, team.id, deputy.userId);
			const roles = Object.fromEntries((await teams.listMembers(db, boss, team.id)).map((m) => [m.userId, m.role]));
			expect(roles).toEqual({ [boss.userId]: 'admin', [deputy.userId]: 'owner' });
			await teams.removeMember(db, boss, team.id, boss.userId);
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
			await expect(teams.changeRole(db, admin, team.id, editor.userId, 'viewer')).resolves.toMatchObject({ role: 'viewer' });
			await expect(teams.changeRole(db, admin, team.id, editor.userId, 'owner')).rejects.toMatchObject({ code: 'FORBIDDEN' });
			await expect(teams.changeRole(db, admin, team.id, admin2.userId, 'viewer')).rejects.toMatchObject({ code: 'FORBIDDEN' });
			await expect(teams.changeRole(db, admin, team.id, boss.userId, 'viewer')).rejects.toMatchObject({ code: 'FORBIDDEN' });
			await expect(teams.removeMember(db, admin, team.id, admin2.userId)).rejects.toMatchObject({ code: 'FORBIDDEN' });
			await expect(teams.removeMember(db, admin, team.id, editor.userId)).resolves.toBeUndefined();
			await expect(invitations.create(db, admin, team.id, { role: 'admin' })).resolves.toBeDefined();
			await expect(teams.changeRole(db, editor, team.id, admin.userId, 'viewer')).rejects.toMatchObject({ code: 'NOT_FOUND' });
		});

		it('invitations: role, expiry, use limits and revocation are enforced; members are not downgraded', async () => {
			const { db } = database();
			const boss = await user(db, 'Boss');
			const team = await teams.create(db, boss, 'Invites');
			const single = await invitations.create(db, boss, team.id, { role: 'editor', maxUses: 1 });
			const first = await user(db, 'First');
			const second = await user(db, 'Second');
			await expect(invitations.accept(db, first.userId, single.token)).resolves.toMatchObject({ teamId: team.id, role: 'editor', joined: true });
			await expect(invitations.accept(db, second.userId, single.token)).rejects.toMatchObject({ code: 'GONE', message: expect.stringMatching(/already been used/) });
			expect((await invitations.preview(db, single.token)).problem).toBe('used');

			const viewerInvite = await invitations.create(db, boss, team.id, { role: 'viewer' });
			await expect(invitations.accept(db, first.userId, viewerInvite.token)).resolves.toMatchObject({ role: 'editor', joined: false });
			await invitations.revoke(db, boss, viewerInvite.invitation.id);
			await expect(invitations.accept(db, second.userId, viewerInvite.token)).rejects.toMatchObject({ code: 'GONE', message: expect.stringMatching(/revoked/) });
			await expect(invitations.preview(db, 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });

			// Concurrent accepts of a 3-use invitation: exactly three people get in.
			const limited = await invitations.create(db, boss, team.id, { role: 'viewer', maxUses: 3 });
			const people = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => user(db, `Rush${n}`)));
			const results = await Promise.allSettled(people.map((person) => invitations.accept(db, person.userId, limited.token)));
			expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(3);
			expect((await invitations.listPending(db, boss, team.id)).map((i) => i.id)).not.toContain(limited.invitation.id);
		});

		it('every membership, role, invitation and share-link change lands in the audit log', async () => {
			const { db } = database();
			const boss = await user(db, 'Boss');
			const member = await user(db, 'Member');
			const team = await teams.create(db, boss, 'Audited', { ip: '203.0.113.9' });
			const invite = await invitations.create(db, boss, team.id, { role: 'editor' }, { ip: '203.0.113.9' });
			await invitations.accept(db, member.userId, invite.token);
			await teams.changeRole(db, boss, team.id, member.userId, 'viewer');
			const canvas = await canvases.create(db, boss, { teamId: team.id });
			const { link } = await sharing.createLink(db, boss, canvas.id, { access: 'view', audience: 'anyone' });
			await sharing.revokeLink(db, boss, link.id);
			await invitations.revoke(db, boss, invite.invitation.id);
			await teams.removeMember(db, boss, team.id, member.userId);
			const actions = (await audit.listForTeam(db, boss, team.id)).map((row) => row.action).reverse();
			expect(actions).toEqual([
				'team.create',
				'invitation.create',
				'member.join',
				'member.role_change',
				'share_link.create',
				'share_link.revoke',
				'invitation.revoke',
				'member.remove'
			]);
			const [created] = (await audit.listForTeam(db, boss, team.id)).slice(-1);
			expect(created).toMatchObject({ actorId: boss.userId, actorName: 'Boss', ip: '203.0.113.9' });
		});
	});
});
