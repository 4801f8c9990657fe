// Kind and technology by hand: the context menu of a drawn box writes `meta.kind` / `meta.technology`
// as one undoable edit that a second browser sees live and a reload keeps; viewers get no such items.
import type { Page } from '@playwright/test';
import { drawShape, expect, isReadonly, SCREENS, sameOrigin, signInThroughUi, signUpThroughUi, test, waitForCanvas } from './fixtures.ts';

const NARROW = { width: 390, height: 800 };

/** The `meta` of the only rectangle on the page, read through the editor the canvas exposes for tests. */
async function rectangleMeta(page: Page): Promise<Record<string, unknown> | null> {
	return page.evaluate(() => {
		const rectangle = window.__easelEditor?.getCurrentPageShapes().find((shape) => shape.type === 'geo');
		return rectangle ? { ...rectangle.meta } : null;
	});
}

/** Right-clicks the middle of the rectangle, wherever the camera has it. */
async function rightClickRectangle(page: Page): Promise<void> {
	const point = await page.evaluate(() => {
		const editor = window.__easelEditor!;
		const rectangle = editor.getCurrentPageShapes().find((shape) => shape.type === 'geo')!;
		return editor.pageToScreen(editor.getShapePageBounds(rectangle)!.center);
	});
	await page.mouse.click(point.x, point.y, { button: 'right' });
	await expect(page.getByRole('menu')).toBeVisible();
}

async function openKindMenu(page: Page): Promise<void> {
	await rightClickRectangle(page);
	await page.getByTestId('context-menu-sub.easel-node-kind-button').click();
	await expect(page.getByTestId('context-menu-sub.easel-node-kind-content')).toBeVisible();
}

test('set a drawn box’s kind and technology from its context menu: live in a second browser, undoable, kept on reload, absent for viewers', async ({ browser }) => {
	const aliceContext = await browser.newContext();
	const alice = await aliceContext.newPage();
	const { email } = await signUpThroughUi(alice, 'Alice');
	await alice.getByLabel('New canvas title').fill('Hand-drawn system');
	await alice.getByRole('button', { name: 'New canvas' }).click();
	await waitForCanvas(alice);
	const canvasUrl = alice.url();
	const canvasId = canvasUrl.split('/').pop()!;
	await drawShape(alice, 'r', { x: 300, y: 250 }, { x: 480, y: 360 });
	await expect.poll(() => rectangleMeta(alice)).toEqual({});

	const bobContext = await browser.newContext();
	const bob = await bobContext.newPage();
	await signInThroughUi(bob, email);
	await bob.goto(canvasUrl);
	await waitForCanvas(bob);

	// Kind ▸ lists the kinds with "None (automatic)" checked, then Database sets it.
	await openKindMenu(alice);
	const automatic = alice.getByRole('menuitemcheckbox', { name: 'None (automatic)' });
	await expect(automatic).toHaveAttribute('aria-checked', 'true');
	await expect(alice.getByRole('menuitemcheckbox', { name: 'Database' })).toHaveAttribute('aria-checked', 'false');
	await alice.screenshot({ path: `${SCREENS}/node-kind-menu.png` });
	await alice.getByRole('menuitemcheckbox', { name: 'Database' }).click();
	await expect.poll(() => rectangleMeta(alice)).toEqual({ kind: 'database' });
	await expect.poll(() => rectangleMeta(bob)).toEqual({ kind: 'database' });

	// The menu shows the current kind; Technology… offers the catalog as you type.
	await openKindMenu(alice);
	await expect(alice.getByTestId('context-menu-sub.easel-node-kind-button')).toContainText('Kind: Database');
	await expect(alice.getByRole('menuitemcheckbox', { name: 'Database' })).toHaveAttribute('aria-checked', 'true');
	await alice.keyboard.press('Escape');
	await alice.keyboard.press('Escape');
	await rightClickRectangle(alice);
	await alice.getByRole('menuitem', { name: 'Technology…' }).click();
	const dialog = alice.getByRole('dialog');
	await expect(dialog.getByText('Technology', { exact: true })).toBeVisible();
	await dialog.getByTestId('easel-technology-input').fill('Mainframe');
	await expect(dialog.getByText('Not in the catalog; kept as written.')).toBeVisible();
	await dialog.getByTestId('easel-technology-input').fill('postg');
	await expect(dialog.getByRole('button', { name: /PostgreSQL/ })).toBeVisible();
	await alice.screenshot({ path: `${SCREENS}/node-technology-dialog.png` });
	await dialog.getByRole('button', { name: /PostgreSQL/ }).click();
	await expect(dialog).toBeHidden();
	await expect.poll(() => rectangleMeta(alice)).toEqual({ kind: 'database', technology: 'PostgreSQL' });
	await expect.poll(() => rectangleMeta(bob)).toEqual({ kind: 'database', technology: 'PostgreSQL' });

	// One change, one undo: the technology goes, the kind stays; redo brings it back.
	await alice.keyboard.press('ControlOrMeta+z');
	await expect.poll(() => rectangleMeta(alice)).toEqual({ kind: 'database' });
	await expect.poll(() => rectangleMeta(bob)).toEqual({ kind: 'database' });
	await alice.keyboard.press('ControlOrMeta+Shift+z');
	await expect.poll(() => rectangleMeta(bob)).toEqual({ kind: 'database', technology: 'PostgreSQL' });

	// Kept by the server: a reload reads it back, and the menu shows it.
	await bob.reload();
	await waitForCanvas(bob);
	await expect.poll(() => rectangleMeta(bob)).toEqual({ kind: 'database', technology: 'PostgreSQL' });
	await rightClickRectangle(bob);
	await expect(bob.getByRole('menuitem', { name: 'Technology: PostgreSQL…' })).toBeVisible();
	await bob.keyboard.press('Escape');

	// Clearing from the dialog removes the key (not an empty string), and "None (automatic)" removes the kind.
	await rightClickRectangle(bob);
	await bob.getByRole('menuitem', { name: 'Technology: PostgreSQL…' }).click();
	await bob.getByRole('dialog').getByRole('button', { name: 'Clear' }).click();
	await expect.poll(() => rectangleMeta(alice)).toEqual({ kind: 'database' });
	await openKindMenu(bob);
	await bob.getByRole('menuitemcheckbox', { name: 'None (automatic)' }).click();
	await expect.poll(() => rectangleMeta(alice)).toEqual({});

	// A viewer (view link) sees the box but no kind or technology items.
	const link = await alice.request.post(`/api/v1/canvases/${canvasId}/share-links`, {
		headers: sameOrigin(alice),
		data: { access: 'view', audience: 'anyone' }
	});
	expect(link.status()).toBe(201);
	const { url } = (await link.json()) as { url: string };
	const viewerContext = await browser.newContext();
	const viewer = await viewerContext.newPage();
	await viewer.goto(new URL(url).pathname);
	await waitForCanvas(viewer);
	await expect.poll(() => isReadonly(viewer)).toBe(true);
	await expect.poll(() => rectangleMeta(viewer)).toEqual({});
	await rightClickRectangle(viewer);
	await expect(viewer.getByTestId('context-menu-sub.easel-node-kind-button')).toHaveCount(0);
	await expect(viewer.getByRole('menuitem', { name: /^Technology/ })).toHaveCount(0);

	await Promise.all([aliceContext.close(), bobContext.close(), viewerContext.close()]);
});

