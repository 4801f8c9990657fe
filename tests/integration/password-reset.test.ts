// Password reset by email, on both databases: in the domain (single use, expiry, newer links retire
// older ones, every session ends) and through the real server with a local SMTP server (the same
// answer for unknown addresses, the mail, the link, sockets closed, budgets, `npm run admin -- reset-link`).
import { runAdmin } from '../helpers/admin-command.ts';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as accounts from '../../src/lib/server/accounts.ts';
import type { AccountEmailOptions, OutgoingEmail } from '../../src/lib/server/auth/account-emails.ts';
import * as emailVerification from '../../src/lib/server/auth/email-verification.ts';
import * as passwordReset from '../../src/lib/server/auth/password-reset.ts';
import { startSession, validateSessionToken } from '../../src/lib/server/auth/sessions.ts';
import { accountTokens, sessions, users } from '../../src/lib/server/db/schema.ts';
import { ActionThrottle } from '../../src/lib/server/rate-limits.ts';
import { api, connectCanvas, createCanvas, signUp, uniqueEmail, type CanvasClient, type TestUser } from '../helpers/clients.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { linkIn, startMailCatcher, type MailCatcher } from '../helpers/mail-catcher.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { recordingServices } from '../helpers/services.ts';

const RESET_SUBJECT = 'Reset your Easel password';
const PASSWORD = 'a long enough password';
const NEW_PASSWORD = 'a brand new passphrase';
const HOUR_MS = 60 * 60 * 1000;

/** Account emails kept in memory, with budgets small enough to reach. */
function recordingMail(perRecipient = 3): AccountEmailOptions & { sent: OutgoingEmail[] } {
	const sent: OutgoingEmail[] = [];
	const throttle = (points: number, name: string) => new ActionThrottle({ what: name, keyPrefix: `test-${name}-${Math.random()}`, points, durationSeconds: 3600 });
	return {
		sent,
		publicOrigin: 'https://easel.example',
		sendEmail: async (email) => {
			sent.push(email);
			return true;
		},
		throttles: { perRecipient: throttle(perRecipient, 'recipient'), perClient: throttle(1000, 'client'), perUser: throttle(1000, 'user') }
	};
}

const tokenOf = (url: string) => url.split('/reset-password/')[1];

