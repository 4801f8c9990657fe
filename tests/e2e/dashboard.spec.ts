import { expect, signUpThroughUi, test, PASSWORD, sameOrigin } from './fixtures.ts';

const SCREENS = 'test-results/screens';

test('dashboard: create, rename and delete canvases, with confirmation', async ({ page }) => {
	await signUpThroughUi(page, 'Dana');
	await expect(page.getByText('Create your first canvas')).toBeVisible();
	await page.screenshot({ path: `${SCREENS}/dashboard-empty.png` });

	for (const title of ['Payments flow', 'Onboarding']) {
		await page.getByLabel('New canvas title').fill(title);
		await page.getByRole('button', { name: 'New canvas' }).click();
		await expect(page.getByRole('heading', { name: title })).toBeVisible();
		await page.getByRole('link', { name: 'Back to canvases' }).click();
	}
	const tiles = page.getByTestId('canvas-tile');
	await expect(tiles).toHaveCount(2);

	// Rename inline.
	await tiles.filter({ hasText: 'Payments flow' }).getByRole('button', { name: 'Rename' }).click();
	await page.getByLabel('Canvas title', { exact: true }).fill('Payments flow v2');
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(tiles.filter({ hasText: 'Payments flow v2' })).toHaveCount(1);

	// A title that is too long is refused with a message, and nothing changes.
	await tiles.filter({ hasText: 'Onboarding' }).getByRole('button', { name: 'Rename' }).click();
	await page.getByLabel('Canvas title', { exact: true }).evaluate((input: HTMLInputElement) => input.removeAttribute('maxlength'));
	await page.getByLabel('Canvas title', { exact: true }).fill('x'.repeat(300));
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page.getByRole('alert')).toHaveText('Title must be at most 200 characters.');
	await page.getByRole('button', { name: 'Cancel' }).click();
	await page.reload();
	await expect(tiles.filter({ hasText: 'Onboarding' })).toHaveCount(1);
	await page.screenshot({ path: `${SCREENS}/dashboard.png` });

	// Delete asks first; cancelling keeps the canvas.
	await tiles.filter({ hasText: 'Onboarding' }).getByRole('button', { name: 'Delete' }).click();
	const dialog = page.getByRole('dialog');
	await expect(dialog).toContainText('Onboarding');
	await page.screenshot({ path: `${SCREENS}/dashboard-delete.png` });
	await dialog.getByRole('button', { name: 'Cancel' }).click();
	await expect(tiles).toHaveCount(2);
	await tiles.filter({ hasText: 'Onboarding' }).getByRole('button', { name: 'Delete' }).click();
	await expect(dialog).toContainText('Move to trash? You can restore it for 30 days.');
	await dialog.getByRole('button', { name: 'Move to trash' }).click();
	await expect(tiles).toHaveCount(1);
	await expect(page.getByRole('status').filter({ hasText: 'Moved Onboarding to the trash.' })).toBeVisible();
	await page.reload();
	await expect(tiles).toHaveCount(1);
	await expect(tiles).toContainText('Payments flow v2');

	// Narrow window.
	await page.setViewportSize({ width: 390, height: 760 });
	await page.screenshot({ path: `${SCREENS}/dashboard-narrow.png` });
});

test('rename from the canvas page, and a deleted canvas shows a clear page', async ({ page }) => {
	await signUpThroughUi(page, 'Eve');
	await page.getByRole('button', { name: 'New canvas' }).click();
	await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'connected');
	await page.getByRole('button', { name: 'Untitled canvas' }).click();
	await page.getByLabel('Canvas title', { exact: true }).fill('Renamed here');
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page.getByRole('heading', { name: 'Renamed here' })).toBeVisible();
	const url = page.url();
	await page.reload();
	await expect(page.getByRole('heading', { name: 'Renamed here' })).toBeVisible();

	await page.setViewportSize({ width: 390, height: 760 });
	await page.screenshot({ path: `${SCREENS}/canvas-narrow.png` });

	// Deleted for good elsewhere (through the API with the same session): the open page says so.
	const id = url.split('/c/')[1];
	const response = await page.request.delete(`/api/v1/canvases/${id}?permanent=true`, { headers: sameOrigin(page) });
	expect(response.status()).toBe(204);
	await expect(page.getByRole('alert')).toContainText(/deleted|no longer exists/);
	await page.screenshot({ path: `${SCREENS}/canvas-deleted.png` });
	await page.goto(url);
	await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
	await page.screenshot({ path: `${SCREENS}/not-found.png` });
});

test('auth pages explain mistakes and keep what was typed', async ({ page }) => {
	await page.goto('/');
	await page.screenshot({ path: `${SCREENS}/landing.png` });
	await page.goto('/signup');
	await page.getByLabel('Email').fill('someone@example.com');
	await page.getByLabel('Password').evaluate((input: HTMLInputElement) => input.removeAttribute('minlength'));
	await page.getByLabel('Password').fill('short');
	await page.getByRole('button', { name: 'Create account' }).click();
	await expect(page.getByRole('alert')).toHaveText('Password must be at least 8 characters.');
	await expect(page.getByLabel('Email')).toHaveValue('someone@example.com');
	await page.screenshot({ path: `${SCREENS}/signup-error.png` });

	await page.goto('/login');
	await page.getByLabel('Email').fill('nobody@example.com');
	await page.getByLabel('Password').fill(PASSWORD);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('alert')).toHaveText('Email or password is incorrect.');
	await page.setViewportSize({ width: 390, height: 760 });
	await page.screenshot({ path: `${SCREENS}/login-error-narrow.png` });
});