test('the kind menu and the technology dialog fit a 390 px window', async ({ browser }) => {
	const context = await browser.newContext({ viewport: NARROW });
	const page = await context.newPage();
	await signUpThroughUi(page, 'Nadia');
	await page.getByLabel('New canvas title').fill('Narrow sketch');
	await page.getByRole('button', { name: 'New canvas' }).click();
	await waitForCanvas(page);
	await drawShape(page, 'r', { x: 80, y: 250 }, { x: 220, y: 340 });
	await page.evaluate(() => {
		const editor = window.__easelEditor!;
		const rectangle = editor.getCurrentPageShapes().find((shape) => shape.type === 'geo')!;
		editor.updateShape({
			id: rectangle.id,
			type: 'geo',
			props: { richText: { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Orders DB' }] }] } }
		});
	});
	await openKindMenu(page);
	// The label says "DB": the automatic kind is a guess from it, and the menu says which.
	await expect(page.getByRole('menuitemcheckbox', { name: 'Auto (Database)' })).toHaveAttribute('aria-checked', 'true');
	const menu = page.getByTestId('context-menu-sub.easel-node-kind-content');
	const box = (await menu.boundingBox())!;
	expect(box.x).toBeGreaterThanOrEqual(0);
	expect(box.x + box.width).toBeLessThanOrEqual(NARROW.width);
	await page.screenshot({ path: `${SCREENS}/node-kind-menu-narrow.png` });
	await page.keyboard.press('Escape');
	await page.keyboard.press('Escape');
	await rightClickRectangle(page);
	await page.getByRole('menuitem', { name: 'Technology…' }).click();
	const dialog = page.getByRole('dialog');
	await dialog.getByTestId('easel-technology-input').fill('Redis');
	await expect(dialog.getByText('Known: Redis, a cache.')).toBeVisible();
	const dialogBox = (await dialog.boundingBox())!;
	expect(dialogBox.x + dialogBox.width).toBeLessThanOrEqual(NARROW.width);
	await page.screenshot({ path: `${SCREENS}/node-technology-dialog-narrow.png` });
	await dialog.getByTestId('easel-technology-input').press('Enter');
	await expect.poll(() => rectangleMeta(page)).toEqual({ technology: 'Redis' });
	await context.close();
});
