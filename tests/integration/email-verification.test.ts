// Email verification and email change, on both databases: in the domain (what is stored, pending
// changes, links retired) and through the real server with a local SMTP server (the sign-up mail, the
// confirm page that only a POST uses, the change mailed to the new address and told to the old one,
// taken addresses, wrong passwords, the resend budget).
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as accounts from '../../src/lib/server/accounts.ts';
import type { AccountEmailOptions, OutgoingEmail } from '../../src/lib/server/auth/account-emails.ts';
import * as accountTokens from '../../src/lib/server/auth/account-tokens.ts';
import * as emailVerification from '../../src/lib/server/auth/email-verification.ts';
import { users } from '../../src/lib/server/db/schema.ts';
import { ActionThrottle } from '../../src/lib/server/rate-limits.ts';
import { api, signUp, uniqueEmail, type TestUser } from '../helpers/clients.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { linkIn, startMailCatcher, type MailCatcher } from '../helpers/mail-catcher.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { runAdmin } from '../helpers/admin-command.ts';
import { recordingServices } from '../helpers/services.ts';

const VERIFY_SUBJECT = 'Verify your email address for Easel';
const CHANGE_SUBJECT = 'Confirm your new email address for Easel';
const CHANGED_SUBJECT = 'Your Easel email address was changed';
const PASSWORD = 'a long enough password';
const DAY_MS = 24 * 60 * 60 * 1000;

function recordingMail(): AccountEmailOptions & { sent: OutgoingEmail[] } {
	const sent: OutgoingEmail[] = [];
	const throttle = (name: string) => new ActionThrottle({ what: name, keyPrefix: `test-${name}-${Math.random()}`, points: 1000, durationSeconds: 3600 });
	return {
		sent,
		publicOrigin: 'https://easel.example',
		sendEmail: async (email) => {
			sent.push(email);
			return true;
		},
		throttles: { perRecipient: throttle('recipient'), perClient: throttle('client'), perUser: throttle('user') }
	};
}

const verifyToken = (mail: OutgoingEmail) => /\/verify-email\/([A-Za-z0-9_-]{43})/.exec(mail.text)![1];
const IP = '203.0.113.7';
/** PUBLIC_ORIGIN of the test server: links start with it, and browsers' form posts come from it. */
const ORIGIN = 'http://easel.example';

