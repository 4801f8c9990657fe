// SQL and HTML injection strings typed into every text field are stored and shown literally: no
// markup runs, no query breaks, and the account keeps working.
import { expect, signInThroughUi, test } from './fixtures.ts';
import { uniqueEmail } from '../helpers/unique.ts';

const SCREENS = 'test-results/screens';
const PASSWORD = 'a long enough password';
const NAME = `<img src=x onerror="window.__pwned=1">Robert'); DROP TABLE users;--`;
const CANVAS_TITLE = `<script>window.__pwned=1</script>' OR '1'='1`;
const TEAM_NAME = `"><svg onload=window.__pwned=1>Team'; DELETE FROM teams;--`;

test('injection strings in names and titles are stored and shown as typed', async ({ page }) => {
	const email = uniqueEmail('bobby');
	await page.goto('/signup');
	await page.getByLabel('Name').fill(NAME);
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill(PASSWORD);
	await page.getByRole('button', { name: 'Create account' }).click();
	await expect(page.getByRole('heading', { name: 'Canvases' })).toBeVisible();

	await page.getByLabel('New canvas title').fill(CANVAS_TITLE);
	await page.getByRole('button', { name: 'New canvas' }).click();
	await expect(page.getByRole('heading', { name: CANVAS_TITLE })).toBeVisible();
	await page.getByRole('link', { name: 'Back to canvases' }).click();
	await expect(page.getByTestId('canvas-tile')).toContainText(CANVAS_TITLE);

	await page.goto('/teams');
	await page.getByLabel('Team name').fill(TEAM_NAME);
	await page.getByRole('button', { name: 'Create team' }).click();
	await expect(page.getByText(TEAM_NAME).filter({ visible: true }).first()).toBeVisible();
	await page.goto('/teams');
	await expect(page.getByRole('link', { name: new RegExp(escapeRegExp(TEAM_NAME)) })).toBeVisible();
	await page.getByRole('link', { name: new RegExp(escapeRegExp(TEAM_NAME)) }).click();
	await page.getByRole('link', { name: 'Members' }).first().click();
	await expect(page.getByRole('main').getByText(NAME)).toBeVisible();
	await page.screenshot({ path: `${SCREENS}/injection-members.png` });

	expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
	// Nothing was dropped or deleted: signing in again works and everything is still there.
	await page.context().clearCookies();
	await signInThroughUi(page, email);
	await expect(page.getByTestId('canvas-tile')).toContainText(CANVAS_TITLE);
	expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
});

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
