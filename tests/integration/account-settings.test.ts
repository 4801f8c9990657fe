// Account settings: profile, password, sessions, linked providers and deleting the account — through
// the real server (HTTP API and sockets) and in the domain (rows a provider sign-in would have made),
// on both databases.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import * as Y from 'yjs';
import { createMessageMap, readMessages } from '../../src/lib/chat/chat-document.ts';
import * as accounts from '../../src/lib/server/accounts.ts';
import * as accountSettings from '../../src/lib/server/account-settings/index.ts';
import { sessionIdFromToken, startSession, validateSessionToken } from '../../src/lib/server/auth/sessions.ts';
import { accountTokens, oauthAccounts, sessions, users } from '../../src/lib/server/db/schema.ts';
import type { Database } from '../../src/lib/server/db/index.ts';
import { AppError } from '../../src/lib/server/errors.ts';
import { AVATAR_COLORS, userColor } from '../../src/lib/user-color.ts';
import { api, connectCanvas, createCanvas, signUp, uniqueEmail, waitFor, type CanvasClient, type TestUser } from '../helpers/clients.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { recordingServices } from '../helpers/services.ts';
import { seedCanvas, testShape } from '../helpers/tldraw-records.ts';

const FIREFOX_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
const SAFARI_ON_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const NEW_PASSWORD = 'a brand new long password';

function expectError(response: { status: number; body: { error?: { code: string } } }, status: number, code: string) {
	expect(response.status, JSON.stringify(response.body)).toBe(status);
	expect(response.body).toMatchObject({ error: { code, message: expect.any(String) } });
}

