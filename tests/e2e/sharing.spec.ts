import type { Page } from '@playwright/test';
import { drawShape, expect, isReadonly, SCREENS, shapeTypes, signUpThroughUi, test, waitForCanvas } from './fixtures.ts';

const NARROW = { width: 390, height: 800 };

/** Creates a share link in the open Share dialog and returns its path (`/s/<token>`). */
async function createShareLink(
	page: Page,
	options: { access: 'Can view' | 'Can edit'; audience: 'Anyone with the link' | 'Signed-in team members only'; expiresOn?: string }
): Promise<string> {
	const dialog = page.getByRole('dialog', { name: /^Share/ });
	await dialog.getByRole('radio', { name: options.access }).check();
	await dialog.getByRole('radio', { name: options.audience }).check();
	if (options.expiresOn) await dialog.getByLabel(/^Expires/).fill(options.expiresOn);
	// The previous link may still be on show: wait for a new one, not just for any.
	const shown = dialog.getByLabel('Share link');
	const previous = (await shown.count()) > 0 ? await shown.inputValue() : null;
	await dialog.getByRole('button', { name: 'Create link' }).click();
	await expect(dialog.getByTestId('share-link-created')).toBeVisible();
	await expect.poll(() => shown.inputValue()).not.toBe(previous);
	const url = await shown.inputValue();
	expect(url).toMatch(/\/s\/[A-Za-z0-9_-]{43}$/);
	return new URL(url).pathname;
}

