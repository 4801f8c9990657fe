// The /account page in Chromium: profile (name in the header, avatar colour), email without the
// email-change API, sessions (signing out another browser), deleting the account — refused as the
// only owner of a shared team, then done after handing it over — and linked providers.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { request as playwrightRequest, type Page } from '@playwright/test';
import postgres from 'postgres';
import { expect, PASSWORD, sameOrigin, signInThroughUi, signUpThroughUi, test, waitForCanvas } from './fixtures.ts';
import { startServer } from '../helpers/server.ts';
import { uniqueEmail } from '../helpers/unique.ts';

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const SHOTS = '/tmp/account-shots';
const NARROW = { width: 390, height: 844 };
mkdirSync(SHOTS, { recursive: true });

async function openAccountSettings(page: Page): Promise<void> {
	await page.getByLabel(/^Account menu/).click();
	await page.getByRole('link', { name: 'Account settings' }).click();
	await expect(page.getByRole('heading', { name: 'Account settings' })).toBeVisible();
}

async function shoot(page: Page, name: string, options: { narrow?: boolean } = {}): Promise<void> {
	const viewport = page.viewportSize();
	if (options.narrow) await page.setViewportSize(NARROW);
	await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
	if (options.narrow && viewport) await page.setViewportSize(viewport);
}

test('profile: a new name shows in the header, the avatar takes the chosen colour, a bad name is refused; email change says this server sends no mail', async ({
	page
}) => {
	await signUpThroughUi(page, 'Marie');
	await expect(page.getByTestId('header-name')).toHaveText('Marie');
	await page.getByLabel(/^Account menu/).click();
	await shoot(page, 'user-menu');
	await page.getByRole('link', { name: 'Account settings' }).click();
	await expect(page.getByRole('heading', { name: 'Account settings' })).toBeVisible();
	await expect(page.getByTestId('account-email')).toBeVisible();
	await expect(page.getByText('Not verified')).toBeVisible();
	await expect(page.getByTestId('providers-empty')).toBeVisible();
	await shoot(page, 'account-wide');
	await shoot(page, 'account-narrow', { narrow: true });

	const profile = page.getByRole('region', { name: 'Profile' });
	await profile.getByLabel('Name').fill('Marie\u200bCurie');
	await profile.getByRole('button', { name: 'Save profile' }).click();
	await expect(profile.getByRole('alert')).toContainText('must not contain control, formatting or invisible characters');
	await expect(page.getByTestId('header-name')).toHaveText('Marie');
	await shoot(page, 'profile-refused');

	await profile.getByLabel('Name').fill('Marie Curie');
	await profile.getByLabel('Teal').check({ force: true });
	await expect(page.getByTestId('profile-avatar-preview')).toHaveCSS('background-color', 'rgb(8, 127, 91)');
	await profile.getByRole('button', { name: 'Save profile' }).click();
	await expect(profile.getByRole('status')).toHaveText('Profile saved.');
	await expect(page.getByTestId('header-name')).toHaveText('Marie Curie');
	await expect(page.getByTestId('header-avatar')).toHaveCSS('background-color', 'rgb(8, 127, 91)');
	await expect(page.getByTestId('header-avatar')).toHaveText('MC');
	await page.reload();
	await expect(page.getByRole('region', { name: 'Profile' }).getByLabel('Name')).toHaveValue('Marie Curie');
	await expect(page.getByRole('region', { name: 'Profile' }).getByLabel('Teal')).toBeChecked();
	await shoot(page, 'profile-saved');

	// The test server sends no email (no SMTP_URL): the section says so instead of offering a change
	// it could never confirm (tests/e2e/password-reset.spec.ts changes an address with mail).
	const email = page.getByRole('region', { name: 'Email' });
	await expect(email.getByTestId('email-no-mail')).toHaveText(/This server does not send email/);
	await expect(email.getByRole('button', { name: 'Change email' })).toHaveCount(0);
	await shoot(page, 'email-unavailable');
	await shoot(page, 'email-unavailable-narrow', { narrow: true });
});

