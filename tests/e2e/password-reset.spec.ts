// Password reset and email verification in a real browser, with the mail caught by a local SMTP
// server: forgot password → the mailed link → a new password → signed in (other sessions signed
// out); a used link's page; the verification banner and link. Screenshots go to /tmp/mail-shots.
import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { linkIn, startMailCatcher, type MailCatcher } from '../helpers/mail-catcher.ts';
import { freePort, startServer, type RunningServer } from '../helpers/server.ts';
import { uniqueEmail } from '../helpers/unique.ts';
import { expect, PASSWORD, signOutThroughUi, signUpThroughUi, test as base } from './fixtures.ts';

const SHOTS = '/tmp/mail-shots';
const NEW_PASSWORD = 'a fresh passphrase for e2e';

const test = base.extend<object, { mail: MailCatcher; server: { current: RunningServer } }>({
	mail: [
		async ({}, use) => {
			const mail = await startMailCatcher();
			await use(mail);
			await mail.close();
		},
		{ scope: 'worker' }
	],
	// The spec's own server: it sends email, and its links start with the address the browser uses.
	server: [
		async ({ mail }, use) => {
			const port = await freePort();
			const holder = { current: await startServer({ port, env: { SMTP_URL: mail.smtpUrl, PUBLIC_ORIGIN: `http://127.0.0.1:${port}` } }) };
			await use(holder);
			await holder.current.dispose();
		},
		{ scope: 'worker' }
	]
});

test.beforeAll(() => mkdirSync(SHOTS, { recursive: true }));

/** A wide and a 390 px narrow screenshot of the page as it is. */
async function shoot(page: Page, name: string): Promise<void> {
	const wide = page.viewportSize()!;
	await page.screenshot({ path: `${SHOTS}/${name}-wide.png`, fullPage: true });
	await page.setViewportSize({ width: 390, height: 844 });
	await page.screenshot({ path: `${SHOTS}/${name}-narrow.png`, fullPage: true });
	await page.setViewportSize(wide);
}

async function signOut(page: Page): Promise<void> {
	await signOutThroughUi(page);
	await expect(page).toHaveURL(/\/login/);
}

test('forgot password: the mailed link sets a new password, signs this browser in and the others out', async ({ page, browser, mail, server }) => {
	const { email } = await signUpThroughUi(page, 'Forgetful');
	const banner = page.getByTestId('verify-banner');
	await expect(banner).toContainText('Verify your email address');
	await shoot(page, 'verify-banner');

	// Another browser is signed in too; the reset signs it out.
	const elsewhere = await browser.newContext({ baseURL: server.current.url });
	const otherPage = await elsewhere.newPage();
	await otherPage.goto('/login');
	await otherPage.getByLabel('Email').fill(email);
	await otherPage.getByLabel('Password').fill(PASSWORD);
	await otherPage.getByRole('button', { name: 'Sign in' }).click();
	await expect(otherPage.getByRole('heading', { name: 'Canvases' })).toBeVisible();

	await signOut(page);
	await page.getByRole('link', { name: 'Forgot password?' }).click();
	await expect(page.getByRole('heading', { name: 'Reset your password' })).toBeVisible();
	await shoot(page, 'forgot-password');
	await page.getByLabel('Email').fill(email);
	await page.getByRole('button', { name: 'Send reset link' }).click();
	await expect(page.getByTestId('reset-requested')).toContainText(`If an account exists for ${email}, we sent a link to it.`);
	await shoot(page, 'forgot-password-sent');

	const sent = await mail.waitForMail({ to: email, subject: 'Reset your Easel password' });
	const link = linkIn(sent, '/reset-password/');
	await page.goto(link);
	await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
	await shoot(page, 'reset-password');

	await page.getByLabel(/^New password/).fill(NEW_PASSWORD);
	await page.getByLabel('Confirm new password').fill('not the same password');
	await page.getByRole('button', { name: 'Change password' }).click();
	await expect(page.getByRole('alert')).toHaveText('The two passwords are not the same.');
	await shoot(page, 'reset-password-mismatch');

	await page.getByLabel(/^New password/).fill(NEW_PASSWORD);
	await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
	await page.getByRole('button', { name: 'Change password' }).click();
	await expect(page.getByRole('heading', { name: 'Canvases' })).toBeVisible();
	await expect(page.getByTestId('app-notice')).toHaveText(/Password changed\./);
	await shoot(page, 'password-changed');

	// The other browser's session ended with the reset.
	await otherPage.reload();
	await expect(otherPage).toHaveURL(/\/login/);
	await elsewhere.close();

	// The link worked once.
	await page.goto(link);
	await expect(page.getByRole('heading', { name: 'This link has expired or was already used' })).toBeVisible();
	await expect(page.getByRole('link', { name: 'Request a new link' })).toHaveAttribute('href', '/forgot-password');
	await shoot(page, 'reset-link-gone');

	// The new password signs in; the old one does not.
	await page.goto('/');
	await signOut(page);
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill(PASSWORD);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('alert')).toHaveText('Email or password is incorrect.');
	await page.getByLabel('Password').fill(NEW_PASSWORD);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('heading', { name: 'Canvases' })).toBeVisible();
	// Resetting proved the inbox is theirs: no more banner.
	await expect(page.getByTestId('verify-banner')).toHaveCount(0);
});