describeEachDatabase('password reset links', (database) => {
	async function account(name: string) {
		const { db } = database();
		return accounts.signUp(db, { email: uniqueEmail(name), password: PASSWORD, name });
	}

	async function requestLink(mail: ReturnType<typeof recordingMail>, email: string) {
		const services = recordingServices(database().db);
		const outcome = await passwordReset.requestPasswordReset(services, mail, { email, ip: '203.0.113.9' }).done;
		return { outcome, services };
	}

	it('mails a link only to an existing account; the link starts with PUBLIC_ORIGIN', async () => {
		const user = await account('Known');
		const mail = recordingMail();
		expect((await requestLink(mail, uniqueEmail('nobody'))).outcome).toBe('no-account');
		expect(mail.sent).toHaveLength(0);
		expect((await requestLink(mail, user.email.toUpperCase())).outcome).toBe('sent');
		expect(mail.sent).toHaveLength(1);
		expect(mail.sent[0]).toMatchObject({ to: user.email, subject: RESET_SUBJECT });
		expect(mail.sent[0].text).toMatch(/https:\/\/easel\.example\/reset-password\/[A-Za-z0-9_-]{43}/);
		expect(mail.sent[0].html).toContain('href="https://easel.example/reset-password/');
	});

	it('stores only the SHA-256 of the token, and a link works once', async () => {
		const user = await account('Once');
		const mail = recordingMail();
		await requestLink(mail, user.email);
		const url = linkOf(mail.sent[0]);
		const [stored] = await database().db.select().from(accountTokens).where(eq(accountTokens.userId, user.id));
		expect(stored).toMatchObject({ purpose: 'password_reset', email: user.email, usedAt: null });
		expect(stored.id).toMatch(/^[0-9a-f]{64}$/);
		expect(stored.id).not.toContain(tokenOf(url));
		expect(stored.expiresAt.getTime() - stored.createdAt.getTime()).toBe(HOUR_MS);

		const services = recordingServices(database().db);
		await passwordReset.resetPassword(services, { token: tokenOf(url), password: NEW_PASSWORD });
		await expect(passwordReset.resetPassword(services, { token: tokenOf(url), password: 'yet another password' })).rejects.toMatchObject({
			code: 'GONE',
			message: passwordReset.LINK_GONE_MESSAGE
		});
		expect(await accounts.authenticate(database().db, user.email, NEW_PASSWORD)).not.toBeNull();
	});

	it('a link expires after an hour', async () => {
		const user = await account('Late');
		const mail = recordingMail();
		await requestLink(mail, user.email);
		const token = tokenOf(linkOf(mail.sent[0]));
		const services = recordingServices(database().db);
		const later = new Date(Date.now() + HOUR_MS + 1000);
		expect(await passwordReset.resetLinkIsLive(database().db, token, later)).toBe(false);
		await expect(passwordReset.resetPassword(services, { token, password: NEW_PASSWORD }, { now: later })).rejects.toMatchObject({ code: 'GONE' });
		// Still within the hour it works, and the old password is gone.
		await passwordReset.resetPassword(services, { token, password: NEW_PASSWORD }, { now: new Date(Date.now() + HOUR_MS - 60_000) });
		expect(await accounts.authenticate(database().db, user.email, PASSWORD)).toBeNull();
	});

	it('a new link retires the older unused ones; unknown and malformed tokens are refused alike', async () => {
		const user = await account('Twice');
		const mail = recordingMail();
		await requestLink(mail, user.email);
		await requestLink(mail, user.email);
		const [older, newer] = mail.sent.map((sent) => tokenOf(linkOf(sent)));
		const services = recordingServices(database().db);
		for (const token of [older, 'A'.repeat(43), 'not a token']) {
			await expect(passwordReset.resetPassword(services, { token, password: NEW_PASSWORD })).rejects.toMatchObject({ code: 'GONE' });
		}
		await passwordReset.resetPassword(services, { token: newer, password: NEW_PASSWORD });
	});

	it('a weak password is refused naming the field, and leaves the link usable', async () => {
		const user = await account('Weak');
		const mail = recordingMail();
		await requestLink(mail, user.email);
		const token = tokenOf(linkOf(mail.sent[0]));
		const services = recordingServices(database().db);
		await expect(passwordReset.resetPassword(services, { token, password: 'short' })).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'password' } });
		await passwordReset.resetPassword(services, { token, password: NEW_PASSWORD });
	});

	it('a reset ends every session, closes their sockets after the commit, and marks the address verified', async () => {
		const { db } = database();
		const user = await account('Sessions');
		const first = await startSession(db, user.id, 30);
		const second = await startSession(db, user.id, 30);
		const mail = recordingMail();
		await requestLink(mail, user.email);
		const services = recordingServices(db);
		await passwordReset.resetPassword(services, { token: tokenOf(linkOf(mail.sent[0])), password: NEW_PASSWORD });
		expect(await validateSessionToken(db, first.token, 30)).toBeNull();
		expect(await validateSessionToken(db, second.token, 30)).toBeNull();
		expect(await db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
		expect(services.recorded.closed).toEqual([{ match: { userId: user.id }, reason: 'UNAUTHENTICATED' }]);
		const [row] = await db.select({ emailVerifiedAt: users.emailVerifiedAt }).from(users).where(eq(users.id, user.id));
		expect(row.emailVerifiedAt).toBeInstanceOf(Date);
	});

	it('a reset link mailed before an email change stops working once the change is confirmed', async () => {
		const { db } = database();
		const user = await account('Mover');
		const mail = recordingMail();
		await requestLink(mail, user.email);
		const resetToken = tokenOf(linkOf(mail.sent[0]));
		const services = recordingServices(db);
		const newEmail = uniqueEmail('moved');
		await emailVerification.requestEmailChange(services, mail, { userId: user.id, ip: '203.0.113.9', email: newEmail, password: PASSWORD });
		const verifyToken = mail.sent[1].text.match(/\/verify-email\/([A-Za-z0-9_-]{43})/)![1];
		await emailVerification.confirmEmail(services, mail, verifyToken);
		await expect(passwordReset.resetPassword(services, { token: resetToken, password: NEW_PASSWORD })).rejects.toMatchObject({ code: 'GONE' });
	});

	it('past the budget of one address, requests are still accepted but mail nothing', async () => {
		const user = await account('Flooded');
		const mail = recordingMail(2);
		expect((await requestLink(mail, user.email)).outcome).toBe('sent');
		expect((await requestLink(mail, user.email)).outcome).toBe('sent');
		expect((await requestLink(mail, user.email)).outcome).toBe('throttled');
		// Unknown addresses count the same, so the budget tells nothing either.
		const nobody = uniqueEmail('nobody');
		await requestLink(mail, nobody);
		await requestLink(mail, nobody);
		expect((await requestLink(mail, nobody)).outcome).toBe('throttled');
		expect(mail.sent).toHaveLength(2);
	});

	it('past the budget of one client address, requests for any address mail nothing', async () => {
		const [first, second] = [await account('Near'), await account('Far')];
		const mail = recordingMail();
		mail.throttles.perClient = new ActionThrottle({ what: 'client', keyPrefix: `test-client-${Math.random()}`, points: 2, durationSeconds: 3600 });
		expect((await requestLink(mail, first.email)).outcome).toBe('sent');
		expect((await requestLink(mail, uniqueEmail('nobody'))).outcome).toBe('no-account');
		expect((await requestLink(mail, second.email)).outcome).toBe('throttled');
		expect(mail.sent.map((sent) => sent.to)).toEqual([first.email]);
	});

	it('bad email syntax is the only refusal', async () => {
		const services = recordingServices(database().db);
		expect(() => passwordReset.requestPasswordReset(services, recordingMail(), { email: 'not an address', ip: '203.0.113.9' })).toThrow(
			expect.objectContaining({ code: 'INVALID_INPUT', details: { field: 'email' } })
		);
	});
});

