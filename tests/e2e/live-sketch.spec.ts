// Live sketch in the browser against the real server and a local OpenAI-compatible images server:
// the toolbar's Live sketch makes linked frames, drawing plus a prompt (typed with real key presses)
// sends the sketch after a pause, the job's state and picture show for a second browser too, Keep
// copies the picture out; /sketch works for a guest, also at phone width; a server without an image
// provider says so.
import type { Page } from '@playwright/test';
import { startOpenAiImagesTestServer, TEST_IMAGE_API_KEY, type OpenAiImagesTestServer } from '../helpers/openai-images-test-server.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { test as base, expect, SCREENS, signInThroughUi, signUpThroughUi, waitForCanvas } from './fixtures.ts';

const test = base.extend<object, { server: { current: RunningServer }; images: OpenAiImagesTestServer }>({
	images: [
		async ({}, use) => {
			const images = await startOpenAiImagesTestServer({ delayMs: 3000 });
			await use(images);
			await images.close();
		},
		{ scope: 'worker' }
	],
	server: [
		async ({ images }, use) => {
			const holder = {
				current: await startServer({ env: { IMAGE_PROVIDER: 'openai', IMAGE_BASE_URL: images.url, IMAGE_API_KEY: TEST_IMAGE_API_KEY, WORKER_PORT: '0' } })
			};
			await use(holder);
			await holder.current.dispose();
		},
		{ scope: 'worker' }
	]
});

interface LiveSketchIds {
	sketch: string;
	result: string;
}

async function liveSketchIds(page: Page): Promise<LiveSketchIds | null> {
	return page.evaluate(() => {
		const editor = window.__easelEditor;
		const sketch = editor?.getCurrentPageShapes().find((shape) => (shape.meta?.liveSketch as { role?: string } | undefined)?.role === 'sketch');
		if (!sketch) return null;
		return { sketch: sketch.id, result: (sketch.meta.liveSketch as { resultFrameId: string }).resultFrameId };
	});
}

/** Result images in the result frame, on this page's editor. */
async function resultImageCount(page: Page, resultFrameId: string): Promise<number> {
	return page.evaluate((id) => window.__easelEditor?.getSortedChildIdsForParent(id as never).length ?? 0, resultFrameId);
}

/** A stroke across the element (a tldraw shape), with the pencil already in hand. */
async function strokeAcross(page: Page, selector: string, lift = 0): Promise<void> {
	const box = (await page.locator(selector).boundingBox())!;
	await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * (0.7 - lift));
	await page.mouse.down();
	for (let step = 0; step <= 16; step++) {
		await page.mouse.move(box.x + box.width * (0.2 + step * 0.0375), box.y + box.height * (0.7 - lift - Math.sin((step / 16) * Math.PI) * 0.4), { steps: 2 });
	}
	await page.mouse.up();
}