test('the verification link: a page with a button, then the app says so and the banner is gone', async ({ page, mail }) => {
	const { email } = await signUpThroughUi(page, 'Verifier');
	await expect(page.getByTestId('verify-banner')).toBeVisible();
	await page.getByTestId('verify-banner').getByRole('button', { name: 'Resend' }).click();
	await expect(page.getByTestId('verify-banner')).toContainText(`Sent — check ${email}.`);
	await shoot(page, 'verify-banner-resent');

	await mail.waitForMail({ to: email, subject: 'Verify your email address for Easel' });
	const newest = await mail.waitForMail({ to: email, subject: 'Verify your email address for Easel' });
	await page.goto(linkIn(newest, '/verify-email/'));
	await expect(page.getByRole('heading', { name: 'Verify your email address' })).toBeVisible();
	await expect(page.getByText(`Confirm that ${email} is your address on Easel.`)).toBeVisible();
	await shoot(page, 'verify-email');
	await page.getByRole('button', { name: 'Verify email' }).click();
	await expect(page.getByRole('heading', { name: 'Canvases' })).toBeVisible();
	await expect(page.getByTestId('app-notice')).toHaveText(/Your email address is verified\./);
	await expect(page.getByTestId('verify-banner')).toHaveCount(0);
	await shoot(page, 'email-verified');

	await page.goto(linkIn(newest, '/verify-email/'));
	await expect(page.getByRole('heading', { name: 'This link has expired or was already used' })).toBeVisible();
	await shoot(page, 'verify-link-gone');
});

test('the banner can be dismissed and stays away on this browser', async ({ page }) => {
	await signUpThroughUi(page, 'Dismisser');
	const banner = page.getByTestId('verify-banner');
	await expect(banner).toBeVisible();
	await banner.getByRole('button', { name: 'Dismiss' }).click();
	await expect(banner).toHaveCount(0);
	await page.reload();
	await expect(page.getByRole('heading', { name: 'Canvases' })).toBeVisible();
	await expect(banner).toHaveCount(0);
});

test('changing the address from account settings: the link goes to the new address, the old one is told, and it changes only when confirmed', async ({ page, mail }) => {
	const { email } = await signUpThroughUi(page, 'Mover');
	const newEmail = uniqueEmail('mover.new');
	await page.goto('/account');
	const section = page.getByRole('region', { name: 'Email' });
	await section.getByRole('button', { name: 'Change email' }).click();
	await section.getByLabel('New email address').fill(newEmail);
	await section.getByLabel('Current password').fill(PASSWORD);
	await section.getByRole('button', { name: 'Send confirmation link' }).click();
	await expect(section.getByTestId('email-change-pending')).toContainText(`We sent a link to ${newEmail}`);
	// Still the old address until the link is confirmed, and the pending change survives a reload.
	await page.reload();
	await expect(section.getByTestId('account-email')).toHaveText(email);
	await expect(section.getByTestId('email-change-pending')).toContainText(newEmail);
	await shoot(page, 'email-change-pending');

	const confirmation = await mail.waitForMail({ to: newEmail, subject: 'Confirm your new email address for Easel' });
	await page.goto(linkIn(confirmation, '/verify-email/'));
	await expect(page.getByRole('heading', { name: 'Confirm your new email address' })).toBeVisible();
	await page.getByRole('button', { name: 'Confirm new address' }).click();
	await mail.waitForMail({ to: email, subject: 'Your Easel email address was changed' });
	await page.goto('/account');
	await expect(section.getByTestId('account-email')).toHaveText(newEmail);
	await expect(section.getByText('Verified', { exact: true })).toBeVisible();
	await expect(section.getByTestId('email-change-pending')).toHaveCount(0);
});