function linkOf(mail: OutgoingEmail): string {
	const url = mail.text.match(/https?:\/\/\S+\/reset-password\/\S+/)?.[0];
	if (!url) throw new Error(`no reset link in:\n${mail.text}`);
	return url;
}

let mail: MailCatcher;
beforeAll(async () => {
	mail = await startMailCatcher();
});
afterAll(() => mail?.close());

describeEachServerDatabase('password reset over HTTP', (database) => {
	let server: RunningServer;
	const env = () => ({
		...database().env,
		SMTP_URL: mail.smtpUrl,
		SMTP_FROM: 'Easel <easel@example.com>',
		PUBLIC_ORIGIN: 'http://easel.example',
		ACCOUNT_EMAILS_PER_RECIPIENT: '3',
		ACCOUNT_EMAIL_REQUESTS_PER_ADDRESS: '1000000'
	});
	const clients: CanvasClient[] = [];

	beforeAll(async () => {
		server = await startServer({ env: env() });
	});
	afterAll(async () => {
		for (const client of clients) client.destroy();
		await server?.dispose();
	});

	const requestReset = (email: unknown) => api(server.url, '/api/v1/auth/password-reset', { body: { email } });
	/** The link's path on the test server (links start with PUBLIC_ORIGIN, which is not where the test server listens). */
	const resetPath = (url: string) => new URL(url).pathname;

	async function resetLink(user: { email: string }): Promise<string> {
		const sent = await mail.waitForMail({ to: user.email, subject: RESET_SUBJECT });
		return linkIn(sent, '/reset-password/');
	}

	it('answers the same for an unknown address as for a known one, and mails only the known one', async () => {
		const known = await signUp(server.url, 'Known');
		const unknown = uniqueEmail('nobody');
		const [forKnown, forUnknown] = [await requestReset(known.email), await requestReset(unknown)];
		expect(forKnown.status).toBe(202);
		expect(forUnknown.status).toBe(202);
		expect(forKnown.body).toEqual({ message: passwordReset.RESET_REQUESTED_MESSAGE });
		expect(forUnknown.body).toEqual(forKnown.body);
		const link = await resetLink(known);
		expect(link).toMatch(/^http:\/\/easel\.example\/reset-password\/[A-Za-z0-9_-]{43}$/);
		await mail.expectNoMail({ to: unknown });
	});

	it('refuses bad email syntax with 400 naming the field', async () => {
		const refused = await requestReset('not-an-address');
		expect(refused.status).toBe(400);
		expect(refused.body.error).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'email' } });
	});

	it('a reset signs out every session, closes their sockets, and only the new password works', async () => {
		const user = await signUp(server.url, 'Resetter');
		const canvasId = await createCanvas(server.url, user, 'Open while resetting');
		const client = connectCanvas(server.wsUrl, `canvas:${canvasId}`, user.token);
		clients.push(client);
		await client.synced;
		const closed = new Promise<string>((resolve) => client.provider.on('close', ({ event }: { event: CloseEvent }) => resolve(event.reason)));

		expect((await requestReset(user.email)).status).toBe(202);
		const token = resetPath(await resetLink(user))
			.split('/')
			.pop()!;
		const weak = await api(server.url, `/api/v1/auth/password-reset/${token}`, { body: { password: 'short' } });
		expect(weak.status).toBe(400);
		expect(weak.body.error).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'password' } });

		const reset = await api(server.url, `/api/v1/auth/password-reset/${token}`, { body: { password: NEW_PASSWORD } });
		expect(reset.status).toBe(204);
		expect(await closed).toBe('UNAUTHENTICATED');
		expect((await api(server.url, '/api/v1/me', { token: user.token })).status).toBe(401);
		expect((await api(server.url, '/api/v1/auth/login', { body: { email: user.email, password: user.password } })).status).toBe(401);
		expect((await api(server.url, '/api/v1/auth/login', { body: { email: user.email, password: NEW_PASSWORD } })).status).toBe(200);

		const again = await api(server.url, `/api/v1/auth/password-reset/${token}`, { body: { password: 'a third password here' } });
		expect(again.status).toBe(410);
		expect(again.body.error).toEqual({ code: 'GONE', message: passwordReset.LINK_GONE_MESSAGE });
	});

	it('the reset page shows a form for a live link and a clear page for a used or unknown one', async () => {
		const user = await signUp(server.url, 'Pages');
		await requestReset(user.email);
		const path = resetPath(await resetLink(user));
		const live = await fetch(`${server.url}${path}`);
		expect(live.status).toBe(200);
		expect(live.headers.get('referrer-policy')).toBe('no-referrer');
		expect(await live.text()).toContain('Choose a new password');
		const unknown = await fetch(`${server.url}/reset-password/${'x'.repeat(43)}`);
		expect(unknown.status).toBe(410);
		expect(await unknown.text()).toContain('This link has expired or was already used');
	});

	it('past the budget of one address the answer is still 202, and nothing is mailed', async () => {
		const user = await signUp(server.url, 'Flood');
		// The budget (3 here) counts every link mailed to the address: the sign-up's verification link too.
		await mail.waitForMail({ to: user.email, subject: 'Verify your email address for Easel' });
		for (let i = 0; i < 2; i++) {
			expect((await requestReset(user.email)).status).toBe(202);
			await mail.waitForMail({ to: user.email, subject: RESET_SUBJECT });
		}
		expect((await requestReset(user.email)).status).toBe(202);
		await mail.expectNoMail({ to: user.email, subject: RESET_SUBJECT });
	});

	it('`npm run admin -- reset-link <email>` prints a working link; an unknown address fails clearly', async () => {
		const user: TestUser = await signUp(server.url, 'Operator');
		const adminEnv = { ...process.env, ...env(), DATA_DIR: server.dataDir, LOG_LEVEL: 'warn' };
		// PGlite serves one process: the server stops while the command runs.
		const pglite = database().driver === 'pglite';
		if (pglite) await server.stop();
		const printed = await runAdmin(['reset-link', user.email.toUpperCase()], adminEnv);
		const unknown = await runAdmin(['reset-link', 'nobody@example.com'], adminEnv);
		if (pglite) server = await server.restart();
		expect(printed.status, printed.stderr).toBe(0);
		expect(printed.stdout).toContain(`Password-reset link for ${user.email} (works once, until `);
		const link = printed.stdout.match(/http:\/\/easel\.example\/reset-password\/[A-Za-z0-9_-]{43}/)?.[0];
		expect(link).toBeDefined();
		expect(unknown.status).toBe(1);
		expect(unknown.stderr).toContain('No account has the email address nobody@example.com.');

		const token = resetPath(link!).split('/').pop()!;
		expect((await api(server.url, `/api/v1/auth/password-reset/${token}`, { body: { password: NEW_PASSWORD } })).status).toBe(204);
		expect((await api(server.url, '/api/v1/auth/login', { body: { email: user.email, password: NEW_PASSWORD } })).status).toBe(200);
	});
});
