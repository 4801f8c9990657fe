// The trash in the browser: deleting a canvas from the library moves it there, the trash page lists
// it with who deleted it and when it goes for good, a restore brings it back with its content, an
// open canvas says it was moved to the trash, and deleting for good asks first.
import { drawShape, expect, sameOrigin, shapeTypes, signUpThroughUi, test, waitForCanvas } from './fixtures.ts';

const SHOTS = '/tmp/trash-shots';
const NARROW = { width: 390, height: 800 };
const WIDE = { width: 1280, height: 800 };

test('delete a canvas from the library, find it in the trash, restore it with its content', async ({ page }) => {
	await signUpThroughUi(page, 'Tess');
	const library = page.url();
	await page.getByLabel('New canvas title').fill('Roadmap');
	await page.getByRole('button', { name: 'New canvas' }).click();
	await waitForCanvas(page);
	await drawShape(page, 'r', { x: 320, y: 260 }, { x: 480, y: 360 });
	await expect.poll(() => shapeTypes(page)).toContain('rectangle');
	const canvasUrl = page.url();
	await page.getByRole('link', { name: 'Back to canvases' }).click();

	const tiles = page.getByTestId('canvas-tile');
	await expect(tiles).toHaveCount(1);
	await tiles.filter({ hasText: 'Roadmap' }).getByRole('button', { name: 'Delete' }).click();
	const dialog = page.getByRole('dialog', { name: 'Move to trash?' });
	await expect(dialog).toContainText('Move to trash? You can restore it for 30 days.');
	await expect(dialog).toContainText('removed from the gallery');
	await page.screenshot({ path: `${SHOTS}/library-confirm.png` });
	await dialog.getByRole('button', { name: 'Move to trash' }).click();
	await expect(tiles).toHaveCount(0);
	const notice = page.getByRole('status').filter({ hasText: 'Moved Roadmap to the trash.' });
	await expect(notice).toBeVisible();
	await page.screenshot({ path: `${SHOTS}/library-moved.png` });

	// The trash lists it: who, when, how long it stays.
	await page.getByRole('navigation', { name: 'Team' }).getByRole('link', { name: 'Trash' }).click();
	await expect(page.getByRole('heading', { name: 'Trash' })).toBeVisible();
	const item = page.getByTestId('trash-item');
	await expect(item).toHaveCount(1);
	await expect(item).toContainText('Roadmap');
	await expect(item).toContainText('by Tess');
	await expect(item).toContainText('Deleted for good in 30 days');
	await page.screenshot({ path: `${SHOTS}/trash.png` });
	await page.setViewportSize(NARROW);
	await page.screenshot({ path: `${SHOTS}/trash-narrow.png`, fullPage: true });
	await page.setViewportSize(WIDE);

	// Its own address says where it went.
	await page.goto(canvasUrl);
	await expect(page.getByTestId('canvas-in-trash')).toContainText('“Roadmap” is in the trash');
	await expect(page.getByTestId('canvas-in-trash')).toContainText('Tess moved it to the trash');
	await page.screenshot({ path: `${SHOTS}/canvas-in-trash.png` });
	await page.setViewportSize(NARROW);
	await page.screenshot({ path: `${SHOTS}/canvas-in-trash-narrow.png` });
	await page.setViewportSize(WIDE);
	await page.getByRole('link', { name: 'Open the trash' }).click();

	await page.getByTestId('trash-item').getByRole('button', { name: 'Restore' }).click();
	await expect(page.getByRole('status')).toContainText('Restored Roadmap');
	await expect(page.getByTestId('trash-empty')).toBeVisible();
	await page.screenshot({ path: `${SHOTS}/trash-empty.png` });
	await page.setViewportSize(NARROW);
	await page.screenshot({ path: `${SHOTS}/trash-empty-narrow.png`, fullPage: true });
	await page.setViewportSize(WIDE);
	await page.getByRole('status').getByRole('link', { name: 'Roadmap' }).click();
	await waitForCanvas(page);
	await expect.poll(() => shapeTypes(page)).toContain('rectangle');

	await page.goto(library);
	await expect(tiles).toHaveCount(1);
});

test('undo right after deleting, restore from the canvas page, and delete forever with a confirm', async ({ page }) => {
	await signUpThroughUi(page, 'Uli');
	const library = page.url();
	const teamId = library.split('/teams/')[1];
	for (const title of ['Keep me', 'Bin me']) {
		const created = await page.request.post('/api/v1/canvases', { data: { title, teamId }, headers: sameOrigin(page) });
		expect(created.status()).toBe(201);
	}
	await page.reload();
	const tiles = page.getByTestId('canvas-tile');
	await expect(tiles).toHaveCount(2);

	// Undo straight from the notice.
	await tiles.filter({ hasText: 'Keep me' }).getByRole('button', { name: 'Delete' }).click();
	await page.getByRole('dialog').getByRole('button', { name: 'Move to trash' }).click();
	await expect(tiles).toHaveCount(1);
	await page.getByRole('status').getByRole('button', { name: 'Undo' }).click();
	await expect(tiles).toHaveCount(2);
	await expect(page.getByRole('status').filter({ hasText: 'Restored Keep me' })).toBeVisible();

	// An open canvas hears it was moved to the trash, and may be restored from its address.
	const bin = tiles.filter({ hasText: 'Bin me' });
	const binHref = await bin.getByRole('link').first().getAttribute('href');
	await page.goto(binHref!);
	await waitForCanvas(page);
	const canvasId = binHref!.split('/c/')[1];
	expect((await page.request.delete(`/api/v1/canvases/${canvasId}`, { headers: sameOrigin(page) })).status()).toBe(200);
	const refused = page.getByTestId('canvas-refused');
	await expect(refused).toContainText('Moved to the trash');
	await expect(refused).toContainText('can be restored from the trash for 30 days');
	await page.screenshot({ path: `${SHOTS}/open-canvas-trashed.png` });
	await page.setViewportSize(NARROW);
	await page.screenshot({ path: `${SHOTS}/open-canvas-trashed-narrow.png` });
	await page.setViewportSize(WIDE);
	await page.reload();
	await page.getByRole('button', { name: 'Restore and open' }).click();
	await waitForCanvas(page);
	await expect(page.getByRole('heading', { name: 'Bin me' })).toBeVisible();

	// Deleting for good asks first, then it is gone from the trash too.
	expect((await page.request.delete(`/api/v1/canvases/${canvasId}`, { headers: sameOrigin(page) })).status()).toBe(200);
	await page.goto(`/teams/${teamId}/trash`);
	await page.getByTestId('trash-item').getByRole('button', { name: 'Delete forever' }).click();
	const confirm = page.getByRole('dialog', { name: 'Delete forever?' });
	await expect(confirm).toContainText('This cannot be undone.');
	await page.screenshot({ path: `${SHOTS}/delete-forever-confirm.png` });
	await confirm.getByRole('button', { name: 'Cancel' }).click();
	await expect(page.getByTestId('trash-item')).toHaveCount(1);
	await page.getByTestId('trash-item').getByRole('button', { name: 'Delete forever' }).click();
	await confirm.getByRole('button', { name: 'Delete forever' }).click();
	await expect(page.getByRole('status')).toContainText('Deleted “Bin me” for good.');
	await expect(page.getByTestId('trash-empty')).toBeVisible();
	expect((await page.goto(`/c/${canvasId}`))?.status()).toBe(404);
	await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
});