test('share links: view and edit links for guests, team-only links, revoking, and invalid links', async ({ browser }) => {
	const ownerContext = await browser.newContext();
	const owner = await ownerContext.newPage();
	await signUpThroughUi(owner, 'Sam');
	await owner.getByLabel('New canvas title').fill('Shared board');
	await owner.getByRole('button', { name: 'New canvas' }).click();
	await waitForCanvas(owner);
	await drawShape(owner, 'r', { x: 300, y: 250 }, { x: 450, y: 350 });
	await expect.poll(() => shapeTypes(owner)).toContain('rectangle');

	// The dialog starts empty, then creates a view link for anyone.
	await owner.getByRole('button', { name: 'Share', exact: true }).click();
	const dialog = owner.getByRole('dialog', { name: 'Share “Shared board”' });
	await expect(dialog.getByText('No active links.')).toBeVisible();
	await owner.screenshot({ path: `${SCREENS}/share-dialog-empty.png` });
	const viewPath = await createShareLink(owner, { access: 'Can view', audience: 'Anyone with the link' });
	await expect(dialog.getByTestId('share-link-row')).toHaveCount(1);
	await expect(dialog.getByTestId('share-link-row')).toContainText('not used yet');
	await owner.screenshot({ path: `${SCREENS}/share-dialog-created.png` });

	// A signed-out visitor opens it read-only, as a guest.
	const viewerContext = await browser.newContext();
	const viewer = await viewerContext.newPage();
	const viewResponse = await viewer.goto(viewPath);
	expect(viewResponse?.status()).toBe(200);
	await expect(viewer.locator('meta[name="referrer"]')).toHaveAttribute('content', 'no-referrer');
	await waitForCanvas(viewer);
	await expect(viewer.getByRole('heading', { name: 'Shared board' })).toBeVisible();
	await expect(viewer.getByText('View only')).toBeVisible();
	await expect(viewer.getByRole('link', { name: 'Sign in' })).toHaveAttribute('href', `/login?next=${encodeURIComponent(viewPath)}`);
	await expect.poll(() => isReadonly(viewer)).toBe(true);
	await expect.poll(() => shapeTypes(viewer)).toContain('rectangle');
	await viewer.screenshot({ path: `${SCREENS}/share-view-guest.png` });

	// An edit link: the guest draws, and the owner sees the shape and the guest's cursor.
	const editPath = await createShareLink(owner, { access: 'Can edit', audience: 'Anyone with the link' });
	await owner.keyboard.press('Escape');
	await expect(dialog).toBeHidden();
	const editorContext = await browser.newContext();
	const guest = await editorContext.newPage();
	await guest.goto(editPath);
	await waitForCanvas(guest);
	await expect(guest.getByText('View only')).toHaveCount(0);
	await expect.poll(() => isReadonly(guest)).toBe(false);
	await drawShape(guest, 'o', { x: 600, y: 420 }, { x: 700, y: 500 });
	await expect.poll(() => shapeTypes(owner)).toContain('ellipse');
	await guest.mouse.move(500, 300);
	await guest.mouse.move(540, 320, { steps: 4 });
	await expect(owner.locator('.tl-collaborator__cursor').first()).toBeVisible();
	await owner.screenshot({ path: `${SCREENS}/share-guest-cursor.png` });
	await guest.setViewportSize(NARROW);
	await guest.screenshot({ path: `${SCREENS}/share-edit-guest-narrow.png` });

	// A team-only link asks a signed-out visitor to sign in, and turns away signed-in outsiders.
	await owner.getByRole('button', { name: 'Share', exact: true }).click();
	const teamPath = await createShareLink(owner, { access: 'Can edit', audience: 'Signed-in team members only', expiresOn: '2099-12-31' });
	await expect(dialog.getByTestId('share-link-row')).toHaveCount(3);
	await expect(dialog.getByTestId('share-link-row').first()).toContainText('Team members only');
	await expect(dialog.getByTestId('share-link-row').first()).toContainText('expires Dec 31, 2099');
	await expect(dialog.getByTestId('share-link-row').filter({ hasText: 'Can view' })).toContainText('last used');
	await owner.screenshot({ path: `${SCREENS}/share-dialog-links.png` });
	const outsiderContext = await browser.newContext();
	const outsider = await outsiderContext.newPage();
	await outsider.goto(teamPath);
	await expect(outsider.getByRole('heading', { name: 'Sign in to open this canvas' })).toBeVisible();
	await expect(outsider.getByRole('link', { name: 'Sign in' })).toHaveAttribute('href', `/login?next=${encodeURIComponent(teamPath)}`);
	await outsider.screenshot({ path: `${SCREENS}/share-team-only-signed-out.png` });
	await signUpThroughUi(outsider, 'Tess');
	expect((await outsider.goto(teamPath))?.status()).toBe(403);
	await expect(outsider.getByRole('heading', { name: 'This link is for team members' })).toBeVisible();
	await outsider.screenshot({ path: `${SCREENS}/share-team-only-outsider.png` });
	// A member following a link lands on the canvas page itself.
	const memberPage = await ownerContext.newPage();
	await memberPage.goto(teamPath);
	await expect(memberPage).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
	await memberPage.close();

	// Revoking (after a confirmation) closes the guest's open canvas at once.
	const viewRow = dialog.getByTestId('share-link-row').filter({ hasText: 'Can view' });
	await viewRow.getByRole('button', { name: 'Revoke' }).click();
	await expect(viewRow.getByRole('button', { name: 'Revoke link' })).toBeVisible();
	await owner.screenshot({ path: `${SCREENS}/share-dialog-revoke-confirm.png` });
	await viewRow.getByRole('button', { name: 'Revoke link' }).click();
	await expect(dialog.getByTestId('share-link-row')).toHaveCount(2);
	await expect(viewer.getByRole('alert')).toContainText('This link is no longer valid');
	await viewer.screenshot({ path: `${SCREENS}/share-revoked-live.png` });
	const revokedResponse = await viewer.reload();
	expect(revokedResponse?.status()).toBe(410);
	await expect(viewer.getByRole('heading', { name: 'This link is no longer valid' })).toBeVisible();
	await expect(viewer.getByText('expired or was revoked')).toBeVisible();
	await viewer.screenshot({ path: `${SCREENS}/share-revoked.png` });
	await viewer.setViewportSize(NARROW);
	await viewer.screenshot({ path: `${SCREENS}/share-revoked-narrow.png` });

	// An unknown token: 404, same clear page.
	expect((await viewer.goto(`/s/${'A'.repeat(43)}`))?.status()).toBe(404);
	await expect(viewer.getByRole('heading', { name: 'This link is no longer valid' })).toBeVisible();

	// The dialog on a narrow screen.
	await owner.setViewportSize(NARROW);
	await owner.screenshot({ path: `${SCREENS}/share-dialog-narrow.png` });
	await owner.keyboard.press('Escape');
	await owner.screenshot({ path: `${SCREENS}/canvas-owner-narrow.png` });

	for (const context of [ownerContext, viewerContext, editorContext, outsiderContext]) await context.close();
});