describeEachServerDatabase('account settings through the real server', (database) => {
	let server: RunningServer;
	const clients: CanvasClient[] = [];

	beforeAll(async () => {
		server = await startServer({ env: database().env });
	});
	afterAll(async () => {
		for (const client of clients) client.destroy();
		await server?.dispose();
	});

	const me = (token: string) => api(server.url, '/api/v1/me', { token });
	const signIn = (user: TestUser, password = user.password, userAgent?: string) =>
		api(server.url, '/api/v1/auth/login', { body: { email: user.email, password }, headers: userAgent ? { 'user-agent': userAgent } : {} });
	async function secondSession(user: TestUser, userAgent?: string): Promise<string> {
		const answer = await signIn(user, user.password, userAgent);
		expect(answer.status).toBe(200);
		return answer.body.token;
	}
	/** A socket on a canvas, and the reason it is closed with (resolves when it is). */
	async function openSocket(canvasId: string, token: string): Promise<{ client: CanvasClient; closed: Promise<string> }> {
		const client = connectCanvas(server.wsUrl, `canvas:${canvasId}`, token);
		clients.push(client);
		await client.synced;
		const closed = new Promise<string>((resolve) => client.provider.on('close', ({ event }: { event: CloseEvent }) => resolve(event.reason)));
		return { client, closed };
	}

	it('changes the name and avatar colour (others see it on the cursor); a bad name or a colour off the palette is refused and changes nothing', async () => {
		const user = await signUp(server.url, 'Ada');
		const before = await me(user.token);
		expect(before.body.user).toEqual({
			id: user.id,
			email: user.email,
			name: 'Ada',
			emailVerified: false,
			avatarColor: userColor(user.id),
			avatarColorChosen: false,
			hasPassword: true
		});

		const renamed = await api(server.url, '/api/v1/me', { method: 'PATCH', token: user.token, body: { name: '  Ada Lovelace  ', avatarColor: '#1864AB' } });
		expect(renamed.status).toBe(200);
		expect(renamed.body.user).toMatchObject({ name: 'Ada Lovelace', avatarColor: '#1864ab', avatarColorChosen: true });

		for (const body of [
			{ name: '   ' },
			{ name: 'Ada\u202eecalevol' },
			{ name: 'x'.repeat(81) },
			{ avatarColor: '#123456' },
			{ avatarColor: 'red' },
			{},
			{ email: 'x@example.com' }
		]) {
			expectError(await api(server.url, '/api/v1/me', { method: 'PATCH', token: user.token, body }), 400, 'INVALID_INPUT');
		}
		expect((await api(server.url, '/api/v1/me', { method: 'PATCH', token: user.token, body: { name: '' } })).body.error.details.field).toBe('name');
		expect((await me(user.token)).body.user).toMatchObject({ name: 'Ada Lovelace', avatarColor: '#1864ab' });

		// The collaboration server stamps the chosen colour on the person's presence for everyone else.
		const canvasId = await createCanvas(server.url, user, 'Colours');
		const { client: mine } = await openSocket(canvasId, user.token);
		const { client: watcher } = await openSocket(canvasId, user.token);
		mine.provider.awareness!.setLocalState({ presence: { cursor: { x: 1, y: 2 } } });
		await waitFor(() => watcher.provider.awareness!.getStates().has(mine.doc.clientID), 5000, 'presence');
		expect(watcher.provider.awareness!.getStates().get(mine.doc.clientID)!.user).toMatchObject({ name: 'Ada Lovelace', color: '#1864ab' });

		// Back to the default, derived from the id.
		const reset = await api(server.url, '/api/v1/me', { method: 'PATCH', token: user.token, body: { avatarColor: null } });
		expect(reset.body.user).toMatchObject({ avatarColor: userColor(user.id), avatarColorChosen: false });
		expect(AVATAR_COLORS.length).toBeGreaterThanOrEqual(10);
	});

	it('changes the password: a wrong current one is refused; every other session is signed out (token 401, socket closed), this one stays', async () => {
		const user = await signUp(server.url, 'Grace');
		const other = await secondSession(user);
		const canvasId = await createCanvas(server.url, user, 'Kept open');
		const { closed } = await openSocket(canvasId, other);

		const wrong = await api(server.url, '/api/v1/me/password', { token: user.token, body: { currentPassword: 'not my password', newPassword: NEW_PASSWORD } });
		expectError(wrong, 400, 'INVALID_INPUT');
		expect(wrong.body.error.details.field).toBe('currentPassword');
		expectError(await api(server.url, '/api/v1/me/password', { token: user.token, body: { newPassword: NEW_PASSWORD } }), 400, 'INVALID_INPUT');
		expectError(
			await api(server.url, '/api/v1/me/password', { token: user.token, body: { currentPassword: user.password, newPassword: 'short' } }),
			400,
			'INVALID_INPUT'
		);
		expect((await me(other)).status).toBe(200);

		const started = Date.now();
		expect((await api(server.url, '/api/v1/me/password', { token: user.token, body: { currentPassword: user.password, newPassword: NEW_PASSWORD } })).status).toBe(204);
		expect(await closed).toBe('UNAUTHENTICATED');
		expect(Date.now() - started).toBeLessThan(5000);
		expectError(await me(other), 401, 'UNAUTHENTICATED');
		expect((await me(user.token)).status).toBe(200);
		expectError(await signIn(user), 401, 'UNAUTHENTICATED');
		expect((await signIn(user, NEW_PASSWORD)).status).toBe(200);
	});

	it('lists sessions with device, address and this one marked; signs out one (its socket closes) and then all the others', async () => {
		const user = await signUp(server.url, 'Linus');
		const laptop = await secondSession(user, FIREFOX_ON_WINDOWS);
		const phone = await secondSession(user, SAFARI_ON_IPHONE);
		const listed = await api(server.url, '/api/v1/me/sessions', { token: user.token });
		expect(listed.status).toBe(200);
		const list = listed.body.sessions as { id: string; current: boolean; device: string; ip: string; method: string; lastActiveAt: string | null }[];
		expect(list).toHaveLength(3);
		expect(list[0]).toMatchObject({ current: true, method: 'password' });
		expect(list.filter((session) => session.current)).toHaveLength(1);
		expect(list.map((session) => session.device)).toEqual(expect.arrayContaining(['Firefox on Windows', 'Safari on iOS']));
		for (const session of list) {
			expect(session.ip).toMatch(/127\.0\.0\.1/);
			expect(session.id).toMatch(/^[0-9a-f]{16}$/);
			// Neither the token nor what the server stores for it.
			for (const token of [user.token, laptop, phone]) expect(sessionIdFromToken(token)).not.toContain(session.id);
		}
		expect(JSON.stringify(listed.body)).not.toContain(sessionIdFromToken(laptop));

		const laptopId = list.find((session) => session.device === 'Firefox on Windows')!.id;
		const canvasId = await createCanvas(server.url, user, 'Open on the laptop');
		const { closed } = await openSocket(canvasId, laptop);
		expect((await api(server.url, `/api/v1/me/sessions/${laptopId}`, { method: 'DELETE', token: user.token })).status).toBe(204);
		expect(await closed).toBe('UNAUTHENTICATED');
		expectError(await me(laptop), 401, 'UNAUTHENTICATED');
		expectError(await api(server.url, `/api/v1/me/sessions/${laptopId}`, { method: 'DELETE', token: user.token }), 404, 'NOT_FOUND');
		// Another person's session cannot be named.
		const stranger = await signUp(server.url, 'Stranger');
		const strangerSession = (await api(server.url, '/api/v1/me/sessions', { token: stranger.token })).body.sessions[0].id;
		expectError(await api(server.url, `/api/v1/me/sessions/${strangerSession}`, { method: 'DELETE', token: user.token }), 404, 'NOT_FOUND');
		expect((await me(stranger.token)).status).toBe(200);

		expect((await api(server.url, '/api/v1/me/sessions', { method: 'DELETE', token: user.token })).status).toBe(204);
		expectError(await me(phone), 401, 'UNAUTHENTICATED');
		expect((await me(user.token)).status).toBe(200);
		expect((await api(server.url, '/api/v1/me/sessions', { token: user.token })).body.sessions).toHaveLength(1);
	});

	it('lists providers (none configured here) and refuses unlinking what is not linked', async () => {
		const user = await signUp(server.url, 'Provider');
		const listed = await api(server.url, '/api/v1/me/providers', { token: user.token });
		expect(listed.status).toBe(200);
		expect(listed.body).toEqual({ providers: [], linkRefusal: accountSettings.LINK_NEEDS_VERIFIED_EMAIL });
		expectError(await api(server.url, `/api/v1/me/providers/${crypto.randomUUID()}`, { method: 'DELETE', token: user.token }), 404, 'NOT_FOUND');
		expectError(await api(server.url, '/api/v1/me/providers/not-an-id', { method: 'DELETE', token: user.token }), 400, 'INVALID_INPUT');
	});

	it('refuses API keys on every account route, and callers without a session', async () => {
		const user = await signUp(server.url, 'Keyholder');
		const made = await api(server.url, `/api/v1/teams/${user.personalTeamId}/api-keys`, {
			token: user.token,
			body: { name: 'Script', scopes: ['canvases:read', 'team:read'] }
		});
		expect(made.status).toBe(201);
		const routes: [string, string, unknown?][] = [
			['GET', '/api/v1/me'],
			['PATCH', '/api/v1/me', { name: 'Renamed by a key' }],
			['DELETE', '/api/v1/me', { confirmEmail: user.email, password: user.password }],
			['POST', '/api/v1/me/password', { currentPassword: user.password, newPassword: NEW_PASSWORD }],
			['GET', '/api/v1/me/sessions'],
			['DELETE', '/api/v1/me/sessions'],
			['DELETE', '/api/v1/me/sessions/0123456789abcdef'],
			['GET', '/api/v1/me/providers'],
			['DELETE', `/api/v1/me/providers/${crypto.randomUUID()}`]
		];
		for (const [method, path, body] of routes) {
			expectError(await api(server.url, path, { method, token: made.body.token, body }), 403, 'FORBIDDEN');
			expectError(await api(server.url, path, { method, body }), 401, 'UNAUTHENTICATED');
		}
		expect((await me(user.token)).body.user.name).toBe('Keyholder');
		expect((await signIn(user)).status).toBe(200);
	});

	it('deleting the account: refused as the only owner of a team with members (409 names it), allowed after transferring; afterwards it cannot sign in and its work reads "Deleted user"', async () => {
		const leaver = await signUp(server.url, 'Leaver');
		const colleague = await signUp(server.url, 'Colleague');
		const team = await api(server.url, '/api/v1/teams', { token: leaver.token, body: { name: 'Shared studio' } });
		const teamId = team.body.id as string;
		const invitation = await api(server.url, `/api/v1/teams/${teamId}/invitations`, { token: leaver.token, body: { role: 'editor' } });
		expect((await api(server.url, `/api/v1/invitations/${invitation.body.token}/accept`, { token: colleague.token, body: {} })).status).toBe(200);

		// A canvas in the shared team, made and published by the leaver.
		const shared = await api(server.url, '/api/v1/canvases', { token: leaver.token, body: { teamId, title: 'Shared map' } });
		const sharedId = shared.body.id as string;
		const { client: editor } = await openSocket(sharedId, leaver.token);
		seedCanvas(editor.records);
		editor.records.set('shape:left-behind', testShape('shape:left-behind', { by: 'leaver' }));
		await waitFor(() => !editor.provider.hasUnsyncedChanges, 10_000, 'the shared canvas to be stored');
		// A message in its chat: the server stamps their name on it, in the chat document.
		const chat = connectCanvas(server.wsUrl, `chat:${sharedId}`, leaver.token);
		clients.push(chat);
		await chat.synced;
		const messageId = crypto.randomUUID();
		const message = {
			id: messageId,
			parentId: null,
			author: { kind: 'user' as const, id: leaver.id, name: 'Leaver' },
			role: 'user' as const,
			text: 'See you',
			status: 'done' as const
		};
		chat.doc.getMap<Y.Map<unknown>>('messages').set(messageId, createMessageMap({ ...message, createdAt: 0 }));
		await waitFor(() => !chat.provider.hasUnsyncedChanges, 10_000, 'the chat message to be acknowledged');
		expect((await api(server.url, `/api/v1/canvases/${sharedId}/publication`, { token: leaver.token, body: { title: 'Shared map, published' } })).status).toBe(201);
		// Their personal team: a canvas, a share link to it, an API key.
		const personalCanvas = await createCanvas(server.url, leaver, 'Private notes');
		const link = await api(server.url, `/api/v1/canvases/${personalCanvas}/share-links`, { token: leaver.token, body: { access: 'view', audience: 'anyone' } });
		expect(link.status).toBe(201);
		const key = await api(server.url, `/api/v1/teams/${leaver.personalTeamId}/api-keys`, { token: leaver.token, body: { name: 'Mine', scopes: ['canvases:read'] } });
		expect((await api(server.url, '/api/v1/canvases', { token: key.body.token })).status).toBe(200);
		const otherSession = await secondSession(leaver);

		const blocked = await api(server.url, '/api/v1/me', { method: 'DELETE', token: leaver.token, body: { confirmEmail: leaver.email, password: leaver.password } });
		expectError(blocked, 409, 'CONFLICT');
		expect(blocked.body.error.message).toContain('Shared studio');
		expect(blocked.body.error.details.teams).toEqual([{ id: teamId, name: 'Shared studio' }]);
		expect((await me(leaver.token)).status).toBe(200);

		expect((await api(server.url, `/api/v1/teams/${teamId}/transfer-ownership`, { token: leaver.token, body: { userId: colleague.id } })).status).toBe(200);
		// Now an admin there, with a socket open on the shared canvas.
		const { closed: sharedClosed } = await openSocket(sharedId, leaver.token);
		const wrongEmail = await api(server.url, '/api/v1/me', {
			method: 'DELETE',
			token: leaver.token,
			body: { confirmEmail: 'someone@example.com', password: leaver.password }
		});
		expectError(wrongEmail, 400, 'INVALID_INPUT');
		expect(wrongEmail.body.error.details.field).toBe('confirmEmail');
		const wrongPassword = await api(server.url, '/api/v1/me', { method: 'DELETE', token: leaver.token, body: { confirmEmail: leaver.email, password: 'wrong' } });
		expectError(wrongPassword, 400, 'INVALID_INPUT');
		expect(wrongPassword.body.error.details.field).toBe('password');
		expect((await me(leaver.token)).status).toBe(200);

		const deleted = await api(server.url, '/api/v1/me', {
			method: 'DELETE',
			token: leaver.token,
			body: { confirmEmail: leaver.email.toUpperCase(), password: leaver.password }
		});
		expect(deleted.status).toBe(204);
		expect(await sharedClosed).toBe('UNAUTHENTICATED');
		for (const token of [leaver.token, otherSession]) expectError(await me(token), 401, 'UNAUTHENTICATED');
		expectError(await signIn(leaver), 401, 'UNAUTHENTICATED');
		// Their personal team went with them: its key, its share link, its canvas.
		expectError(await api(server.url, '/api/v1/canvases', { token: key.body.token }), 401, 'UNAUTHENTICATED');
		expect((await fetch(`${server.url}/s/${link.body.token}`)).status).toBe(404);

		// What they made in the shared team stays, credited to "Deleted user".
		const canvas = await api(server.url, `/api/v1/canvases/${sharedId}`, { token: colleague.token });
		const reader = connectCanvas(server.wsUrl, `chat:${sharedId}`, colleague.token);
		clients.push(reader);
		await reader.synced;
		const written = () => readMessages(reader.doc).find((entry) => entry.id === messageId);
		await waitFor(() => written()?.author.name === 'Deleted user', 10_000, 'their chat message to read "Deleted user"');
		expect(written()).toMatchObject({ text: 'See you', author: { kind: 'user', id: leaver.id } });
		expect(canvas.body).toMatchObject({ title: 'Shared map', createdByName: 'Deleted user' });
		const publication = await api(server.url, `/api/v1/canvases/${sharedId}/publication`, { token: colleague.token });
		expect(publication.body.publication.authorName).toBe('Deleted user');
		const gallery = await api(server.url, '/api/v1/gallery');
		expect(gallery.body.items.find((item: { title: string }) => item.title === 'Shared map, published')).toMatchObject({ authorName: 'Deleted user' });
		const members = await api(server.url, `/api/v1/teams/${teamId}/members`, { token: colleague.token });
		expect(members.body.members.map((member: { userId: string }) => member.userId)).toEqual([colleague.id]);
		const activity = await api(server.url, `/api/v1/teams/${teamId}/audit-log`, { token: colleague.token });
		expect(activity.body.entries[0]).toMatchObject({ action: 'member.leave', actorName: 'Deleted user' });
		expect(JSON.stringify(activity.body)).not.toContain(leaver.email);

		// The address is free for a new account.
		const again = await api(server.url, '/api/v1/auth/signup', { body: { email: leaver.email, password: leaver.password, name: 'Back again' } });
		expect(again.status).toBe(201);
		expect(again.body.user.id).not.toBe(leaver.id);
	});
});

