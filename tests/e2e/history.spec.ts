// Version history on the canvas page: save, preview (read-only, private), restore seen live by others, locked versions.
import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { drawShape, expect, SCREENS, shapeTypes, signInThroughUi, signUpThroughUi, test, waitForCanvas, sameOrigin } from './fixtures.ts';

mkdirSync(SCREENS, { recursive: true });

/** Shape types shown by the version preview's own (unsynced) editor. */
async function previewShapeTypes(page: Page): Promise<string[] | null> {
	return page.evaluate(() => {
		// The preview island puts its tldraw Editor on window for end-to-end tests only (typed in VersionPreviewIsland.tsx).
		const editor = window.__easelPreviewEditor;
		if (!editor) return null;
		return editor.getCurrentPageShapes().map((shape) => (shape.type === 'geo' ? shape.props.geo : shape.type));
	});
}

async function createCanvas(page: Page, title: string): Promise<{ id: string; teamId: string }> {
	const response = await page.request.post('/api/v1/canvases', { data: { title }, headers: sameOrigin(page) });
	expect(response.status()).toBe(201);
	return (await response.json()) as { id: string; teamId: string };
}

test('save a version, preview it privately, restore it live for a second browser', async ({ browser }) => {
	const aliceContext = await browser.newContext();
	const alice = await aliceContext.newPage();
	const { email } = await signUpThroughUi(alice, 'Alice');
	const canvas = await createCanvas(alice, 'Roadmap');
	await alice.goto(`/c/${canvas.id}`);
	await waitForCanvas(alice);

	await drawShape(alice, 'r', { x: 300, y: 250 }, { x: 450, y: 350 });
	await expect.poll(() => shapeTypes(alice)).toEqual(['rectangle']);

	// Open the panel (the server may or may not have kept an automatic version yet); save a named one.
	await alice.getByRole('button', { name: 'History' }).click();
	const panel = alice.getByTestId('history-panel');
	await expect(panel).toBeVisible();
	await expect(panel.getByText('The Free plan keeps 7 days of history.')).toBeVisible();
	await expect(panel.getByText('Loading versions…')).toHaveCount(0);
	await alice.screenshot({ path: `${SCREENS}/history-panel.png` });
	await panel.getByLabel('Version name').fill('Just the box');
	await panel.getByRole('button', { name: 'Save version' }).click();
	await expect(panel.getByText('Saved “Just the box”.')).toBeVisible();
	const boxVersion = panel.getByTestId('version-item').filter({ hasText: 'Just the box' });
	await expect(boxVersion).toContainText('You');
	await expect(boxVersion).toContainText('Named');

	// More work after the version, seen by a second browser (same account, another device).
	await drawShape(alice, 'o', { x: 550, y: 250 }, { x: 650, y: 350 });
	await expect.poll(async () => (await shapeTypes(alice)).sort()).toEqual(['ellipse', 'rectangle']);
	const bobContext = await browser.newContext();
	const bob = await bobContext.newPage();
	await signInThroughUi(bob, email);
	await bob.goto(`/c/${canvas.id}`);
	await waitForCanvas(bob);
	await expect.poll(async () => (await shapeTypes(bob)).sort()).toEqual(['ellipse', 'rectangle']);

	// Preview: the old version replaces the view for Alice only; nothing changes for Bob or the live document.
	await panel.getByRole('button', { name: /Just the box/ }).click();
	await expect(alice.getByTestId('preview-banner')).toContainText('Previewing Just the box');
	await expect.poll(() => previewShapeTypes(alice)).toEqual(['rectangle']);
	await alice.waitForTimeout(300);
	await alice.screenshot({ path: `${SCREENS}/history-preview.png` });
	await expect.poll(async () => (await shapeTypes(bob)).sort()).toEqual(['ellipse', 'rectangle']);
	await expect.poll(async () => (await shapeTypes(alice)).sort()).toEqual(['ellipse', 'rectangle']);
	const readonly = await alice.evaluate(() => window.__easelPreviewEditor?.getInstanceState().isReadonly);
	expect(readonly).toBe(true);

	// Back to live, then restore from the preview banner with a confirmation.
	await alice.getByRole('button', { name: 'Back to live' }).click();
	await expect(alice.getByTestId('version-preview')).toHaveCount(0);
	await panel.getByRole('button', { name: /Just the box/ }).click();
	await alice.getByRole('button', { name: 'Restore this version' }).click();
	const dialog = alice.getByRole('dialog', { name: 'Restore this version?' });
	await expect(dialog).toBeVisible();
	await alice.screenshot({ path: `${SCREENS}/history-restore-confirm.png` });
	await dialog.getByRole('button', { name: 'Restore version' }).click();

	// Bob's canvas changes live; Alice is back on the live canvas with the restore in the list.
	await expect.poll(() => shapeTypes(bob)).toEqual(['rectangle']);
	await expect.poll(() => shapeTypes(alice)).toEqual(['rectangle']);
	await expect(alice.getByTestId('preview-banner')).toHaveCount(0);
	await expect(panel.getByText(/Restored “Just the box”/).first()).toBeVisible();
	await expect(panel.getByRole('button', { name: /Before restore/ })).toBeVisible();
	await alice.screenshot({ path: `${SCREENS}/history-restored.png` });

	// Undo the restore by restoring "Before restore" from the list.
	await panel.getByTestId('version-item').filter({ hasText: 'Before restore' }).getByRole('button', { name: 'Restore', exact: true }).click();
	await alice.getByRole('dialog', { name: 'Restore this version?' }).getByRole('button', { name: 'Restore version' }).click();
	await expect.poll(async () => (await shapeTypes(bob)).sort()).toEqual(['ellipse', 'rectangle']);

	// Owners rename and delete named versions.
	const named = panel.getByTestId('version-item').filter({ hasText: 'Just the box' });
	await named.getByRole('button', { name: 'Rename', exact: true }).click();
	await panel.getByLabel('New version name').fill('First sketch');
	await panel.getByRole('button', { name: 'Save', exact: true }).click();
	await expect(panel.getByRole('button', { name: /First sketch/ })).toBeVisible();
	await panel.getByTestId('version-item').filter({ hasText: 'First sketch' }).getByRole('button', { name: 'Delete', exact: true }).click();
	await alice.getByRole('dialog', { name: 'Delete this version?' }).getByRole('button', { name: 'Delete version' }).click();
	await expect(panel.getByRole('button', { name: /First sketch/ })).toHaveCount(0);

	// Phone width: the panel covers the canvas and the preview banner still fits.
	await alice.setViewportSize({ width: 390, height: 760 });
	await panel.getByTestId('version-item').first().getByRole('button').first().click();
	await expect(alice.getByTestId('preview-banner')).toBeVisible();
	await expect.poll(() => previewShapeTypes(alice)).not.toBeNull();
	await alice.waitForTimeout(300);
	await alice.screenshot({ path: `${SCREENS}/history-preview-390.png` });
	await alice.getByRole('button', { name: 'Back to live' }).click();
	// On a phone History sits behind the header's More menu.
	await alice.getByLabel('More actions').click();
	await alice.getByRole('menuitem', { name: 'History' }).click();
	await alice.screenshot({ path: `${SCREENS}/history-panel-390.png` });

	await aliceContext.close();
	await bobContext.close();
});

