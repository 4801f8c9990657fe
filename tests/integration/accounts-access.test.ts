import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as accounts from '../../src/lib/server/accounts.ts';
import * as canvases from '../../src/lib/server/canvases.ts';
import * as trash from '../../src/lib/server/trash/index.ts';
import { can, resolveCanvasAccess, ROLE_PERMISSIONS, type Action } from '../../src/lib/server/access.ts';
import { PASSWORD_HASH_OPTIONS } from '../../src/lib/server/auth/passwords.ts';
import { SSO_OFF } from '../../src/lib/server/auth/team-sso.ts';
import { sessionIdFromToken, startSession, validateSessionToken, invalidateSession } from '../../src/lib/server/auth/sessions.ts';
import { memberships, sessions, users, ROLES, type Role } from '../../src/lib/server/db/schema.ts';
import { AppError } from '../../src/lib/server/errors.ts';
import { LoginThrottle } from '../../src/lib/server/rate-limits.ts';
import { describeEachDatabase, uniqueEmail } from '../helpers/databases.ts';
import { documentNamesOf } from '../../src/lib/document-names.ts';
import { recordingServices } from '../helpers/services.ts';

describe('role permissions', () => {
	const expected: Record<Action, Role[]> = {
		'canvas.view': ['owner', 'admin', 'editor', 'viewer'],
		'canvas.edit': ['owner', 'admin', 'editor'],
		'canvas.create': ['owner', 'admin', 'editor'],
		'canvas.rename': ['owner', 'admin', 'editor'],
		'canvas.delete': ['owner', 'admin', 'editor'],
		'canvas.restore': ['owner', 'admin', 'editor'],
		'canvas.delete_forever': ['owner', 'admin'],
		'canvas.duplicate': ['owner', 'admin', 'editor'],
		'canvas.share': ['owner', 'admin'],
		'canvas.move': ['owner', 'admin'],
		'canvas.publish': ['owner', 'admin', 'editor'],
		'folder.manage': ['owner', 'admin', 'editor'],
		'history.save': ['owner', 'admin', 'editor'],
		'history.restore': ['owner', 'admin', 'editor'],
		'history.manage': ['owner', 'admin'],
		'team.view': ['owner', 'admin', 'editor', 'viewer'],
		'team.members': ['owner', 'admin'],
		'team.invite': ['owner', 'admin'],
		'team.audit': ['owner', 'admin'],
		'team.ai': ['owner', 'admin'],
		'team.publishing': ['owner', 'admin'],
		'team.rename': ['owner'],
		'team.delete': ['owner'],
		'team.billing': ['owner'],
		'team.sso': ['owner'],
		'team.usage': ['owner', 'admin'],
		'team.api_keys': ['owner', 'admin'],
		'conversation.write': ['owner', 'admin', 'editor'],
		'assistant.run': ['owner', 'admin', 'editor', 'viewer'],
		'image.generate': ['owner', 'admin', 'editor']
	};
	for (const action of Object.keys(ROLE_PERMISSIONS) as Action[]) {
		for (const role of ROLES) {
			const allowed = expected[action].includes(role);
			it(`${role} ${allowed ? 'may' : 'may not'} ${action}`, () => expect(can(role, action)).toBe(allowed));
		}
	}
	it('nobody without a role may do anything', () => expect(can(null, 'canvas.view')).toBe(false));
});