describeEachDatabase('account settings in the domain', (database) => {
	const throttle = { consume: async () => {}, reset: async () => {} };
	const check = { throttle, ip: '127.0.0.1' };
	const HOUR_MS = 3_600_000;

	/** An account as a provider sign-in makes it: no password, a verified address, one linked provider account. */
	async function providerAccount(db: Database, name: string) {
		const user = await accounts.signUp(db, { email: uniqueEmail(name), password: 'placeholder password', name });
		await db.update(users).set({ passwordHash: null, emailVerifiedAt: new Date() }).where(eq(users.id, user.id));
		const [github] = await db
			.insert(oauthAccounts)
			.values({ userId: user.id, provider: 'github', subject: `gh-${user.id}`, email: `${name}@users.github.example` })
			.returning({ id: oauthAccounts.id });
		const { token, session } = await startSession(db, user.id, 30, { method: 'github' });
		return { user, githubId: github.id, holder: { userId: user.id, sessionId: session.id }, token };
	}
	const settings = { identityProviders: ['github', 'google'] as const, oidcName: 'Okta' };

	async function refusal(promise: Promise<unknown>): Promise<AppError> {
		const error = await promise.then(
			() => null,
			(caught: unknown) => caught
		);
		expect(error).toBeInstanceOf(AppError);
		return error as AppError;
	}

	it('unlinking is refused while it is the last way in, and allowed once there is another (a second provider, then a password)', async () => {
		const { db } = database();
		const services = recordingServices(db);
		const { user, githubId, holder } = await providerAccount(db, 'nopass');
		const listed = await accountSettings.listLinkedProviders(db, user.id, settings);
		expect(listed.linkRefusal).toBeNull();
		expect(listed.providers.map((provider) => [provider.provider, provider.name, provider.accounts.length])).toEqual([
			['github', 'GitHub', 1],
			['google', 'Google', 0]
		]);
		expect(listed.providers[0].accounts[0]).toMatchObject({ id: githubId, email: 'nopass@users.github.example', unlinkRefusal: accountSettings.LAST_WAY_IN });
		expect((await refusal(accountSettings.unlinkProvider(db, user.id, githubId))).code).toBe('CONFLICT');

		const [google] = await db
			.insert(oauthAccounts)
			.values({ userId: user.id, provider: 'google', subject: `g-${user.id}` })
			.returning({ id: oauthAccounts.id });
		expect((await accountSettings.listLinkedProviders(db, user.id, settings)).providers[0].accounts[0].unlinkRefusal).toBeNull();
		await accountSettings.unlinkProvider(db, user.id, githubId);
		expect((await refusal(accountSettings.unlinkProvider(db, user.id, google.id))).code).toBe('CONFLICT');

		// With a password set, the last provider may go too.
		await accountSettings.changePassword(services, holder, { newPassword: NEW_PASSWORD }, check);
		await accountSettings.unlinkProvider(db, user.id, google.id);
		expect(await db.select().from(oauthAccounts).where(eq(oauthAccounts.userId, user.id))).toEqual([]);
		expect((await accounts.authenticate(db, (await accountSettings.getAccount(db, user.id)).email, NEW_PASSWORD))?.id).toBe(user.id);

		// Someone else's linked account is not theirs to unlink; a provider no longer configured still lists its link.
		const other = await providerAccount(db, 'other');
		expect((await refusal(accountSettings.unlinkProvider(db, user.id, other.githubId))).code).toBe('NOT_FOUND');
		const offered = await accountSettings.listLinkedProviders(db, other.user.id, { identityProviders: ['oidc'], oidcName: 'Okta' });
		expect(offered.providers.map((provider) => [provider.provider, provider.name, provider.configured])).toEqual([
			['oidc', 'Okta', true],
			['github', 'GitHub', false]
		]);
	});

	it('linking needs a verified email', async () => {
		const { db } = database();
		const user = await accounts.signUp(db, { email: uniqueEmail('unverified'), password: 'a long enough password', name: 'Unverified' });
		expect((await accountSettings.listLinkedProviders(db, user.id, settings)).linkRefusal).toBe(accountSettings.LINK_NEEDS_VERIFIED_EMAIL);
	});

	it('a provider-made account sets a password without a current one, within a recent sign-in only; other sessions end, reset links stop working', async () => {
		const { db } = database();
		const services = recordingServices(db);
		const { user, holder, token } = await providerAccount(db, 'setter');
		const older = await startSession(db, user.id, 30, { method: 'github' });
		await db
			.update(sessions)
			.set({ createdAt: new Date(Date.now() - HOUR_MS) })
			.where(eq(sessions.id, older.session.id));
		await db
			.insert(accountTokens)
			.values({ id: `reset-${user.id}`, userId: user.id, purpose: 'password_reset', email: 'x@example.com', expiresAt: new Date(Date.now() + HOUR_MS) });

		// The hour-old session may not: its sign-in is not recent.
		const stale = await refusal(accountSettings.changePassword(services, { userId: user.id, sessionId: older.session.id }, { newPassword: NEW_PASSWORD }, check));
		expect(stale.code).toBe('FORBIDDEN');
		expect(stale.details).toMatchObject({ reason: 'recent_sign_in_required' });
		expect((await accountSettings.getAccount(db, user.id)).hasPassword).toBe(false);

		const result = await accountSettings.changePassword(services, holder, { newPassword: NEW_PASSWORD }, check);
		expect(result).toEqual({ endedSessions: 1, firstPassword: true });
		expect(services.recorded.closed).toEqual([{ match: { sessionId: older.session.id }, reason: 'UNAUTHENTICATED' }]);
		expect(await validateSessionToken(db, older.token, 30)).toBeNull();
		expect(await validateSessionToken(db, token, 30)).not.toBeNull();
		expect((await accountSettings.getAccount(db, user.id)).hasPassword).toBe(true);
		expect(
			await db
				.select()
				.from(accountTokens)
				.where(and(eq(accountTokens.userId, user.id), eq(accountTokens.purpose, 'password_reset')))
		).toEqual([]);

		// Now it has one, changing it needs it.
		const missing = await refusal(accountSettings.changePassword(services, holder, { newPassword: 'yet another password' }, check));
		expect(missing.details).toMatchObject({ field: 'currentPassword' });
	});

	it('deleting a provider-made account needs a recent sign-in; a deleted account is refused even with a session left over', async () => {
		const { db } = database();
		const services = recordingServices(db);
		const { user, holder, token } = await providerAccount(db, 'gone');
		const { email } = await accountSettings.getAccount(db, user.id);
		await db
			.update(sessions)
			.set({ createdAt: new Date(Date.now() - HOUR_MS) })
			.where(eq(sessions.id, holder.sessionId));
		expect((await refusal(accountSettings.deleteAccount(services, holder, { confirmEmail: email }, check))).code).toBe('FORBIDDEN');
		await db.update(sessions).set({ createdAt: new Date() }).where(eq(sessions.id, holder.sessionId));
		await accountSettings.deleteAccount(services, holder, { confirmEmail: email }, check);

		const [tombstone] = await db.select().from(users).where(eq(users.id, user.id));
		expect(tombstone).toMatchObject({
			name: 'Deleted user',
			email: accountSettings.tombstoneEmail(user.id),
			passwordHash: null,
			avatarColor: null,
			emailVerifiedAt: null
		});
		expect(tombstone.deletedAt).toBeInstanceOf(Date);
		expect(await db.select().from(oauthAccounts).where(eq(oauthAccounts.userId, user.id))).toEqual([]);
		expect(services.recorded.closed).toContainEqual({ match: { userId: user.id }, reason: 'UNAUTHENTICATED' });
		expect(await validateSessionToken(db, token, 30)).toBeNull();
		// Even a session row that somehow survived does not sign them in.
		const survivor = await startSession(db, user.id, 30);
		expect(await validateSessionToken(db, survivor.token, 30)).toBeNull();
		expect((await refusal(accountSettings.getAccount(db, user.id))).code).toBe('NOT_FOUND');
	});
});