test('versions older than the plan keeps are listed locked with an upgrade prompt', async ({ browser }) => {
	const context = await browser.newContext();
	const page = await context.newPage();
	await signUpThroughUi(page, 'Olga');
	const canvas = await createCanvas(page, 'Archive');
	await page.goto(`/c/${canvas.id}`);
	await waitForCanvas(page);
	const saved = await page.request.post(`/api/v1/canvases/${canvas.id}/versions`, { data: { label: 'Kickoff' }, headers: sameOrigin(page) });
	expect(saved.status()).toBe(201);

	// An end-to-end test cannot age a version in the database, so the list answer is the server's
	// own, with the one version marked as the server marks versions past a Free team's 7 days.
	await page.route(`**/api/v1/canvases/${canvas.id}/versions`, async (route) => {
		if (route.request().method() !== 'GET') return route.continue();
		const response = await route.fetch();
		const body = (await response.json()) as { versions: { locked: boolean; createdAt: string }[]; historyDays: number };
		expect(body.historyDays).toBe(7);
		body.versions = body.versions.map((version) => ({ ...version, locked: true, createdAt: new Date(Date.now() - 9 * 86_400_000).toISOString() }));
		await route.fulfill({ response, json: body });
	});
	await page.getByRole('button', { name: 'History' }).click();
	const panel = page.getByTestId('history-panel');
	const locked = panel.getByTestId('version-item').filter({ hasText: 'Kickoff' });
	await expect(locked).toContainText('Locked');
	await expect(locked.getByRole('button', { name: /Kickoff/ })).toBeDisabled();
	await expect(locked.getByRole('button', { name: 'Restore', exact: true })).toHaveCount(0);
	const prompt = panel.getByTestId('history-upgrade');
	await expect(prompt).toContainText('Upgrade to Pro to open versions older than 7 days.');
	await expect(prompt.getByRole('link', { name: 'See plans' })).toHaveAttribute('href', `/teams/${canvas.teamId}/billing`);
	await page.screenshot({ path: `${SCREENS}/history-locked.png` });
	await context.close();
});