describeEachDatabase('email verification', (database) => {
	const services = () => recordingServices(database().db);
	const account = (name: string) => accounts.signUp(database().db, { email: uniqueEmail(name), password: PASSWORD, name });
	const verifiedAt = async (userId: string) => (await database().db.select({ at: users.emailVerifiedAt }).from(users).where(eq(users.id, userId)))[0].at;

	it('the sign-up link verifies the address once; it lasts 24 hours and a resend retires it', async () => {
		const user = await account('Fresh');
		const mail = recordingMail();
		expect(await emailVerification.sendAfterSignUp(services(), mail, user)).toBe(true);
		expect(mail.sent[0]).toMatchObject({ to: user.email, subject: VERIFY_SUBJECT });
		const first = verifyToken(mail.sent[0]);
		const live = await accountTokens.peek(database().db, first, 'email_verification');
		expect(live!.expiresAt.getTime() - Date.now()).toBeGreaterThan(DAY_MS - 60_000);
		expect(await accountTokens.peek(database().db, first, 'email_verification', new Date(Date.now() + DAY_MS + 1000))).toBeNull();

		await emailVerification.resendVerification(services(), mail, { userId: user.id, ip: IP });
		const second = verifyToken(mail.sent[1]);
		await expect(emailVerification.confirmEmail(services(), mail, first)).rejects.toMatchObject({ code: 'GONE' });
		expect(await verifiedAt(user.id)).toBeNull();
		expect(await emailVerification.confirmEmail(services(), mail, second)).toMatchObject({ userId: user.id, email: user.email, previousEmail: null });
		expect(await verifiedAt(user.id)).toBeInstanceOf(Date);
		await expect(emailVerification.confirmEmail(services(), mail, second)).rejects.toMatchObject({ code: 'GONE' });
		await expect(emailVerification.resendVerification(services(), mail, { userId: user.id, ip: IP })).rejects.toMatchObject({ code: 'CONFLICT' });
	});

	it('an email change is pending until confirmed; a newer request replaces it', async () => {
		const { db } = database();
		const user = await account('Changer');
		const mail = recordingMail();
		const [first, second] = [uniqueEmail('first'), uniqueEmail('second')];
		expect(await emailVerification.requestEmailChange(services(), mail, { userId: user.id, ip: IP, email: first, password: PASSWORD })).toMatchObject({
			pendingEmail: first
		});
		expect(await emailVerification.pendingEmailChange(db, user.id)).toMatchObject({ email: first });
		await emailVerification.requestEmailChange(services(), mail, { userId: user.id, ip: IP, email: second.toUpperCase(), password: PASSWORD });
		expect(await emailVerification.pendingEmailChange(db, user.id)).toMatchObject({ email: second });
		expect(mail.sent.map((sent) => [sent.to, sent.subject])).toEqual([
			[first, CHANGE_SUBJECT],
			[second, CHANGE_SUBJECT]
		]);
		await expect(emailVerification.confirmEmail(services(), mail, verifyToken(mail.sent[0]))).rejects.toMatchObject({ code: 'GONE' });
		// Verifying the current address meanwhile leaves the pending change alone.
		await emailVerification.sendAfterSignUp(services(), mail, user);
		await emailVerification.confirmEmail(services(), mail, verifyToken(mail.sent[2]));
		expect(await emailVerification.pendingEmailChange(db, user.id)).toMatchObject({ email: second });

		const confirmed = await emailVerification.confirmEmail(services(), mail, verifyToken(mail.sent[1]));
		expect(confirmed).toEqual({ userId: user.id, email: second, previousEmail: user.email });
		const [row] = await db.select({ email: users.email, verifiedAt: users.emailVerifiedAt }).from(users).where(eq(users.id, user.id));
		expect(row.email).toBe(second);
		expect(row.verifiedAt).toBeInstanceOf(Date);
		expect(await emailVerification.pendingEmailChange(db, user.id)).toBeNull();
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(mail.sent.at(-1)).toMatchObject({ to: user.email, subject: CHANGED_SUBJECT });
		expect(mail.sent.at(-1)!.text).toContain(`changed from ${user.email} to ${second}`);
	});

	it('refuses a wrong or missing password, the current address and a taken one, and sends nothing', async () => {
		const user = await account('Careful');
		const other = await account('Other');
		const mail = recordingMail();
		const change = (input: { email: string; password?: string }) => emailVerification.requestEmailChange(services(), mail, { userId: user.id, ip: IP, ...input });
		await expect(change({ email: uniqueEmail('new'), password: 'not my password' })).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'password' } });
		await expect(change({ email: uniqueEmail('new') })).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'password' } });
		await expect(change({ email: user.email, password: PASSWORD })).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'email' } });
		await expect(change({ email: other.email.toUpperCase(), password: PASSWORD })).rejects.toMatchObject({ code: 'CONFLICT', details: { field: 'email' } });
		await expect(change({ email: 'not an address', password: PASSWORD })).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'email' } });
		expect(mail.sent).toHaveLength(0);
	});

	it('an account without a password (made through a provider) changes its email without one', async () => {
		const { db } = database();
		const user = await account('Provider');
		await db.update(users).set({ passwordHash: null }).where(eq(users.id, user.id));
		const mail = recordingMail();
		const email = uniqueEmail('elsewhere');
		expect(await emailVerification.requestEmailChange(services(), mail, { userId: user.id, ip: IP, email })).toMatchObject({ pendingEmail: email });
	});

	it('without email configured, resend and change say so', async () => {
		const user = await account('Offline');
		const mail = { ...recordingMail(), sendEmail: null };
		await expect(emailVerification.resendVerification(services(), mail, { userId: user.id, ip: IP })).rejects.toMatchObject({ code: 'NOT_FOUND' });
		await expect(emailVerification.requestEmailChange(services(), mail, { userId: user.id, ip: IP, email: uniqueEmail('x'), password: PASSWORD })).rejects.toMatchObject({
			code: 'NOT_FOUND'
		});
		expect(await emailVerification.sendAfterSignUp(services(), mail, user)).toBe(false);
	});
});

let mail: MailCatcher;
beforeAll(async () => {
	mail = await startMailCatcher();
});
afterAll(() => mail?.close());

