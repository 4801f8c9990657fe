// Real thumbnails on the dashboard: the browser renders a canvas with tldraw's exporter when an
// editor leaves it and uploads it; canvases nobody has opened keep the placeholder; read-only
// visitors never upload.
import type { Locator, Page } from '@playwright/test';
import { drawShape, expect, sameOrigin, signUpThroughUi, test, waitForCanvas } from './fixtures.ts';

const SCREENS = 'test-results/screens';

/** The tile's picture, once it has loaded (0 while it has none or it is still loading). */
function naturalWidth(tile: Locator): Promise<number> {
	return tile.locator('.thumb img').evaluateAll((images) => (images[0] as HTMLImageElement | undefined)?.naturalWidth ?? 0);
}

async function drawSomething(page: Page, label: string): Promise<void> {
	await drawShape(page, 'r', { x: 320, y: 260 }, { x: 560, y: 400 });
	await drawShape(page, 'o', { x: 700, y: 240 }, { x: 860, y: 420 });
	await page.keyboard.press('t');
	await page.mouse.click(360, 520);
	await page.keyboard.type(label);
	await page.keyboard.press('Escape');
	await expect.poll(() => page.evaluate(() => window.__easelEditor?.getCurrentPageShapes().length ?? 0)).toBe(3);
}

test('the dashboard shows a picture of a canvas an editor has left, and the placeholder for one never opened', async ({ page }) => {
	await signUpThroughUi(page, 'Tilda');
	const created = await page.request.post('/api/v1/canvases', { headers: sameOrigin(page), data: { title: 'Never opened' } });
	expect(created.status()).toBe(201);

	await page.getByLabel('New canvas title').fill('Checkout flow');
	await page.getByRole('button', { name: 'New canvas' }).click();
	await waitForCanvas(page);
	await drawSomething(page, 'Payment service');
	await page.getByRole('link', { name: 'Back to canvases' }).click();
	await expect(page.getByRole('heading', { name: 'Canvases' })).toBeVisible();

	const tiles = page.getByTestId('canvas-tile');
	const drawn = tiles.filter({ hasText: 'Checkout flow' });
	const untouched = tiles.filter({ hasText: 'Never opened' });
	// The picture was rendered and stored on the way out; the dashboard picks it up once it is there.
	await expect.poll(() => naturalWidth(drawn), { timeout: 20_000 }).toBeGreaterThan(0);
	await expect(untouched.locator('.thumb')).toBeVisible();
	await expect(untouched.locator('.thumb img')).toHaveCount(0);

	// After a reload it is still there (served with the session cookie, cached by version).
	await page.reload();
	await expect.poll(() => naturalWidth(drawn)).toBeGreaterThan(0);
	const src = await drawn.locator('.thumb img').getAttribute('src');
	expect(src).toMatch(/^\/api\/v1\/canvases\/[0-9a-f-]{36}\/thumbnail\?v=\d+$/);
	const served = await page.request.get(src!);
	expect(served.status()).toBe(200);
	expect(served.headers()['content-type']).toMatch(/^image\/(webp|png)$/);
	await page.screenshot({ path: `${SCREENS}/dashboard-thumbnails.png` });

	await page.setViewportSize({ width: 390, height: 760 });
	await expect.poll(() => naturalWidth(drawn)).toBeGreaterThan(0);
	await page.screenshot({ path: `${SCREENS}/dashboard-thumbnails-narrow.png` });
});

test('a thumbnail that fails to load shows the placeholder, never a broken image', async ({ page }) => {
	await signUpThroughUi(page, 'Bruno');
	await page.getByRole('button', { name: 'New canvas' }).click();
	await waitForCanvas(page);
	await drawSomething(page, 'Gone soon');
	await page.getByRole('link', { name: 'Back to canvases' }).click();
	const tile = page.getByTestId('canvas-tile');
	await expect.poll(() => naturalWidth(tile), { timeout: 20_000 }).toBeGreaterThan(0);

	// The stored picture disappears behind the dashboard's back (as if its object store lost it).
	await page.route('**/api/v1/canvases/*/thumbnail?v=*', (route) => route.fulfill({ status: 404, body: '' }));
	await page.reload();
	await expect(tile.locator('.thumb')).toBeVisible();
	await expect(tile.locator('.thumb img')).toHaveCount(0);
});

test('read-only visitors never upload a thumbnail; the next editor who opens the canvas does', async ({ page, browser }) => {
	await signUpThroughUi(page, 'Rhea');
	await page.getByLabel('New canvas title').fill('Seen by a guest');
	await page.getByRole('button', { name: 'New canvas' }).click();
	await waitForCanvas(page);
	const canvasId = page.url().split('/c/')[1];
	await drawSomething(page, 'Guests look');
	// Out of the canvas to somewhere else in the app, then the thumbnail it left is removed again.
	await page.getByRole('link', { name: 'Back to canvases' }).click();
	const thumbnail = `/api/v1/canvases/${canvasId}/thumbnail`;
	await expect.poll(async () => (await page.request.get(thumbnail)).status(), { timeout: 20_000 }).toBe(200);
	expect((await page.request.delete(thumbnail, { headers: sameOrigin(page) })).status()).toBe(204);

	const link = await page.request.post(`/api/v1/canvases/${canvasId}/share-links`, { headers: sameOrigin(page), data: { access: 'view', audience: 'anyone' } });
	const guestContext = await browser.newContext();
	const guest = await guestContext.newPage();
	const uploads: string[] = [];
	guest.on('request', (request) => {
		if (request.url().includes('/thumbnail') && request.method() !== 'GET') uploads.push(request.method());
	});
	await guest.goto(`/s/${(await link.json()).token}`);
	await waitForCanvas(guest);
	await expect(guest.getByText('View only')).toBeVisible();
	await guest.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
	await guest.goto('/login');
	await guestContext.close();
	expect(uploads).toEqual([]);
	expect((await page.request.get(thumbnail)).status()).toBe(404);

	// The owner opens it again without changing anything: it has no thumbnail, so leaving makes one.
	await page.goto(`/c/${canvasId}`);
	await waitForCanvas(page);
	await page.getByRole('link', { name: 'Back to canvases' }).click();
	await expect.poll(async () => (await page.request.get(thumbnail)).status(), { timeout: 20_000 }).toBe(200);
});

test('closing the page (not navigating within the app) still sends the thumbnail rendered while the edits paused', async ({ page, browser }) => {
	await signUpThroughUi(page, 'Cleo');
	await page.getByRole('button', { name: 'New canvas' }).click();
	await waitForCanvas(page);
	const canvasId = page.url().split('/c/')[1];
	await drawSomething(page, 'Closed tab');
	// Once the edits have paused, the thumbnail for leaving is rendered in advance (there is no time to render on unload).
	await page.waitForTimeout(4_500);
	const cookies = await page.context().cookies();
	await page.close({ runBeforeUnload: true });

	const other = await browser.newContext();
	await other.addCookies(cookies);
	const reader = await other.newPage();
	await expect.poll(async () => (await reader.request.get(`/api/v1/canvases/${canvasId}/thumbnail`)).status(), { timeout: 10_000 }).toBe(200);
	await other.close();
});
