// The team library in Chromium: find a canvas by a word written on it (search as you type, in the
// address, with the back button), open it from the keyboard; stars on top in every sort; folders
// made, filed into from the card and by dragging, renamed and deleted without losing a canvas.
import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { writeText } from './canvas-content.ts';
import { expect, sameOrigin, signUpThroughUi, test, waitForCanvas } from './fixtures.ts';

const SHOTS = '/tmp/library-shots';
mkdirSync(SHOTS, { recursive: true });
const NARROW = { width: 390, height: 844 };

async function createCanvasByApi(page: Page, title: string): Promise<string> {
	const made = await page.request.post('/api/v1/canvases', { data: { title }, headers: sameOrigin(page) });
	expect(made.status()).toBe(201);
	return (await made.json()).id;
}

test('find a canvas by a word written on it, open it from the keyboard, and come back to the search', async ({ page }) => {
	await signUpThroughUi(page, 'Sofia');
	const libraryUrl = page.url();
	await createCanvasByApi(page, 'Quarterly plan');
	await page.getByLabel('New canvas title').fill('Ideas');
	await page.getByRole('button', { name: 'New canvas' }).click();
	await waitForCanvas(page);
	await writeText(page, 'remember the quetzalcoatl launch', { x: 520, y: 360 });
	await expect.poll(() => page.evaluate(() => window.__easelEditor?.getCurrentPageShapes().length ?? 0)).toBe(1);
	await page.getByRole('link', { name: 'Back to canvases' }).click();

	const tiles = page.getByTestId('canvas-tile');
	await expect(tiles).toHaveCount(2);
	const search = page.getByRole('searchbox', { name: 'Search canvases' });
	// "/" goes to the search box; the results follow what is typed, and the address follows them.
	await page.keyboard.press('/');
	await expect(search).toBeFocused();
	await page.keyboard.type('quetzal');
	await expect(page).toHaveURL(/\?q=quetzal$/);
	// The canvas was stored when its tab left it; its text may take a moment to be indexed.
	await expect(async () => {
		if ((await tiles.count()) !== 1) await page.reload();
		await expect(tiles).toHaveCount(1, { timeout: 1_000 });
	}).toPass({ timeout: 30_000 });
	await expect(tiles).toContainText('Ideas');
	await expect(tiles.getByTestId('search-match')).toHaveText('remember the quetzalcoatl launch');
	await expect(tiles.getByTestId('search-match').locator('mark')).toHaveText('quetzalcoatl');
	await expect(page.getByTestId('library-summary')).toHaveText('1 canvas matches “quetzal”');
	await page.screenshot({ path: `${SHOTS}/search-results.png` });

	// A title match is found too, and ranked first.
	await search.fill('plan');
	await expect(page).toHaveURL(/\?q=plan$/);
	await expect(tiles).toHaveCount(1);
	await expect(tiles).toContainText('Quarterly plan');

	await search.fill('quetzalcoatl');
	await expect(tiles).toHaveCount(1);
	await expect(tiles).toContainText('Ideas');
	// Down from the box to the first result, Enter opens it.
	await search.press('ArrowDown');
	await expect(tiles.getByRole('link')).toBeFocused();
	await page.keyboard.press('Enter');
	await expect(page.getByRole('heading', { name: 'Ideas' })).toBeVisible();
	await waitForCanvas(page);

	// Back: the search is still there; back again: the library before the search.
	await page.goBack();
	await expect(page).toHaveURL(/\?q=quetzalcoatl$/);
	await expect(search).toHaveValue('quetzalcoatl');
	await expect(tiles).toHaveCount(1);
	await page.goBack();
	await expect(page).toHaveURL(libraryUrl);
	await expect(search).toHaveValue('');
	await expect(tiles).toHaveCount(2);

	// Nothing found says so, and offers the way back; Escape clears the box.
	await search.fill('xylophonic');
	await expect(page.getByTestId('library-empty')).toContainText('No canvases match “xylophonic”');
	await page.screenshot({ path: `${SHOTS}/search-empty.png` });
	await page.setViewportSize(NARROW);
	await page.screenshot({ path: `${SHOTS}/search-empty-narrow.png`, fullPage: true });
	await search.press('Escape');
	await expect(search).toHaveValue('');
	await expect(tiles).toHaveCount(2);
	await search.fill('quetz');
	await expect(tiles).toHaveCount(1);
	await page.screenshot({ path: `${SHOTS}/search-results-narrow.png`, fullPage: true });
});

