// API keys in team settings: an admin creates one (refused without a scope), copies the secret shown
// once, a program uses it, and revoking it in the page stops it; desktop and phone screens.
import { request as playwrightRequest, type Page } from '@playwright/test';
import { expect, sameOrigin, SCREENS, signUpThroughUi, test } from './fixtures.ts';

const NARROW = { width: 390, height: 800 };

async function screens(page: Page, name: string): Promise<void> {
	await page.screenshot({ path: `${SCREENS}/${name}.png`, fullPage: true });
	const desktop = page.viewportSize()!;
	await page.setViewportSize(NARROW);
	await page.screenshot({ path: `${SCREENS}/${name}-narrow.png`, fullPage: true });
	await page.setViewportSize(desktop);
}

test('an admin creates an API key, copies it once, a program uses it, and revoking it in the page stops it', async ({ browser, baseURL }) => {
	const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
	const page = await context.newPage();
	await signUpThroughUi(page, 'Kim');
	const teamId = /\/teams\/([0-9a-f-]{36})/.exec(page.url())![1];
	// A published canvas for the program to read, and one it may not see.
	const created = await page.request.post('/api/v1/canvases', { data: { teamId, title: 'Architecture' }, headers: sameOrigin(page) });
	const canvasId = ((await created.json()) as { id: string }).id;
	await page.request.post('/api/v1/canvases', { data: { teamId, title: 'Roadmap' }, headers: sameOrigin(page) });
	expect((await page.request.post(`/api/v1/canvases/${canvasId}/publication`, { data: { title: 'Architecture' }, headers: sameOrigin(page) })).status()).toBe(201);

	await page.goto(`/teams/${teamId}`);
	await page.getByRole('navigation', { name: 'Team' }).getByRole('link', { name: 'API keys' }).click();
	await expect(page.getByRole('heading', { name: 'API keys', level: 1 })).toBeVisible();
	await expect(page.getByTestId('api-keys-empty')).toBeVisible();
	await screens(page, 'api-keys-empty');

	// No scope: refused, saying so, with the name kept.
	const form = page.getByRole('region', { name: 'Create a key' });
	await form.getByRole('textbox', { name: 'Name' }).fill('Export bot');
	await form.getByRole('button', { name: 'Create key' }).click();
	await expect(form.getByRole('alert')).toHaveText('Choose at least one scope.');
	await expect(form.getByRole('textbox', { name: 'Name' })).toHaveValue('Export bot');
	await screens(page, 'api-keys-no-scope');

	// Read-only, on one canvas, expiring next year.
	await form.getByRole('checkbox', { name: /canvases:read/ }).check();
	await form.getByRole('radio', { name: /Only some canvases/ }).check();
	await form.getByRole('checkbox', { name: 'Architecture' }).check();
	await form.getByLabel(/Expires after/).fill(`${new Date().getFullYear() + 1}-06-30`);
	await screens(page, 'api-keys-form-filled');
	await form.getByRole('button', { name: 'Create key' }).click();
	const secret = page.getByTestId('api-key-created');
	await expect(secret).toContainText('Copy your new key “Export bot” now');
	await expect(secret).toContainText("You won't be able to see it again");
	await secret.getByRole('button', { name: 'Copy' }).click();
	await expect(secret.getByRole('button', { name: 'Copied' })).toBeVisible();
	const token = await page.evaluate(() => navigator.clipboard.readText());
	expect(token).toMatch(/^easel_[a-z2-7]{52}$/);
	await expect(secret.getByLabel('New API key')).toHaveValue(token);
	const row = page.getByTestId('api-key-row');
	await expect(row).toHaveCount(1);
	await expect(row).toContainText('Export bot');
	await expect(row).toContainText(`${token.slice(0, 12)}…`);
	await expect(row).toContainText('canvases:read');
	await expect(row).toContainText('Only Architecture');
	await expect(row).toContainText(new RegExp(`Expires\\s*Jun 30, ${new Date().getFullYear() + 1}`));
	await expect(row.getByText('Never', { exact: true })).toBeVisible();
	// The form is ready for the next key; the secret is nowhere in the list.
	await expect(form.getByRole('textbox', { name: 'Name' })).toHaveValue('');
	expect(await page.getByRole('region', { name: 'Keys' }).innerText()).not.toContain(token);
	await screens(page, 'api-keys-created');

	// A program uses it: the published canvas it was given, nothing else.
	const program = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${token}` } });
	const read = await program.get(`/api/v1/canvases/${canvasId}/publication`);
	expect(read.status()).toBe(200);
	expect(read.headers()['ratelimit-limit']).toBeDefined();
	await page.reload();
	await expect(page.getByTestId('api-key-created')).toHaveCount(0);
	await expect(row).toContainText(/Last used\s*just now from 127\.0\.0\.1/);

	// Revoked in the page: the program is refused at once.
	await row.getByRole('button', { name: 'Revoke Export bot' }).click();
	const dialog = page.getByRole('dialog', { name: 'Revoke “Export bot”?' });
	await expect(dialog).toContainText('refused from now on');
	await page.screenshot({ path: `${SCREENS}/api-keys-revoke-dialog.png` });
	await dialog.getByRole('button', { name: 'Revoke key' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Revoked “Export bot”' })).toBeVisible();
	await expect(row).toContainText('Revoked');
	await expect(row.getByRole('button', { name: /Revoke/ })).toHaveCount(0);
	const refused = await program.get(`/api/v1/canvases/${canvasId}/publication`);
	expect(refused.status()).toBe(401);
	expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/^This API key was revoked/);
	await screens(page, 'api-keys-revoked');

	// The activity log names the key's creation and its first use from an address.
	await page.getByRole('navigation', { name: 'Team' }).getByRole('link', { name: 'Activity' }).click();
	await expect(page.getByTestId('activity-row').filter({ hasText: 'API key “Export bot” was used from a new address' })).toBeVisible();
	await expect(page.getByTestId('activity-row').filter({ hasText: 'Kim created the API key “Export bot” (canvases:read) for “Architecture”' })).toBeVisible();
	await expect(page.getByTestId('activity-row').filter({ hasText: 'Kim revoked the API key “Export bot”' })).toBeVisible();
	await page.screenshot({ path: `${SCREENS}/api-keys-activity.png`, fullPage: true });
	await program.dispose();
	await context.close();
});
