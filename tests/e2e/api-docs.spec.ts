// The API reference at /docs/api: rendered from the OpenAPI document, found from the team's API keys
// page; the filter finds an operation, its anchor opens it, and its schemas read as trees; desktop
// and phone screens.
import type { Page } from '@playwright/test';
import { expect, SCREENS, signUpThroughUi, test } from './fixtures.ts';

const NARROW = { width: 400, height: 860 };

async function screens(page: Page, name: string): Promise<void> {
	await page.screenshot({ path: `${SCREENS}/${name}.png` });
	const desktop = page.viewportSize()!;
	await page.setViewportSize(NARROW);
	await page.screenshot({ path: `${SCREENS}/${name}-narrow.png` });
	await page.setViewportSize(desktop);
}

test('the API reference lists every operation, filters to one, and shows its parameters, body and answer as schema trees', async ({ page }) => {
	await signUpThroughUi(page, 'Dora');
	const teamId = /\/teams\/([0-9a-f-]{36})/.exec(page.url())![1];
	await page.goto(`/teams/${teamId}/api-keys`);
	await page.getByTestId('api-docs-link').click();
	await expect(page).toHaveURL(/\/docs\/api$/);
	await expect(page.getByRole('heading', { name: 'Easel API', level: 1 })).toBeVisible();

	const document = (await (await page.request.get('/api/v1/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
	const operationCount = Object.values(document.paths).reduce((sum, item) => sum + Object.keys(item).length, 0);
	await expect(page.getByTestId('api-operation')).toHaveCount(operationCount);
	await screens(page, 'api-docs');

	// The filter narrows the list to the share-link routes; creating one shows its body and answer.
	await page.getByTestId('api-docs-filter').fill('share-links');
	await expect(page.getByTestId('api-operation')).toHaveCount(3);
	const create = page.locator('#createShareLink');
	await expect(create.getByText('/api/v1/canvases/{id}/share-links')).toBeVisible();
	await expect(create.getByRole('heading', { name: 'Create a share link' })).toBeVisible();
	// The request body's properties, with their enums and which are required.
	await expect(create.locator('.tree').first()).toContainText('access');
	await expect(create.locator('.tree').first()).toContainText('one of "view", "edit"');
	await expect(create.locator('.tree').first()).toContainText('required');
	// The answer is the ShareLink component, linked to its definition.
	await expect(create.getByRole('link', { name: 'ShareLink' }).first()).toBeVisible();
	await expect(create.locator('pre')).toContainText('curl -X POST');
	await expect(create.locator('pre')).toContainText('-d \'{"access":"view","audience":"anyone"}\'');
	await screens(page, 'api-docs-filtered');

	await page.getByTestId('api-docs-filter').fill('no such operation at all');
	await expect(page.getByTestId('api-operation')).toHaveCount(0);
	await expect(page.getByRole('status').filter({ hasText: 'No operation matches' })).toBeVisible();

	// The schema link leads to the component's tree.
	await page.getByTestId('api-docs-filter').fill('');
	await page.goto('/docs/api#schema-ShareLink');
	const shareLink = page.locator('#schema-ShareLink');
	await expect(shareLink).toBeInViewport();
	await expect(shareLink).toContainText('audience');
	await expect(shareLink).toContainText('string · date-time');
	await screens(page, 'api-docs-schema');

	// The raw document is linked, from our own origin.
	await expect(page.getByTestId('api-docs-raw')).toHaveAttribute('href', '/api/v1/openapi.json');
});

test('the API reference is public', async ({ page }) => {
	await page.goto('/docs/api#getCanvas');
	await expect(page.locator('#getCanvas')).toBeInViewport();
	await expect(page.locator('#getCanvas')).toContainText('/api/v1/canvases/{id}');
	await expect(page.locator('#getCanvas')).toContainText('Authorization: Bearer $EASEL_TOKEN');
});
