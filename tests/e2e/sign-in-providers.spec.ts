// Signing in with providers in real Chromium: "Continue with Acme SSO" from /login through a local
// OpenID provider (it redirects back without a page of its own); the team settings' single sign-on
// section; a member whose team requires SSO sent there from the password form and from GitHub; the
// refusal pages. Screens (wide and 390 px) go to /tmp/providers-shots.
import { mkdirSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import type { Browser, Page } from '@playwright/test';
import { openDatabase, type OpenDatabase } from '../../src/lib/server/db/index.ts';
import { users } from '../../src/lib/server/db/schema.ts';
import { createScratchPostgres } from '../helpers/databases.ts';
import { startGitHubTestServer, type GitHubTestServer } from '../helpers/github-test-server.ts';
import { startOidcProvider, type OidcTestProvider } from '../helpers/oidc-provider.ts';
import { freePort, startServer, type RunningServer } from '../helpers/server.ts';
import { uniqueEmail } from '../helpers/unique.ts';
import { expect, PASSWORD, test as base } from './fixtures.ts';

const SHOTS = process.env.EASEL_SCREENS ?? '/tmp/providers-shots';
mkdirSync(SHOTS, { recursive: true });
const DOMAIN = 'e2e-acme.test';

interface Providers {
	oidc: OidcTestProvider;
	github: GitHubTestServer;
}

/** The server runs on PostgreSQL so the spec can mark an address verified (email verification is another part's). */
const test = base.extend<Record<never, never>, { providers: Providers; database: OpenDatabase; server: { current: RunningServer } }>({
	providers: [
		async ({}, use) => {
			const providers = { oidc: await startOidcProvider(), github: await startGitHubTestServer() };
			await use(providers);
			await Promise.all([providers.oidc.close(), providers.github.close()]);
		},
		{ scope: 'worker' }
	],
	database: [
		async ({}, use) => {
			const scratch = await createScratchPostgres();
			const database = await openDatabase({ url: scratch.url, maxConnections: 2 });
			await use(Object.assign(database, { url: scratch.url }));
			await database.close();
			await scratch.drop();
		},
		{ scope: 'worker' }
	],
	server: [
		async ({ providers, database }, use) => {
			const port = await freePort();
			const url = (database as OpenDatabase & { url: string }).url;
			const holder = {
				current: await startServer({
					port,
					env: { DATABASE_URL: url, PUBLIC_ORIGIN: `http://127.0.0.1:${port}`, OIDC_NAME: 'Acme SSO', ...providers.oidc.env, ...providers.github.env }
				})
			};
			await use(holder);
			await holder.current.dispose();
		},
		{ scope: 'worker' }
	]
});

async function shoot(page: Page, name: string): Promise<void> {
	await page.screenshot({ path: `${SHOTS}/${name}-wide.png`, fullPage: true });
	const wide = page.viewportSize();
	await page.setViewportSize({ width: 390, height: 844 });
	await page.screenshot({ path: `${SHOTS}/${name}-narrow.png`, fullPage: true });
	if (wide) await page.setViewportSize(wide);
}

async function signUpWithPassword(page: Page, name: string, email: string): Promise<void> {
	await page.goto('/signup');
	await page.getByLabel('Name').fill(name);
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill(PASSWORD);
	await page.getByRole('button', { name: 'Create account' }).click();
	await expect(page.getByRole('heading', { name: 'Canvases' })).toBeVisible();
}

async function freshPage(browser: Browser, baseURL: string): Promise<Page> {
	const context = await browser.newContext({ baseURL });
	return context.newPage();
}

test('signs in through the OIDC provider from /login, creating the account', async ({ page, providers }) => {
	await page.goto('/login');
	await expect(page.getByRole('link', { name: 'Continue with Acme SSO' })).toBeVisible();
	await expect(page.getByRole('link', { name: 'Continue with GitHub' })).toBeVisible();
	await shoot(page, 'login');
	await page.goto('/signup');
	await shoot(page, 'signup');

	providers.oidc.signInAs({ sub: 'e2e-ada', email: uniqueEmail('ada'), email_verified: true, name: 'Ada Lovelace' });
	await page.goto('/login');
	await page.getByRole('link', { name: 'Continue with Acme SSO' }).click();
	await expect(page.getByRole('heading', { name: 'Canvases' })).toBeVisible();
	await expect(page.getByText('Ada Lovelace').first()).toBeVisible();
});

test('refusal pages: an unverified account with the same address, and an attempt from another browser', async ({ page, browser, baseURL, providers }) => {
	const email = uniqueEmail('unverified');
	await signUpWithPassword(page, 'Una', email);
	const other = await freshPage(browser, baseURL);
	providers.oidc.signInAs({ sub: 'e2e-una', email, email_verified: true, name: 'Una' });
	await other.goto('/login');
	await other.getByRole('link', { name: 'Continue with Acme SSO' }).click();
	const refused = other.getByTestId('sign-in-refused');
	await expect(refused.getByRole('heading', { name: "You weren't signed in" })).toBeVisible();
	await expect(refused).toContainText('An Easel account with this email exists but its address is not verified.');
	await expect(refused.getByRole('link', { name: 'Back to sign in' })).toBeVisible();
	await shoot(other, 'refused-unverified');

	await other.goto('/auth/oidc/callback?code=someone-elses&state=someone-elses');
	await expect(refused).toContainText('expired or was started in another browser');
	await expect(refused.getByRole('link', { name: 'Continue with Acme SSO' })).toBeVisible();
	await shoot(other, 'refused-expired');
	await other.context().close();
});

test('team single sign-on: the owner verifies their domain and requires SSO; a member is sent to it from the password form and from GitHub', async ({
	page,
	browser,
	baseURL,
	providers,
	database
}) => {
	// The owner signs in with the provider, so their address on the domain is verified.
	const ownerEmail = uniqueEmail('olga').replace(/@.*/, `@${DOMAIN}`);
	providers.oidc.signInAs({ sub: 'e2e-olga', email: ownerEmail, email_verified: true, name: 'Olga Owner' });
	await page.goto('/login');
	await page.getByRole('link', { name: 'Continue with Acme SSO' }).click();
	await expect(page.getByRole('heading', { name: 'Canvases' })).toBeVisible();
	const teamId = await page.evaluate(async () => {
		const response = await fetch('/api/v1/teams', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Acme' }) });
		return ((await response.json()) as { id: string }).id;
	});
	const invitation = await page.evaluate(async (id) => {
		const response = await fetch(`/api/v1/teams/${id}/invitations`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ role: 'editor' })
		});
		return ((await response.json()) as { url: string }).url;
	}, teamId);

	await page.goto(`/teams/${teamId}/settings`);
	const section = page.getByRole('region', { name: 'Single sign-on' });
	await expect(section.getByTestId('sso-no-domains')).toBeVisible();
	await expect(section.getByLabel(/Require single sign-on/)).toBeDisabled();
	await section.getByRole('textbox', { name: 'Domain' }).fill('gmail.com');
	await section.getByRole('button', { name: 'Add domain' }).click();
	await expect(section.getByRole('alert')).toContainText('Public email services');
	await section.scrollIntoViewIfNeeded();
	await shoot(page, 'sso-settings-webmail-refused');

	await section.getByRole('textbox', { name: 'Domain' }).fill(`@${DOMAIN}`);
	await section.getByRole('button', { name: 'Add domain' }).click();
	await expect(section.getByRole('status')).toHaveText(`Added and verified ${DOMAIN}.`);
	await expect(section.getByRole('listitem').filter({ hasText: `@${DOMAIN}` })).toContainText('Verified');
	await section.getByRole('textbox', { name: 'Domain' }).fill('elsewhere-corp.test');
	await section.getByRole('button', { name: 'Add domain' }).click();
	await expect(section.getByRole('listitem').filter({ hasText: '@elsewhere-corp.test' })).toContainText('Not verified');

	// A member with a password and a verified address on the domain joins, and links GitHub.
	const memberEmail = uniqueEmail('max').replace(/@.*/, `@${DOMAIN}`);
	const member = await freshPage(browser, baseURL);
	await signUpWithPassword(member, 'Max Member', memberEmail);
	await database.db
		.update(users)
		.set({ emailVerifiedAt: new Date() })
		.where(sql`${users.email} = ${memberEmail}`);
	await member.goto(invitation);
	await member.getByRole('button', { name: 'Join Acme' }).click();
	await expect(member).toHaveURL(new RegExp(`/teams/${teamId}`));
	providers.github.signInAs({ id: 4242, login: 'maxm', name: 'Max M', emails: [{ email: uniqueEmail('max-gh'), primary: true, verified: true }] });
	await member.goto('/auth/github?intent=link&next=/teams');
	await expect(member).toHaveURL(/\/teams$/);
	await member.context().close();

	await section.getByLabel(`Require single sign-on for members with @${DOMAIN} addresses`).check();
	await expect(section.getByRole('status')).toHaveText(`Single sign-on is now required for @${DOMAIN} addresses.`);
	await shoot(page, 'sso-settings-required');

	// The right password: a notice, then the provider, then signed in.
	providers.oidc.signInAs({ sub: 'e2e-max', email: memberEmail, email_verified: true, name: 'Max Member' });
	const again = await freshPage(browser, baseURL);
	await again.goto('/login?next=/teams');
	await again.getByLabel('Email').fill(memberEmail);
	await again.getByLabel('Password').fill(PASSWORD);
	await again.getByRole('button', { name: 'Sign in' }).click();
	await expect(again.getByTestId('sso-notice')).toHaveText('Your team requires single sign-on for this address. Taking you to Acme SSO…');
	await shoot(again, 'login-sso-notice');
	await expect(again).toHaveURL(/\/teams$/);
	await expect(again.getByText('Acme', { exact: true }).first()).toBeVisible();
	expect(providers.oidc.authorizations.at(-1)!.get('login_hint')).toBe(memberEmail);
	await again.context().close();

	// GitHub is refused for them too, with single sign-on offered instead.
	const viaGithub = await freshPage(browser, baseURL);
	await viaGithub.goto('/login');
	await viaGithub.getByRole('link', { name: 'Continue with GitHub' }).click();
	const refused = viaGithub.getByTestId('sign-in-refused');
	await expect(refused.getByRole('heading', { name: 'Single sign-on required' })).toBeVisible();
	await expect(refused).toContainText(`Acme requires single sign-on for @${DOMAIN} addresses, so you cannot sign in with GitHub.`);
	await shoot(viaGithub, 'refused-sso-required');
	await refused.getByRole('link', { name: 'Continue with Acme SSO' }).click();
	await expect(viaGithub.getByRole('heading', { name: 'Canvases' })).toBeVisible();
	await viaGithub.context().close();
});
