import type { Browser, Page } from '@playwright/test';
import { expect, signInThroughUi, signOutThroughUi, signUpThroughUi, test, waitForCanvas } from './fixtures.ts';

/** Shapes on the current page, read through the editor the canvas exposes for tests. */
async function shapes(page: Page): Promise<{ type: string; text?: string }[]> {
	return page.evaluate(() => {
		// The canvas island puts its tldraw Editor on window for end-to-end tests only (typed in TldrawIsland.tsx).
		const editor = window.__easelEditor;
		if (!editor) return [];
		return editor.getCurrentPageShapes().map((shape) => {
			const text = editor.getShapeUtil(shape).getText?.(shape);
			return { type: shape.type === 'geo' ? shape.props.geo : shape.type, ...(text ? { text } : {}) };
		});
	});
}

/** Puts two screenshots next to each other in one PNG (for the README). */
async function composeSideBySide(browser: Browser, images: Buffer[], path: string) {
	const page = await browser.newPage({ viewport: { width: 1280, height: 400 } });
	const tags = images.map((image) => `<img src="data:image/png;base64,${image.toString('base64')}">`).join('');
	await page.setContent(`<style>body{margin:0;display:flex;gap:8px;background:#d0d5e0}img{width:636px;display:block}</style>${tags}`);
	await page.screenshot({ path, fullPage: true });
	await page.close();
}

test('sign up, create a canvas, draw with a second browser live, and keep it across reload and restart', async ({ browser, server }) => {
	const alice = await browser.newContext();
	const page = await alice.newPage();
	const { email } = await signUpThroughUi(page, 'Alice');
	await expect(page.getByText('Create your first canvas')).toBeVisible();

	await page.getByLabel('New canvas title').fill('System sketch');
	await page.getByRole('button', { name: 'New canvas' }).click();
	await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
	const canvasUrl = page.url();
	await waitForCanvas(page);
	await expect(page.getByRole('heading', { name: 'System sketch' })).toBeVisible();

	// Draw a rectangle with the rectangle tool.
	await page.locator('.tl-canvas').click({ position: { x: 600, y: 500 } });
	await page.keyboard.press('r');
	await page.mouse.move(300, 250);
	await page.mouse.down();
	await page.mouse.move(450, 350, { steps: 5 });
	await page.mouse.up();
	// Type some text with the text tool.
	await page.keyboard.press('Escape');
	await page.keyboard.press('t');
	await page.mouse.click(700, 300);
	await page.keyboard.type('Hello Easel');
	await page.keyboard.press('Escape');
	await expect.poll(() => shapes(page)).toEqual(expect.arrayContaining([{ type: 'rectangle' }, expect.objectContaining({ type: 'text' })]));

	// A second browser, same team (same account), sees it live.
	const bobContext = await browser.newContext();
	const bob = await bobContext.newPage();
	await signInThroughUi(bob, email);
	await bob.goto(canvasUrl);
	await waitForCanvas(bob);
	await expect.poll(() => shapes(bob)).toEqual(expect.arrayContaining([{ type: 'rectangle' }, { type: 'text', text: 'Hello Easel' }]));

	// Live: a new shape drawn by Alice shows up for Bob without reload.
	await page.keyboard.press('o');
	await page.mouse.move(300, 450);
	await page.mouse.down();
	await page.mouse.move(380, 520, { steps: 5 });
	await page.mouse.up();
	await expect.poll(() => shapes(bob)).toEqual(expect.arrayContaining([{ type: 'ellipse' }]));

	// Bob's cursor, with his name, appears on Alice's screen.
	await bob.mouse.move(500, 420);
	await bob.mouse.move(520, 430, { steps: 4 });
	await expect(page.locator('.tl-collaborator__cursor').first()).toBeVisible();
	await page.mouse.move(640, 380);
	await expect(bob.locator('.tl-collaborator__cursor').first()).toBeVisible();
	await composeSideBySide(browser, [await page.screenshot(), await bob.screenshot()], process.env.README_SCREENSHOT ?? 'test-results/screens/two-cursors.png');

	// Bob goes offline, keeps drawing; his edit is kept and merges when he is back.
	await bobContext.setOffline(true);
	await expect(bob.getByTestId('connection-status')).toHaveAttribute('data-status', /reconnecting|offline/);
	await bob.locator('.tl-canvas').click({ position: { x: 900, y: 600 } });
	await bob.keyboard.press('Escape');
	await bob.keyboard.press('r');
	await bob.mouse.move(800, 550);
	await bob.mouse.down();
	await bob.mouse.move(900, 620, { steps: 5 });
	await bob.mouse.up();
	await expect.poll(async () => (await shapes(bob)).filter((shape) => shape.type === 'rectangle').length).toBe(2);
	await expect.poll(async () => (await shapes(page)).length).toBe(3);
	await bobContext.setOffline(false);
	await expect(bob.getByTestId('connection-status')).toHaveAttribute('data-status', 'connected', { timeout: 30_000 });
	await expect.poll(async () => (await shapes(page)).filter((shape) => shape.type === 'rectangle').length, { timeout: 30_000 }).toBe(2);

	// Reload keeps everything.
	await page.reload();
	await waitForCanvas(page);
	await expect.poll(async () => (await shapes(page)).length).toBe(4);

	// Restart the server: still there.
	await bobContext.close();
	await page.close();
	expect(await server.current.stop('SIGTERM')).toBe(0);
	server.current = await server.current.restart();
	const again = await alice.newPage();
	await again.goto(canvasUrl);
	await waitForCanvas(again);
	await expect.poll(() => shapes(again)).toEqual(expect.arrayContaining([{ type: 'rectangle' }, { type: 'ellipse' }, { type: 'text', text: 'Hello Easel' }]));
	expect(await shapes(again)).toHaveLength(4);
	await alice.close();
});

test('signed-out visitors are sent to sign in, and come back after', async ({ browser }) => {
	const owner = await browser.newContext();
	const page = await owner.newPage();
	const { email } = await signUpThroughUi(page, 'Owner');
	await page.getByRole('button', { name: 'New canvas' }).click();
	await expect(page).toHaveURL(/\/c\//);
	const canvasUrl = page.url();

	const stranger = await browser.newContext();
	const visitor = await stranger.newPage();
	await visitor.goto(canvasUrl);
	await expect(visitor).toHaveURL(/\/login\?next=/);
	await visitor.getByLabel('Email').fill(email);
	await visitor.getByLabel('Password').fill('a long enough password');
	await visitor.getByRole('button', { name: 'Sign in' }).click();
	await expect(visitor).toHaveURL(canvasUrl);

	// Signing out ends access.
	await visitor.goto('/');
	await signOutThroughUi(visitor);
	await expect(visitor).toHaveURL(/\/login$/);
	await visitor.goto(canvasUrl);
	await expect(visitor).toHaveURL(/\/login\?next=/);
	await owner.close();
	await stranger.close();
});
