import type { Page } from '@playwright/test';
import { expect, signInThroughUi, signUpThroughUi, test } from './fixtures.ts';

/** Shapes on the current page, read through the editor the canvas exposes for tests. */
async function shapes(page: Page): Promise<{ type: string; text?: string }[]> {
	return page.evaluate(() => {
		// reason: the canvas island puts its tldraw Editor on window for end-to-end tests only.
		const editor = (window as unknown as { __easelEditor?: any }).__easelEditor;
		if (!editor) return [];
		return editor.getCurrentPageShapes().map((shape: any) => ({
			type: shape.type === 'geo' ? shape.props.geo : shape.type,
			text: shape.props.richText ? editor.getShapeUtil(shape).getText?.(shape) : undefined
		}));
	});
}

async function waitForCanvas(page: Page) {
	await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'connected');
	await expect(page.locator('.tl-canvas')).toBeVisible();
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
	await page.screenshot({ path: 'docs/screenshot.png' });

	// Reload keeps everything.
	await page.reload();
	await waitForCanvas(page);
	await expect.poll(async () => (await shapes(page)).length).toBe(3);

	// Restart the server: still there.
	await bobContext.close();
	await page.close();
	expect(await server.current.stop('SIGTERM')).toBe(0);
	server.current = await server.current.restart();
	const again = await alice.newPage();
	await again.goto(canvasUrl);
	await waitForCanvas(again);
	await expect.poll(() => shapes(again)).toEqual(expect.arrayContaining([{ type: 'rectangle' }, { type: 'ellipse' }, { type: 'text', text: 'Hello Easel' }]));
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
	await visitor.getByRole('button', { name: 'Sign out' }).click();
	await expect(visitor).toHaveURL(/\/login$/);
	await visitor.goto(canvasUrl);
	await expect(visitor).toHaveURL(/\/login\?next=/);
	await owner.close();
	await stranger.close();
});