test('Live sketch on a canvas: linked frames, a typed prompt, the picture for everyone, Keep', async ({ browser, images }) => {
	const aliceContext = await browser.newContext({ viewport: { width: 1400, height: 900 } });
	const alice = await aliceContext.newPage();
	const { email } = await signUpThroughUi(alice, 'Alice');
	await alice.getByLabel('New canvas title').fill('Sketches');
	await alice.getByRole('button', { name: 'New canvas' }).click();
	await waitForCanvas(alice);

	await alice.getByTestId('tools.easel-live-sketch').click();
	await expect.poll(() => liveSketchIds(alice)).not.toBeNull();
	const ids = (await liveSketchIds(alice))!;
	expect(await alice.evaluate(() => ({ tool: window.__easelEditor!.getCurrentToolId(), selected: window.__easelEditor!.getSelectedShapeIds() }))).toEqual({
		tool: 'draw',
		selected: [ids.sketch]
	});
	await expect(alice.getByTestId('sketch-status')).toHaveText('Draw in the sketch frame and type a prompt');

	// Drawing alone sends nothing: the prompt is missing, and the controls say so.
	await strokeAcross(alice, `[data-shape-id="${ids.sketch}"]`);
	await expect(alice.getByTestId('sketch-needs-prompt')).toHaveText('Type what this should become');
	await alice.waitForTimeout(1000);
	expect(images.requests).toHaveLength(0);

	const bobContext = await browser.newContext({ viewport: { width: 1400, height: 900 } });
	const bob = await bobContext.newPage();
	await signInThroughUi(bob, email);
	await bob.goto(alice.url());
	await waitForCanvas(bob);

	// Real key presses: tldraw's shortcuts (e: eraser, Backspace: delete) must not act while typing.
	await alice.getByTestId('sketch-prompt').click();
	await alice.keyboard.type('a red barn, oil paintinx');
	await alice.keyboard.press('Backspace');
	await alice.keyboard.type('g');
	expect(await alice.evaluate(() => window.__easelEditor!.getCurrentToolId())).toBe('draw');

	// The prompt reaches the frame (and the other browser), then the sketch goes out and the picture comes back to both.
	await expect
		.poll(() => bob.evaluate((id) => (window.__easelEditor?.getShape(id as never)?.meta.liveSketch as { prompt?: string } | undefined)?.prompt, ids.sketch))
		.toBe('a red barn, oil painting');
	await expect(bob.getByTestId('sketch-status')).toHaveAttribute('data-state', /queued|generating/);
	await alice.screenshot({ path: `${SCREENS}/live-sketch-generating.png` });
	await expect.poll(() => resultImageCount(alice, ids.result), { timeout: 30_000 }).toBe(1);
	await expect.poll(() => resultImageCount(bob, ids.result)).toBe(1);
	await expect(alice.getByTestId('sketch-status')).toHaveCount(0);
	expect(images.requests.at(-1)?.prompt).toContain('a red barn, oil painting');
	// One request per pause, not one per keystroke.
	expect(images.requests.length).toBeLessThanOrEqual(2);

	// Variations: four pictures at once, in a grid, for both.
	await alice.getByRole('button', { name: /Variations/ }).click();
	await expect(bob.getByTestId('sketch-status')).toHaveAttribute('data-state', /queued|generating/);
	await expect.poll(() => resultImageCount(bob, ids.result), { timeout: 30_000 }).toBe(4);
	await expect.poll(() => resultImageCount(alice, ids.result)).toBe(4);
	expect(images.requests.at(-1)?.n).toBe(4);
	await bob.screenshot({ path: `${SCREENS}/live-sketch-variations.png` });

	// Keep: a plain image on the page, from the same asset.
	const imageId = await alice.evaluate((id) => String(window.__easelEditor!.getSortedChildIdsForParent(id as never)[0]), ids.result);
	await alice.evaluate((id) => {
		window.__easelEditor!.setCurrentTool('select');
		window.__easelEditor!.select(id as never);
	}, imageId);
	await alice.getByTestId('sketch-keep').click();
	const kept = await alice.evaluate((resultImageId) => {
		const editor = window.__easelEditor!;
		const original = editor.getShape(resultImageId as never) as { props: { assetId: string } } | undefined;
		const copies = editor.getCurrentPageShapes().filter((shape) => shape.type === 'image' && shape.parentId === editor.getCurrentPageId());
		return { original: original?.props.assetId, copies: copies.map((shape) => ({ assetId: (shape.props as { assetId: string }).assetId, meta: shape.meta })) };
	}, imageId);
	expect(kept.copies).toEqual([{ assetId: kept.original, meta: {} }]);
	await alice.screenshot({ path: `${SCREENS}/live-sketch-kept.png` });

	// The result image's context menu keeps it too.
	await alice.evaluate((id) => {
		window.__easelEditor!.select(id as never);
	}, imageId);
	const imageBox = (await alice.locator(`[data-shape-id="${imageId}"]`).boundingBox())!;
	await alice.mouse.click(imageBox.x + imageBox.width / 2, imageBox.y + imageBox.height / 2, { button: 'right' });
	await alice.getByRole('menuitem', { name: 'Keep image' }).click();
	await expect
		.poll(() =>
			alice.evaluate(
				() => window.__easelEditor!.getCurrentPageShapes().filter((shape) => shape.type === 'image' && shape.parentId === window.__easelEditor!.getCurrentPageId()).length
			)
		)
		.toBe(2);

	// A failure says why and offers to try again; trying again makes the picture.
	images.setBehaviour({ fail: 'http400', delayMs: 0 });
	await alice.evaluate(() => {
		window.__easelEditor!.setCurrentTool('draw');
	});
	await strokeAcross(alice, `[data-shape-id="${ids.sketch}"]`, 0.1);
	await expect(alice.getByTestId('sketch-status')).toHaveAttribute('data-state', 'failed', { timeout: 60_000 });
	await expect(alice.getByTestId('sketch-status')).toContainText('safety system');
	await expect(bob.getByTestId('sketch-status')).toContainText('safety system');
	images.setBehaviour({ fail: 'none' });
	await alice.getByRole('button', { name: 'Try again' }).click();
	await expect(alice.getByTestId('sketch-status')).toHaveCount(0, { timeout: 30_000 });

	// Read-only (as viewers' editors are): no Live sketch button, the prompt as text, no Keep.
	await alice.evaluate(() => {
		window.__easelEditor!.updateInstanceState({ isReadonly: true });
	});
	await expect(alice.getByTestId('tools.easel-live-sketch')).toHaveCount(0);
	await expect(alice.getByTestId('sketch-prompt')).toHaveCount(0);
	await expect(alice.getByTestId('sketch-controls')).toHaveText('a red barn, oil painting');
	await expect(alice.getByTestId('sketch-keep')).toHaveCount(0);
	await aliceContext.close();
	await bobContext.close();
});

