// Playwright fixtures: a real production server per spec file, and helpers to sign up through the UI.
import { test as base, expect, type Page } from '@playwright/test';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { uniqueEmail } from '../helpers/unique.ts';

export const PASSWORD = 'a long enough password';

export const test = base.extend<{ baseURL: string }, { server: { current: RunningServer } }>({
	server: [
		async ({}, use) => {
			const holder = { current: await startServer() };
			await use(holder);
			await holder.current.dispose();
		},
		{ scope: 'worker' }
	],
	baseURL: async ({ server }, use) => use(server.current.url)
});

export { expect };

/**
 * The Origin a page's own fetch sends. `page.request` shares the page's session cookie but sends no
 * Origin, and cookie-authenticated API writes need one (the cross-site refusal in hooks.server.ts).
 */
export function sameOrigin(page: Page): { origin: string } {
	return { origin: new URL(page.url()).origin };
}

export async function signUpThroughUi(page: Page, name: string): Promise<{ email: string }> {
	const email = uniqueEmail(name.toLowerCase());
	await page.goto('/signup');
	await page.getByLabel('Name').fill(name);
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill(PASSWORD);
	await page.getByRole('button', { name: 'Create account' }).click();
	await expect(page.getByRole('heading', { name: 'Canvases' })).toBeVisible();
	return { email };
}

export async function signInThroughUi(page: Page, email: string): Promise<void> {
	await page.goto('/login');
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill(PASSWORD);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('heading', { name: 'Canvases' })).toBeVisible();
}

/** Signs out from the header's account menu. */
export async function signOutThroughUi(page: Page): Promise<void> {
	await page.getByLabel(/^Account menu/).click();
	await page.getByRole('button', { name: 'Sign out' }).click();
}

/** Where specs put the screenshots reviewers look at (not committed). */
export const SCREENS = 'test-results/screens';

/** Waits until the canvas on the page is synced and tldraw is showing. */
export async function waitForCanvas(page: Page): Promise<void> {
	await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'connected');
	await expect(page.locator('.tl-canvas')).toBeVisible();
}

/** Shape types on the current tldraw page ('rectangle', 'ellipse', 'text', …), read through the editor the island exposes for tests. */
export async function shapeTypes(page: Page): Promise<string[]> {
	return page.evaluate(() => {
		// The canvas island puts its tldraw Editor on window for end-to-end tests only (typed in TldrawIsland.tsx).
		const editor = window.__easelEditor;
		if (!editor) return [];
		return editor.getCurrentPageShapes().map((shape) => (shape.type === 'geo' ? shape.props.geo : shape.type));
	});
}

/** Whether tldraw considers the canvas read-only (null before the editor exists). */
export async function isReadonly(page: Page): Promise<boolean | null> {
	return page.evaluate(() => {
		const editor = window.__easelEditor;
		return editor ? Boolean(editor.getInstanceState().isReadonly) : null;
	});
}

/** Draws a shape by dragging with a tool's keyboard shortcut ('r' rectangle, 'o' ellipse). */
export async function drawShape(page: Page, tool: 'r' | 'o', from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
	await page.mouse.click(from.x, from.y); // focuses the editor (on an empty spot)
	await page.keyboard.press('Escape');
	await page.keyboard.press(tool);
	await page.mouse.move(from.x, from.y);
	await page.mouse.down();
	await page.mouse.move(to.x, to.y, { steps: 5 });
	await page.mouse.up();
	await page.keyboard.press('Escape');
}