describeEachServerDatabase('email verification over HTTP', (database) => {
	let server: RunningServer;
	beforeAll(async () => {
		server = await startServer({
			env: {
				...database().env,
				SMTP_URL: mail.smtpUrl,
				PUBLIC_ORIGIN: ORIGIN,
				ACCOUNT_EMAIL_REQUESTS_PER_USER: '3',
				ACCOUNT_EMAIL_REQUESTS_PER_ADDRESS: '1000000'
			}
		});
	});
	afterAll(() => server?.dispose());

	/** The link's path on the test server (links start with PUBLIC_ORIGIN, which is not where it listens). */
	const pathOf = (url: string) => new URL(url).pathname;
	const page = (path: string, token?: string) => fetch(`${server.url}${path}`, { headers: token ? { cookie: `easel_session=${token}` } : {}, redirect: 'manual' });
	/** Presses the page's button: a form post, as the browser sends it. */
	const press = (path: string, token?: string) =>
		fetch(`${server.url}${path}`, {
			method: 'POST',
			body: new URLSearchParams({}),
			headers: { origin: ORIGIN, accept: 'text/html', ...(token ? { cookie: `easel_session=${token}` } : {}) },
			redirect: 'manual'
		});
	const isVerified = async (user: TestUser) => (await (await page('/verify-email', user.token)).text()).includes('Your email address is verified');
	const me = async (user: TestUser) => (await api(server.url, '/api/v1/me', { token: user.token })).body.user;

	it('sign-up through the API mails a link; opening it verifies nothing, pressing the button does, once', async () => {
		const user = await signUp(server.url, 'Newcomer');
		const sent = await mail.waitForMail({ to: user.email, subject: VERIFY_SUBJECT });
		const link = linkIn(sent, '/verify-email/');
		expect(link).toMatch(/^http:\/\/easel\.example\/verify-email\/[A-Za-z0-9_-]{43}$/);
		expect(sent.html).toContain(`href="${link}"`);

		const opened = await page(pathOf(link));
		expect(opened.status).toBe(200);
		expect(opened.headers.get('referrer-policy')).toBe('no-referrer');
		expect(await opened.text()).toContain('Verify email');
		expect(await isVerified(user)).toBe(false);

		const confirmed = await press(pathOf(link));
		expect(confirmed.status).toBe(200);
		expect(await confirmed.text()).toContain('is now the verified address of your Easel account');
		expect(await isVerified(user)).toBe(true);

		expect((await page(pathOf(link))).status).toBe(410);
		const again = await press(pathOf(link));
		expect(await again.text()).toContain('This link has expired or was already used');
	});

	it('sign-up through the form mails a link too; a signed-in browser goes on to the app with a notice', async () => {
		const email = uniqueEmail('former');
		const signedUp = await fetch(`${server.url}/signup`, {
			method: 'POST',
			body: new URLSearchParams({ name: 'Former', email, password: PASSWORD }),
			headers: { origin: ORIGIN, accept: 'text/html' },
			redirect: 'manual'
		});
		expect(signedUp.status).toBe(303);
		const session = /easel_session=([a-z2-7]{32})/.exec(signedUp.headers.get('set-cookie') ?? '')![1];
		const link = linkIn(await mail.waitForMail({ to: email, subject: VERIFY_SUBJECT }), '/verify-email/');
		const confirmed = await press(pathOf(link), session);
		expect(confirmed.status).toBe(303);
		expect(confirmed.headers.get('location')).toBe('/');
		const notice = /easel_notice=([^;]+)/.exec(confirmed.headers.get('set-cookie') ?? '')![1];
		const withNotice = await fetch(`${server.url}/teams`, { headers: { cookie: `easel_session=${session}; easel_notice=${notice}` } });
		expect(await withNotice.text()).toContain('Your email address is verified.');
	});

	it('an email change mails the new address, keeps the old one until confirmed, then tells the old address', async () => {
		const user = await signUp(server.url, 'Mover');
		await mail.waitForMail({ to: user.email, subject: VERIFY_SUBJECT });
		const newEmail = uniqueEmail('moved');
		const requested = await api(server.url, '/api/v1/me/email', { token: user.token, body: { email: newEmail, password: user.password } });
		expect(requested.status).toBe(202);
		expect(requested.body).toEqual({ pendingEmail: newEmail, expiresAt: expect.any(String) });
		const sent = await mail.waitForMail({ to: newEmail, subject: CHANGE_SUBJECT });
		expect(sent.text).toContain(`The Easel account of ${user.email} asked to use ${newEmail}`);
		expect((await me(user)).email).toBe(user.email);
		const status = await (await page('/verify-email', user.token)).text();
		expect(status).toMatch(new RegExp(`Your change to <strong[^>]*>${newEmail}</strong> is waiting`));

		const link = linkIn(sent, '/verify-email/');
		expect(await (await page(pathOf(link))).text()).toContain('Confirm your new email address');
		expect((await press(pathOf(link))).status).toBe(200);
		expect((await me(user)).email).toBe(newEmail);
		expect(await isVerified(user)).toBe(true);
		const notice = await mail.waitForMail({ to: user.email, subject: CHANGED_SUBJECT });
		expect(notice.text).toContain(`changed from ${user.email} to ${newEmail}`);
		expect((await api(server.url, '/api/v1/auth/login', { body: { email: newEmail, password: user.password } })).status).toBe(200);
		expect((await api(server.url, '/api/v1/auth/login', { body: { email: user.email, password: user.password } })).status).toBe(401);
	});

	it('a taken address is refused with 409 at request time, and again at confirm time', async () => {
		const [user, other] = [await signUp(server.url, 'Wanting'), await signUp(server.url, 'Having')];
		const taken = await api(server.url, '/api/v1/me/email', { token: user.token, body: { email: other.email, password: user.password } });
		expect(taken.status).toBe(409);
		expect(taken.body.error).toMatchObject({ code: 'CONFLICT', details: { field: 'email' } });

		const wanted = uniqueEmail('wanted');
		expect((await api(server.url, '/api/v1/me/email', { token: user.token, body: { email: wanted, password: user.password } })).status).toBe(202);
		const link = linkIn(await mail.waitForMail({ to: wanted, subject: CHANGE_SUBJECT }), '/verify-email/');
		// Someone signs up with the address before the link is used.
		expect((await api(server.url, '/api/v1/auth/signup', { body: { email: wanted, password: PASSWORD } })).status).toBe(201);
		const refused = await press(pathOf(link));
		expect(refused.status).toBe(409);
		expect(await refused.text()).toContain(`Another account already uses ${wanted}.`);
		expect((await me(user)).email).toBe(user.email);
	});

	it('a wrong or missing password is refused and mails nothing', async () => {
		const user = await signUp(server.url, 'Guessed');
		const target = uniqueEmail('target');
		const wrong = await api(server.url, '/api/v1/me/email', { token: user.token, body: { email: target, password: 'not the password' } });
		expect(wrong.status).toBe(400);
		expect(wrong.body.error).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'password' } });
		const missing = await api(server.url, '/api/v1/me/email', { token: user.token, body: { email: target } });
		expect(missing.status).toBe(400);
		expect((await api(server.url, '/api/v1/me/email', { body: { email: target, password: user.password } })).status).toBe(401);
		await mail.expectNoMail({ to: target });
	});

	it('resending is limited per person; a verified address is not resent', async () => {
		const user = await signUp(server.url, 'Impatient');
		await mail.waitForMail({ to: user.email, subject: VERIFY_SUBJECT });
		for (let i = 0; i < 3; i++) {
			const resent = await api(server.url, '/api/v1/me/email/verification', { token: user.token, method: 'POST' });
			expect(resent.status).toBe(202);
			expect(resent.body).toEqual({ email: user.email });
			await mail.waitForMail({ to: user.email, subject: VERIFY_SUBJECT });
		}
		const refused = await api(server.url, '/api/v1/me/email/verification', { token: user.token, method: 'POST' });
		expect(refused.status).toBe(429);
		expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(refused.body.error.message).toMatch(/^Too many account emails requested by you\./);
		await mail.expectNoMail({ to: user.email, subject: VERIFY_SUBJECT });

		const verified = await signUp(server.url, 'Done');
		const link = linkIn(await mail.waitForMail({ to: verified.email, subject: VERIFY_SUBJECT }), '/verify-email/');
		await press(pathOf(link));
		const already = await api(server.url, '/api/v1/me/email/verification', { token: verified.token, method: 'POST' });
		expect(already.status).toBe(409);
		expect(already.body.error.message).toBe(`${verified.email} is already verified.`);
	});

	it('`npm run admin -- verify-email <email>` marks an address verified; an unknown address fails clearly', async () => {
		const user = await signUp(server.url, 'Vouched');
		const env = { ...process.env, ...database().env, DATA_DIR: server.dataDir, LOG_LEVEL: 'warn' };
		// PGlite serves one process: the server stops while the command runs.
		const pglite = database().driver === 'pglite';
		if (pglite) await server.stop();
		const verified = await runAdmin(['verify-email', user.email], env);
		const unknown = await runAdmin(['verify-email', 'nobody@example.com'], env);
		if (pglite) server = await server.restart();
		expect(verified.status, verified.stderr).toBe(0);
		expect(verified.stdout.trim()).toBe(`${user.email} is now verified.`);
		expect(unknown.status).toBe(1);
		expect(unknown.stderr).toContain('No account has the email address nobody@example.com.');
		expect(await isVerified(user)).toBe(true);
	});
});