test('stars stay on top in every sort; folders are made, filled from the card and by dragging, renamed and deleted without losing a canvas', async ({ page }) => {
	await signUpThroughUi(page, 'Felix');
	for (const title of ['Alpha', 'Beta', 'Gamma']) await createCanvasByApi(page, title);
	await page.reload();
	const tiles = page.getByTestId('canvas-tile');
	const tile = (title: string) => tiles.filter({ has: page.getByText(title, { exact: true }) });
	await expect(tiles).toHaveCount(3);

	// Star Alpha: it moves up into Starred, and stays there when sorted by title or by age.
	await tile('Alpha').getByRole('button', { name: 'Star' }).click();
	await expect(tile('Alpha').getByRole('button', { name: 'Star' })).toHaveAttribute('aria-pressed', 'true');
	const starred = page.getByRole('region', { name: 'Starred' });
	await expect(starred.getByTestId('canvas-tile')).toHaveText([/Alpha/]);
	await page.getByLabel('Sort by').selectOption('title');
	await expect(page).toHaveURL(/\?sort=title$/);
	await expect(tiles.locator('.title')).toHaveText(['Alpha', 'Beta', 'Gamma']);
	await tile('Gamma').getByRole('button', { name: 'Star' }).click();
	await expect(starred.getByTestId('canvas-tile').locator('.title')).toHaveText(['Alpha', 'Gamma']);
	await expect(tiles.locator('.title')).toHaveText(['Alpha', 'Gamma', 'Beta']);
	await page.reload();
	await expect(page.getByLabel('Sort by')).toHaveValue('title');
	await expect(tiles.locator('.title')).toHaveText(['Alpha', 'Gamma', 'Beta']);
	await page.getByLabel('Sort by').selectOption('created');
	await expect(tiles.locator('.title')).toHaveText(['Gamma', 'Alpha', 'Beta']);
	await tile('Alpha').getByRole('button', { name: 'Star' }).click();
	await expect(tiles.locator('.title')).toHaveText(['Gamma', 'Beta', 'Alpha']);
	await page.screenshot({ path: `${SHOTS}/stars.png` });

	// A folder: made from the list, opened at once, empty for now.
	const folders = page.getByRole('navigation', { name: 'Folders' });
	await folders.getByRole('button', { name: '+ New folder' }).click();
	await folders.getByLabel('Folder name').fill('Research');
	await folders.getByRole('button', { name: 'Create' }).click();
	await expect(page.getByRole('heading', { name: 'Research', level: 2 })).toBeVisible();
	await expect(page.getByTestId('library-empty')).toContainText('Nothing in Research yet');
	await page.screenshot({ path: `${SHOTS}/folder-empty.png` });
	// The same name again, in other letters, is refused with a message.
	await folders.getByRole('button', { name: '+ New folder' }).click();
	await folders.getByLabel('Folder name').fill('RESEARCH');
	await folders.getByRole('button', { name: 'Create' }).click();
	await expect(page.getByRole('alert')).toHaveText('This team already has a folder called “RESEARCH”. Choose another name.');
	await folders.getByRole('button', { name: 'Cancel' }).click();

	// File Alpha from its card, and drag Beta onto the folder.
	await folders.getByRole('link', { name: /All canvases/ }).click();
	await tile('Alpha').getByRole('button', { name: 'Folder…' }).click();
	const dialog = page.getByRole('dialog', { name: 'Put in a folder' });
	await dialog.getByLabel('Folder').selectOption({ label: 'Research' });
	await page.screenshot({ path: `${SHOTS}/folder-dialog.png` });
	await dialog.getByRole('button', { name: 'Save' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Moved “Alpha” to Research.' })).toBeVisible();
	const research = folders.getByRole('link', { name: /Research/ });
	await expect(research).toContainText('1');
	await tile('Beta').dragTo(research);
	await expect(research).toContainText('2');
	await expect(tile('Beta')).toContainText('Research');
	await page.screenshot({ path: `${SHOTS}/folders.png` });

	await research.click();
	await expect(tiles.locator('.title')).toHaveText(['Gamma', 'Beta', 'Alpha'].filter((title) => title !== 'Gamma'));
	await page.getByRole('button', { name: 'Rename folder' }).click();
	await page.getByRole('textbox', { name: 'Folder name' }).fill('Papers');
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(page.getByRole('heading', { name: 'Papers', level: 2 })).toBeVisible();
	await expect(folders.getByRole('link', { name: /Papers/ })).toBeVisible();

	// Deleting it says its canvases stay, and they do.
	await page.getByRole('button', { name: 'Delete folder' }).click();
	const confirm = page.getByRole('dialog', { name: 'Delete folder?' });
	await expect(confirm).toContainText('Its 2 canvases go back to the top of the library: no canvas is deleted.');
	await page.screenshot({ path: `${SHOTS}/folder-delete.png` });
	await confirm.getByRole('button', { name: 'Delete folder' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Deleted the folder “Papers”. Its 2 canvases are back at the top of the library.' })).toBeVisible();
	await expect(page).not.toHaveURL(/folder=/);
	await expect(folders.getByRole('link', { name: /All canvases/ })).toHaveAttribute('aria-current', 'page');
	await expect(tiles).toHaveCount(3);
	await expect(folders.getByTestId('folder-link')).toHaveCount(0);

	await page.setViewportSize(NARROW);
	await folders.getByRole('button', { name: '+ New folder' }).click();
	await folders.getByLabel('Folder name').fill('Later');
	await folders.getByRole('button', { name: 'Create' }).click();
	await expect(page.getByRole('heading', { name: 'Later', level: 2 })).toBeVisible();
	await folders.getByRole('link', { name: /All canvases/ }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Created the folder' })).toHaveCount(0);
	await page.screenshot({ path: `${SHOTS}/library-narrow.png`, fullPage: true });
});
