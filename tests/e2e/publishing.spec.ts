import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { drawShape, expect, SCREENS, sameOrigin, shapeTypes, signUpThroughUi, test, waitForCanvas } from './fixtures.ts';

const NARROW = { width: 390, height: 844 };

/** Shape types in the published page's read-only viewer (its editor is on window for tests only). */
function viewerShapes(page: Page): Promise<string[]> {
	return page.evaluate(() => {
		const editor = window.__easelPublishedEditor;
		return editor ? editor.getCurrentPageShapes().map((shape) => (shape.type === 'geo' ? (shape.props as { geo: string }).geo : shape.type)) : [];
	});
}

async function newCanvas(page: Page, title: string): Promise<string> {
	await page.getByLabel('New canvas title').fill(title);
	await page.getByRole('button', { name: 'New canvas' }).click();
	await waitForCanvas(page);
	return new URL(page.url()).pathname.split('/').at(-1)!;
}

test('publish from the canvas page, open it signed out and read-only, then unpublish', async ({ browser }) => {
	const ownerContext = await browser.newContext();
	const owner = await ownerContext.newPage();
	await signUpThroughUi(owner, 'Paula');
	const canvasId = await newCanvas(owner, 'Request flow');
	await drawShape(owner, 'r', { x: 320, y: 260 }, { x: 500, y: 380 });
	await drawShape(owner, 'o', { x: 620, y: 280 }, { x: 760, y: 400 });
	await expect.poll(() => shapeTypes(owner)).toEqual(expect.arrayContaining(['rectangle', 'ellipse']));

	await owner.getByRole('button', { name: 'Publish', exact: true }).click();
	// Its title turns from "Publish …" to "Published …" once it is.
	const dialog = owner.getByRole('dialog', { name: /^Publish(ed)? “Request flow”$/ });
	await expect(dialog.getByLabel('Title')).toHaveValue('Request flow');
	await dialog.getByLabel('Title').fill('How a request flows');
	await dialog.getByLabel(/^Description/).fill('From the load balancer to the database, drawn for new colleagues.');
	await dialog.getByLabel(/^Tags/).fill('architecture, onboarding');
	await owner.screenshot({ path: `${SCREENS}/publish-dialog.png` });
	await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
	await expect(dialog.getByRole('status').filter({ hasText: 'Published. Anyone with the link' })).toBeVisible();
	const publicUrl = await dialog.getByLabel('Public link').inputValue();
	const path = new URL(publicUrl).pathname;
	expect(path).toMatch(/^\/p\/how-a-request-flows-[a-z2-9]{6}$/);
	await expect(dialog.getByTestId('publication-meta')).toContainText('0 views · remixed 0 times');
	// The browser renders the picture with tldraw's exporter and uploads it.
	await expect
		.poll(async () => (await (await owner.request.get(`/api/v1/canvases/${canvasId}/publication`)).json()).publication.hasPreview, { timeout: 30_000 })
		.toBe(true);
	await expect(dialog.getByText('Making the preview picture…')).toHaveCount(0);
	await owner.screenshot({ path: `${SCREENS}/publish-dialog-published.png` });
	await owner.keyboard.press('Escape');
	await expect(owner.getByRole('button', { name: 'Published', exact: true })).toBeVisible();
	await owner.setViewportSize(NARROW);
	await owner.screenshot({ path: `${SCREENS}/publish-canvas-narrow.png` });
	await owner.setViewportSize({ width: 1280, height: 800 });

	// Later edits stay private until someone republishes.
	await drawShape(owner, 'r', { x: 400, y: 500 }, { x: 480, y: 560 });
	await expect.poll(async () => (await shapeTypes(owner)).length).toBe(3);

	// A signed-out visitor: the page, its picture, then the read-only viewer, over HTTP only.
	const visitorContext = await browser.newContext();
	const visitor = await visitorContext.newPage();
	const sockets: string[] = [];
	visitor.on('websocket', (socket) => sockets.push(socket.url()));
	const response = await visitor.goto(path);
	expect(response?.status()).toBe(200);
	await expect(visitor.getByRole('heading', { name: 'How a request flows' })).toBeVisible();
	await expect(visitor.getByText('by Paula')).toBeVisible();
	await expect(visitor.getByText('From the load balancer to the database')).toBeVisible();
	await expect(visitor.getByRole('link', { name: '#architecture' })).toBeVisible();
	await expect(visitor.getByRole('link', { name: 'Sign in to remix' })).toHaveAttribute('href', `/login?next=${encodeURIComponent(path)}`);
	const preview = await visitor.request.get(`${path}/preview`);
	expect(preview.headers()['content-type']).toBe('image/png');
	expect((await preview.body()).byteLength).toBeGreaterThan(5000); // a real picture, not the flat placeholder
	writeFileSync(`${SCREENS}/published-preview.png`, await preview.body());
	await expect(visitor.getByTestId('published-viewer')).toHaveAttribute('data-state', 'ready');
	await expect.poll(() => viewerShapes(visitor)).toEqual(expect.arrayContaining(['rectangle', 'ellipse']));
	expect(await viewerShapes(visitor)).toHaveLength(2); // the edit after publishing is not there
	expect(await visitor.evaluate(() => window.__easelPublishedEditor?.getInstanceState().isReadonly)).toBe(true);
	await visitor.screenshot({ path: `${SCREENS}/published-page.png`, fullPage: true });

	// Selecting works; deleting, typing and drawing do nothing.
	const center = await visitor.evaluate(() => {
		const editor = window.__easelPublishedEditor!;
		const rectangle = editor.getCurrentPageShapes().find((shape) => shape.type === 'geo' && (shape.props as { geo: string }).geo === 'rectangle')!;
		const bounds = editor.getShapePageBounds(rectangle)!;
		return editor.pageToScreen({ x: bounds.midX, y: bounds.midY });
	});
	await visitor.mouse.click(center.x, center.y);
	await expect.poll(() => visitor.evaluate(() => window.__easelPublishedEditor!.getSelectedShapeIds().length)).toBe(1);
	await visitor.keyboard.press('Delete');
	await visitor.keyboard.press('Backspace');
	await visitor.keyboard.press('Enter');
	await visitor.keyboard.type('typed text');
	await visitor.keyboard.press('Escape');
	await visitor.keyboard.press('r');
	await visitor.mouse.move(center.x + 150, center.y + 120);
	await visitor.mouse.down();
	await visitor.mouse.move(center.x + 250, center.y + 200, { steps: 5 });
	await visitor.mouse.up();
	expect(await viewerShapes(visitor)).toHaveLength(2);
	expect(await visitor.evaluate(() => JSON.stringify(window.__easelPublishedEditor!.getCurrentPageShapes().map((shape) => shape.props)))).not.toContain('typed text');
	expect(sockets).toEqual([]);

	await visitor.setViewportSize(NARROW);
	await visitor.reload();
	await expect(visitor.getByTestId('published-viewer')).toHaveAttribute('data-state', 'ready');
	await visitor.screenshot({ path: `${SCREENS}/published-page-narrow.png`, fullPage: true });

	// Without JavaScript the page still shows what it is, with its picture.
	const noScript = await browser.newContext({ javaScriptEnabled: false });
	const plain = await noScript.newPage();
	await plain.goto(path);
	await expect(plain.getByRole('heading', { name: 'How a request flows' })).toBeVisible();
	await expect(plain.getByRole('img', { name: 'Picture of “How a request flows”' })).toBeVisible();
	await plain.screenshot({ path: `${SCREENS}/published-page-no-js.png` });
	await noScript.close();

	// Unpublish: the page is gone at once.
	await owner.getByRole('button', { name: 'Published', exact: true }).click();
	await expect(owner.getByRole('dialog', { name: 'Published “Request flow”' })).toBeVisible();
	await dialog.getByRole('button', { name: 'Unpublish' }).click();
	await dialog.getByRole('button', { name: 'Unpublish' }).click();
	await expect(dialog.getByText('Unpublished. The public page is gone')).toBeVisible();
	// Reloading revalidates (a plain revisit may use the browser's copy for up to the page's minute of max-age).
	const gone = await visitor.reload();
	expect(gone?.status()).toBe(404);
	await expect(visitor.getByTestId('publication-missing')).toContainText('This canvas is not published');
	await visitorContext.close();

	// Who may publish is the team's choice (owners and admins make it).
	const { teams } = (await (await owner.request.get('/api/v1/me')).json()) as { teams: { id: string }[] };
	await owner.goto(`/teams/${teams[0].id}/settings`);
	await owner.getByRole('radio', { name: 'Admins and owners only' }).check();
	await owner.getByRole('button', { name: 'Save', exact: true }).click();
	await expect(owner.getByText('Saved: only admins and owners may publish.')).toBeVisible();
	await owner.getByRole('region', { name: 'Publishing' }).screenshot({ path: `${SCREENS}/team-publishing-setting.png` });
	await ownerContext.close();
});