for (const [name, viewport] of [
	['wide', { width: 1280, height: 800 }],
	['narrow', { width: 390, height: 844 }]
] as const) {
	test(`the /sketch playground makes a picture for a guest (${name})`, async ({ browser }) => {
		const context = await browser.newContext({ viewport });
		const page = await context.newPage();
		await page.goto('/sketch');
		await expect(page.getByRole('link', { name: 'Sign up' })).toBeVisible();
		await expect(page.getByTestId('sketch-controls')).toBeVisible();
		const frameId = (await page.getByTestId('sketch-prompt').getAttribute('id'))!.replace('prompt-', '');
		// The controls and both frames fit the window.
		for (const selector of ['[data-testid="sketch-controls"]', `[data-shape-id="${frameId}"]`]) {
			const box = (await page.locator(selector).boundingBox())!;
			expect(box.x).toBeGreaterThanOrEqual(0);
			expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
		}
		await page.getByRole('button', { name: 'Watercolour' }).click();
		await strokeAcross(page, `[data-shape-id="${frameId}"]`);
		await expect(page.locator('[data-shape-type="image"]')).toHaveCount(1, { timeout: 30_000 });
		await page.screenshot({ path: `${SCREENS}/live-sketch-playground-${name}.png` });
		await context.close();
	});
}

test('a server without an image provider says so in the sketch controls', async ({ browser }) => {
	const unconfigured = await startServer();
	try {
		const context = await browser.newContext({ baseURL: unconfigured.url });
		const page = await context.newPage();
		// A guest hears that it is off here; the operator's settings are not theirs to change.
		await page.goto('/sketch');
		await expect(page.getByTestId('sketch-not-configured')).toContainText('Image generation is not available on this server');
		await expect(page.getByTestId('sketch-not-configured')).not.toContainText('IMAGE_PROVIDER');
		// A team member on a canvas is told how it is turned on.
		await signUpThroughUi(page, 'Operator');
		await page.getByLabel('New canvas title').fill('No images');
		await page.getByRole('button', { name: 'New canvas' }).click();
		await waitForCanvas(page);
		await page.getByTestId('tools.easel-live-sketch').click();
		await expect(page.getByTestId('sketch-not-configured')).toContainText('Image generation is not set up on this server');
		await expect(page.getByTestId('sketch-not-configured')).toContainText('IMAGE_PROVIDER');
		await context.close();
	} finally {
		await unconfigured.dispose();
	}
});