describeEachDatabase('accounts, sessions and canvas access', (database) => {
	it('sign-up hashes the password with argon2id and creates a personal team the user owns', async () => {
		const { db } = database();
		const email = uniqueEmail('Ada');
		const user = await accounts.signUp(db, { email, password: 'correct horse battery', name: 'Ada' });
		const [row] = await db.select().from(users).where(eq(users.id, user.id));
		expect(row.passwordHash).toMatch(new RegExp(`^\\$argon2id\\$v=19\\$m=${PASSWORD_HASH_OPTIONS.memoryCost},t=${PASSWORD_HASH_OPTIONS.timeCost},p=1\\$`));
		expect(row.passwordHash).not.toContain('correct horse');
		const [membership] = await db.select().from(memberships).where(eq(memberships.userId, user.id));
		expect(membership).toMatchObject({ teamId: user.personalTeamId, role: 'owner' });
	});

	it('refuses a second account for the same email, in any letter case', async () => {
		const { db } = database();
		const email = uniqueEmail();
		await accounts.signUp(db, { email, password: 'password-one' });
		await expect(accounts.signUp(db, { email: email.toUpperCase(), password: 'password-two' })).rejects.toMatchObject({ code: 'CONFLICT' });
	});

	it('signs in with the right password only, with one message for unknown email and wrong password', async () => {
		const { db } = database();
		const email = uniqueEmail();
		await accounts.signUp(db, { email, password: 'right password' });
		const throttle = new LoginThrottle({ keyPrefix: 'test-login', points: 100, durationSeconds: 60 });
		const user = await accounts.signIn(db, throttle, { ip: '1.1.1.1', email, password: 'right password' }, SSO_OFF);
		expect(user.email).toBe(email);
		const wrong = await accounts.signIn(db, throttle, { ip: '1.1.1.1', email, password: 'wrong password' }, SSO_OFF).catch((e) => e);
		const unknown = await accounts.signIn(db, throttle, { ip: '1.1.1.1', email: uniqueEmail(), password: 'x' }, SSO_OFF).catch((e) => e);
		expect(wrong).toBeInstanceOf(AppError);
		expect(wrong.message).toBe(unknown.message);
		expect(wrong.code).toBe(unknown.code);
	});

	it('throttles sign-in attempts per IP + email with a clear RATE_LIMITED error', async () => {
		const { db } = database();
		const email = uniqueEmail();
		await accounts.signUp(db, { email, password: 'right password' });
		const throttle = new LoginThrottle({ keyPrefix: 'test-login', points: 3, durationSeconds: 60 });
		for (let i = 0; i < 3; i++) {
			await expect(accounts.signIn(db, throttle, { ip: '2.2.2.2', email, password: 'nope' }, SSO_OFF)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
		}
		const limited = await accounts.signIn(db, throttle, { ip: '2.2.2.2', email, password: 'right password' }, SSO_OFF).catch((e) => e);
		expect(limited).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
		expect(limited.message).toMatch(/Too many sign-in attempts/);
		// Another IP is not affected.
		await expect(accounts.signIn(db, throttle, { ip: '3.3.3.3', email, password: 'right password' }, SSO_OFF)).resolves.toMatchObject({ email });
	});

	it('stores only the SHA-256 of session tokens, slides expiry, and forgets expired or signed-out sessions', async () => {
		const { db } = database();
		const user = await accounts.signUp(db, { email: uniqueEmail(), password: 'password123' });
		const { token, session } = await startSession(db, user.id, 30);
		expect(session.id).toBe(sessionIdFromToken(token));
		expect(session.id).not.toContain(token);
		expect((await validateSessionToken(db, token, 30))?.user.id).toBe(user.id);
		expect(await validateSessionToken(db, 'a'.repeat(32), 30)).toBeNull();
		expect(await validateSessionToken(db, 'not a token', 30)).toBeNull();

		// In the second half of its life the session is extended.
		await db
			.update(sessions)
			.set({ expiresAt: new Date(Date.now() + 5 * 86400_000) })
			.where(eq(sessions.id, session.id));
		const extended = await validateSessionToken(db, token, 30);
		expect(extended?.extended).toBe(true);
		expect(extended!.session.expiresAt.getTime()).toBeGreaterThan(Date.now() + 29 * 86400_000);

		await db
			.update(sessions)
			.set({ expiresAt: new Date(Date.now() - 1000) })
			.where(eq(sessions.id, session.id));
		expect(await validateSessionToken(db, token, 30)).toBeNull();
		expect(await db.select().from(sessions).where(eq(sessions.id, session.id))).toHaveLength(0);

		const second = await startSession(db, user.id, 30);
		await invalidateSession(db, second.session.id);
		expect(await validateSessionToken(db, second.token, 30)).toBeNull();
	});

	it('members reach their team canvases; other teams get NOT_FOUND, never FORBIDDEN', async () => {
		const { db } = database();
		const owner = await accounts.signUp(db, { email: uniqueEmail('owner'), password: 'password123' });
		const stranger = await accounts.signUp(db, { email: uniqueEmail('stranger'), password: 'password123' });
		const canvas = await canvases.create(db, { kind: 'user', userId: owner.id }, { teamId: owner.personalTeamId, title: 'Plan' });

		const access = await resolveCanvasAccess(db, { kind: 'user', userId: owner.id }, canvas.id);
		expect(access).toMatchObject({ role: 'owner', canEdit: true });

		const strangerActor = { kind: 'user' as const, userId: stranger.id };
		for (const attempt of [
			() => resolveCanvasAccess(db, strangerActor, canvas.id),
			() => canvases.get(db, strangerActor, canvas.id),
			() => canvases.rename(db, strangerActor, canvas.id, 'Mine now'),
			() => trash.moveCanvasToTrash(recordingServices(db), strangerActor, canvas.id),
			() => trash.restoreCanvas(recordingServices(db), strangerActor, canvas.id),
			() => trash.deleteCanvasForever(recordingServices(db), strangerActor, canvas.id),
			() => trash.listTrash(db, strangerActor, owner.personalTeamId),
			() => canvases.listForTeam(db, strangerActor, owner.personalTeamId),
			() => canvases.create(db, strangerActor, { teamId: owner.personalTeamId }),
			() => resolveCanvasAccess(db, strangerActor, 'not-a-uuid'),
			() => resolveCanvasAccess(db, strangerActor, crypto.randomUUID())
		]) {
			await expect(attempt()).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
		}
		expect((await canvases.get(db, { kind: 'user', userId: owner.id }, canvas.id)).title).toBe('Plan');
	});

	it('viewers may view but not edit, rename, delete or restore', async () => {
		const { db } = database();
		const owner = await accounts.signUp(db, { email: uniqueEmail('owner'), password: 'password123' });
		const viewer = await accounts.signUp(db, { email: uniqueEmail('viewer'), password: 'password123' });
		await db.insert(memberships).values({ teamId: owner.personalTeamId, userId: viewer.id, role: 'viewer' });
		const canvas = await canvases.create(db, { kind: 'user', userId: owner.id }, { teamId: owner.personalTeamId });
		const actor = { kind: 'user' as const, userId: viewer.id };
		expect(await resolveCanvasAccess(db, actor, canvas.id)).toMatchObject({ role: 'viewer', canEdit: false });
		await expect(canvases.rename(db, actor, canvas.id, 'x')).rejects.toMatchObject({ code: 'FORBIDDEN' });
		await expect(trash.moveCanvasToTrash(recordingServices(db), actor, canvas.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
		await expect(trash.restoreCanvas(recordingServices(db), actor, canvas.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
		await expect(canvases.create(db, actor, { teamId: owner.personalTeamId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
	});

	it('canvas CRUD: create with default title, rename, list newest first, delete moves it to the trash, delete forever removes its documents', async () => {
		const { db } = database();
		const owner = await accounts.signUp(db, { email: uniqueEmail(), password: 'password123' });
		const actor = { kind: 'user' as const, userId: owner.id };
		const first = await canvases.create(db, actor, { teamId: owner.personalTeamId });
		expect(first.title).toBe(canvases.DEFAULT_TITLE);
		const second = await canvases.create(db, actor, { teamId: owner.personalTeamId, title: 'Second' });
		await canvases.rename(db, actor, first.id, 'Renamed');
		const list = await canvases.listForTeam(db, actor, owner.personalTeamId);
		expect(list.map((c) => c.title)).toEqual(['Renamed', 'Second']);
		const services = recordingServices(db);
		await trash.moveCanvasToTrash(services, actor, second.id);
		expect(services.recorded.discarded).toEqual([]);
		expect((await canvases.listForTeam(db, actor, owner.personalTeamId)).map((c) => c.id)).toEqual([first.id]);
		expect((await trash.listTrash(db, actor, owner.personalTeamId)).map((c) => c.id)).toEqual([second.id]);
		await trash.deleteCanvasForever(services, actor, second.id);
		// Every kind of document the canvas owns is closed, not just the canvas itself.
		expect(services.recorded.discarded.map((entry) => entry.documentName).sort()).toEqual(documentNamesOf(second.id).sort());
		expect(services.recorded.discarded.every((entry) => entry.reason === 'DELETED')).toBe(true);
		expect(await trash.listTrash(db, actor, owner.personalTeamId)).toEqual([]);
	});
});