test('an instance administrator hides a reported canvas; its team sees why', async ({ browser, server }) => {
	const teamContext = await browser.newContext();
	const member = await teamContext.newPage();
	await signUpThroughUi(member, 'Teo');
	const canvasId = await newCanvas(member, 'Team board');
	await drawShape(member, 'r', { x: 320, y: 260 }, { x: 500, y: 380 });
	await expect.poll(() => shapeTypes(member)).toContain('rectangle');
	const published = await member.request.post(`/api/v1/canvases/${canvasId}/publication`, { data: { title: 'Team board', tags: ['demo'] }, headers: sameOrigin(member) });
	expect(published.status()).toBe(201);
	const { id, slug } = (await published.json()).publication;

	// Someone reports it through the form on the page.
	const reporterContext = await browser.newContext();
	const reporter = await reporterContext.newPage();
	await reporter.goto(`/p/${slug}`);
	await reporter.getByText('Report this canvas').click();
	await reporter.getByLabel('What is wrong with it?').fill('This board advertises a scam.');
	await reporter.getByRole('button', { name: 'Send report' }).click();
	await expect(reporter.getByText('Thank you. The moderators will look at it.')).toBeVisible();
	await reporterContext.close();

	const adminContext = await browser.newContext();
	const admin = await adminContext.newPage();
	const { email } = await signUpThroughUi(admin, 'Mo');
	expect((await admin.goto('/admin/moderation'))?.status()).toBe(404);
	// The operator makes them an administrator (the embedded database is one process: Easel stops meanwhile).
	expect(await server.current.stop('SIGTERM')).toBe(0);
	const made = spawnSync(process.execPath, ['server/admin.ts', 'make-admin', email], { env: { ...process.env, DATA_DIR: server.current.dataDir }, encoding: 'utf8' });
	expect(made.status, made.stderr).toBe(0);
	server.current = await server.current.restart();

	await admin.goto('/admin/moderation');
	const item = admin.getByTestId('moderation-item').filter({ hasText: 'Team board' });
	await expect(item).toContainText('1 open report');
	await expect(item).toContainText('This board advertises a scam.');
	await admin.screenshot({ path: `${SCREENS}/moderation-queue.png`, fullPage: true });
	await item.getByLabel('Reason shown to the team').fill('It links to a scam site.');
	await item.getByRole('button', { name: 'Hide' }).click();
	await expect(admin.getByText('Hidden. Its team sees the reason.')).toBeVisible();
	await expect(item.getByText('Hidden', { exact: true })).toBeVisible();
	await admin.screenshot({ path: `${SCREENS}/moderation-hidden.png`, fullPage: true });
	await admin.setViewportSize(NARROW);
	await admin.screenshot({ path: `${SCREENS}/moderation-narrow.png`, fullPage: true });
	expect((await admin.request.get(`/p/${slug}`)).status()).toBe(404);

	// The team sees why, on the canvas page.
	await member.goto(`/c/${canvasId}`);
	await waitForCanvas(member);
	await member.getByRole('button', { name: 'Hidden', exact: true }).click();
	await expect(member.getByTestId('moderation-hidden')).toContainText('Hidden by a moderator: It links to a scam site.');
	await member.screenshot({ path: `${SCREENS}/publish-dialog-hidden.png` });

	// Restored, it is public again.
	await admin.setViewportSize({ width: 1280, height: 800 });
	await admin.reload();
	await admin.getByTestId('moderation-item').filter({ hasText: 'Team board' }).getByRole('button', { name: 'Restore' }).click();
	await expect(admin.getByText('Restored: it is public again.')).toBeVisible();
	expect((await admin.request.get(`/p/${slug}`)).status()).toBe(200);
	expect(id).toBeTruthy();
	await adminContext.close();
	await teamContext.close();
});