test('sessions: each browser is listed with this one marked; signing out another sends it to sign in at once, then all the others go', async ({ page, browser }) => {
	const { email } = await signUpThroughUi(page, 'Sam');
	const laptopContext = await browser.newContext({ userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0' });
	const laptop = await laptopContext.newPage();
	await signInThroughUi(laptop, email);
	const tabletContext = await browser.newContext();
	const tablet = await tabletContext.newPage();
	await signInThroughUi(tablet, email);

	// The laptop has a canvas open: signing it out closes its socket and the page goes to sign in.
	await laptop.getByRole('button', { name: 'New canvas' }).click();
	await waitForCanvas(laptop);

	await openAccountSettings(page);
	const sessions = page.getByRole('region', { name: 'Sessions' });
	await expect(sessions.getByTestId('session-row')).toHaveCount(3);
	await expect(sessions.getByTestId('session-row').first()).toContainText('This device');
	await expect(sessions.getByTestId('session-row').filter({ hasText: 'Firefox on Windows' })).toContainText('Password');
	await shoot(page, 'sessions-wide');
	await shoot(page, 'sessions-narrow', { narrow: true });

	await sessions
		.getByTestId('session-row')
		.filter({ hasText: 'Firefox on Windows' })
		.getByRole('button', { name: /^Sign out/ })
		.click();
	await expect(sessions.getByRole('status')).toHaveText('Signed out 1 session.');
	await expect(sessions.getByTestId('session-row')).toHaveCount(2);
	await expect(laptop).toHaveURL(/\/login/, { timeout: 10_000 });

	await sessions.getByRole('button', { name: 'Sign out all other sessions' }).click();
	await expect(sessions.getByTestId('session-row')).toHaveCount(1);
	await expect(sessions.getByRole('button', { name: 'Sign out all other sessions' })).toHaveCount(0);
	await tablet.reload();
	await expect(tablet).toHaveURL(/\/login/);
	await shoot(page, 'sessions-after');
	await laptopContext.close();
	await tabletContext.close();
});

test('delete account: refused while the only owner of a shared team (linking to its members), then deleted after handing it over, signed out, and gone', async ({
	page,
	baseURL
}) => {
	const { email } = await signUpThroughUi(page, 'Olga');
	const team = await page.request.post('/api/v1/teams', { data: { name: 'Field notes' }, headers: sameOrigin(page) });
	expect(team.status()).toBe(201);
	const teamId = ((await team.json()) as { id: string }).id;
	const invitation = await page.request.post(`/api/v1/teams/${teamId}/invitations`, { data: { role: 'editor' }, headers: sameOrigin(page) });
	const { token: invitationToken } = (await invitation.json()) as { token: string };
	const anonymous = await playwrightRequest.newContext({ baseURL });
	const signup = await anonymous.post('/api/v1/auth/signup', { data: { email: uniqueEmail('pierre'), password: PASSWORD, name: 'Pierre' } });
	const member = (await signup.json()) as { token: string; user: { id: string } };
	await anonymous.dispose();
	const memberApi = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${member.token}` } });
	expect((await memberApi.post(`/api/v1/invitations/${invitationToken}/accept`)).status()).toBe(200);

	await openAccountSettings(page);
	const danger = page.getByRole('region', { name: 'Delete account' });
	await expect(danger.getByTestId('delete-blocked')).toContainText('Transfer ownership or remove the other members first');
	await expect(danger.getByRole('link', { name: 'Field notes' })).toHaveAttribute('href', `/teams/${teamId}/members`);
	await expect(danger.getByRole('button', { name: 'Delete account…' })).toBeDisabled();
	await danger.scrollIntoViewIfNeeded();
	await shoot(page, 'delete-blocked');
	await shoot(page, 'delete-blocked-narrow', { narrow: true });

	const transferred = await page.request.post(`/api/v1/teams/${teamId}/transfer-ownership`, { data: { userId: member.user.id }, headers: sameOrigin(page) });
	expect(transferred.status()).toBe(200);
	await page.reload();
	await expect(danger).toContainText('your personal team');
	await expect(danger).toContainText('You leave Field notes');
	await danger.getByRole('button', { name: 'Delete account…' }).click();
	const dialog = page.getByRole('dialog', { name: 'Delete your account?' });
	await dialog.getByLabel(/^Type your email/).fill(email);
	await dialog.getByLabel('Password').fill('not the password');
	await dialog.getByRole('button', { name: 'Delete my account' }).click();
	await expect(dialog.getByRole('alert')).toHaveText('That is not your current password.');
	await shoot(page, 'delete-wrong-password');
	await page.setViewportSize(NARROW);
	await shoot(page, 'delete-dialog-narrow');
	await page.setViewportSize({ width: 1280, height: 800 });

	await dialog.getByLabel('Password').fill(PASSWORD);
	await dialog.getByRole('button', { name: 'Delete my account' }).click();
	await expect(page).toHaveURL(/\/account-deleted$/);
	await expect(page.getByRole('heading', { name: 'Your account was deleted' })).toBeVisible();
	await expect(page.getByLabel(/^Account menu/)).toHaveCount(0);
	await shoot(page, 'account-deleted');
	await shoot(page, 'account-deleted-narrow', { narrow: true });

	// Signed out, and the old password opens nothing.
	await page.goto('/account');
	await expect(page).toHaveURL(/\/login\?next=%2Faccount/);
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill(PASSWORD);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByText('Email or password is incorrect.')).toBeVisible();
	// The team they left lists only the new owner.
	const members = (await (await memberApi.get(`/api/v1/teams/${teamId}/members`)).json()) as { members: { name: string }[] };
	expect(members.members.map((entry) => entry.name)).toEqual(['Pierre']);
	await memberApi.dispose();
});

test('linked providers: the last way in cannot be unlinked (the page says why); after setting a first password it can; linking waits for a verified email', async ({
	page
}) => {
	// A server of its own on PostgreSQL with GitHub and Google configured, so the test can write the rows a provider sign-in makes.
	const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
	const name = `easel_e2e_${randomBytes(6).toString('hex')}`;
	await admin.unsafe(`create database ${name}`);
	const url = new URL(TEST_DATABASE_URL);
	url.pathname = `/${name}`;
	const providers = {
		GITHUB_CLIENT_ID: 'github-client',
		GITHUB_CLIENT_SECRET: 'github-secret',
		GOOGLE_CLIENT_ID: 'google-client',
		GOOGLE_CLIENT_SECRET: 'google-secret'
	};
	const server = await startServer({ env: { DATABASE_URL: url.toString(), ...providers } });
	const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
	try {
		const email = uniqueEmail('ines');
		await page.goto(`${server.url}/signup`);
		await page.getByLabel('Name').fill('Inès');
		await page.getByLabel('Email').fill(email);
		await page.getByLabel('Password').fill(PASSWORD);
		await page.getByRole('button', { name: 'Create account' }).click();
		await expect(page.getByRole('heading', { name: 'Canvases' })).toBeVisible();

		// Unverified: linking is refused, saying why.
		await page.goto(`${server.url}/account`);
		const section = page.getByRole('region', { name: 'Linked sign-in providers' });
		await expect(section.getByRole('note')).toHaveText(/Verify your email address first/);
		await expect(section.getByRole('button', { name: 'Link' })).toHaveCount(2);
		await shoot(page, 'providers-unverified');

		// As a GitHub sign-in would have made it: verified, no password, GitHub linked.
		const [{ id }] = await sql`update users set password_hash = null, email_verified_at = now() where lower(email) = ${email} returning id`;
		await sql`insert into oauth_accounts (user_id, provider, subject, email) values (${id}, 'github', '4242', 'ines@users.github.example')`;
		await page.reload();
		const github = section.getByTestId('provider-row').filter({ hasText: 'GitHub' });
		await expect(github).toContainText('Linked as ines@users.github.example');
		await expect(github.getByRole('button', { name: 'Unlink' })).toBeDisabled();
		await expect(github).toContainText('This is your only way to sign in: set a password or link another provider first.');
		const google = section.getByTestId('provider-row').filter({ hasText: 'Google' });
		await expect(google.getByRole('link', { name: 'Link' })).toHaveAttribute('href', '/auth/google?intent=link&next=/account');
		await expect(page.getByRole('heading', { name: 'Set a password' })).toBeVisible();
		await shoot(page, 'providers-last-way-in');
		await shoot(page, 'providers-last-way-in-narrow', { narrow: true });

		// A first password needs no current one within a recent sign-in; then GitHub may go.
		const password = page.getByRole('region', { name: 'Set a password' });
		await password.getByLabel('New password', { exact: true }).fill('a first password of mine');
		await password.getByLabel('New password again').fill('a first password of mine');
		await password.getByRole('button', { name: 'Set password' }).click();
		await expect(page.getByRole('status').filter({ hasText: 'Password set.' })).toBeVisible();
		await expect(page.getByRole('heading', { name: 'Password', exact: true })).toBeVisible();
		await expect(github.getByRole('button', { name: 'Unlink' })).toBeEnabled();
		await github.getByRole('button', { name: 'Unlink' }).click();
		await expect(section.getByRole('status')).toHaveText('Unlinked GitHub.');
		await expect(github).toContainText('Not linked');
		await shoot(page, 'providers-unlinked');
	} finally {
		await sql.end();
		await server.dispose();
		await admin.unsafe(`drop database if exists ${name} with (force)`);
		await admin.end();
	}
});
