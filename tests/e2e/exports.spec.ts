// Files in and out of a canvas: PNG, SVG, PDF and .tldr exports from the canvas page and the dashboard
// (with the pasted picture embedded in each), .tldr import on the dashboard (a new canvas), bad files
// refused with a message, and a .tldr dropped on an open canvas, seen by a second person.
import { readFile, writeFile } from 'node:fs/promises';
import type { Download, Locator, Page } from '@playwright/test';
import { PDFDocument } from 'pdf-lib';
import { expect, SCREENS, sameOrigin, signUpThroughUi, test, waitForCanvas } from './fixtures.ts';
import { decodePng } from '../helpers/png.ts';
import { bandedPng, drawnImageWidths, imageSources, pasteImage, writeText } from './canvas-content.ts';

const NARROW = { width: 390, height: 844 };
/** A word written on the canvas, looked for in the exported SVG. */
const CANVAS_WORD = 'Lighthousekeeper';

async function drag(page: Page, tool: string, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
	await page.mouse.click(from.x, from.y);
	await page.keyboard.press('Escape');
	await page.keyboard.press(tool);
	await page.mouse.move(from.x, from.y);
	await page.mouse.down();
	await page.mouse.move(to.x, to.y, { steps: 6 });
	await page.mouse.up();
	await page.keyboard.press('Escape');
}

function shapeCount(page: Page): Promise<number> {
	return page.evaluate(() => window.__easelEditor?.getCurrentPageShapes().length ?? 0);
}

/** Frames on the page, by name, with their size in canvas units. */
function frameSizes(page: Page): Promise<{ name: string; w: number; h: number }[]> {
	return page.evaluate(() => {
		const editor = window.__easelEditor!;
		return editor
			.getCurrentPageShapesSorted()
			.filter((shape) => shape.type === 'frame')
			.map((frame) => ({ name: (frame.props as { name: string }).name, w: (frame.props as { w: number }).w, h: (frame.props as { h: number }).h }));
	});
}

/** Chooses the options in an open export dialog, presses Export and reads the file it downloads. */
async function exportFile(
	page: Page,
	dialog: Locator,
	{
		format,
		what,
		scale,
		pdfLayout,
		background
	}: { format: 'PNG' | 'SVG' | 'PDF' | '.tldr'; what?: string; scale?: 1 | 2; pdfLayout?: 'frames' | 'page'; background?: boolean }
): Promise<{ name: string; bytes: Buffer }> {
	await dialog.locator('label.format', { hasText: format }).click();
	if (what) await dialog.getByLabel('What').selectOption({ label: what });
	if (pdfLayout) await dialog.getByLabel(pdfLayout === 'frames' ? /One page per frame/ : 'Whole canvas on one page').check();
	if (scale) await dialog.locator('label.segment', { hasText: `${scale}×` }).click();
	if (background !== undefined) await dialog.getByLabel('Background').setChecked(background);
	const download = page.waitForEvent('download', { timeout: 45_000 });
	await dialog.getByRole('button', { name: `Export ${format}` }).click();
	// A refused export says why in the dialog: fail with that rather than wait out the download.
	const outcome = await Promise.race([
		download,
		dialog
			.locator('.notice.error')
			.waitFor({ timeout: 45_000 })
			.then(() => null)
	]);
	if (!outcome) throw new Error(`the ${format} export failed: ${await dialog.locator('.notice.error').textContent()}`);
	return { name: outcome.suggestedFilename(), bytes: await downloaded(outcome) };
}

/** How many pixels of a picture are (nearly) this colour. */
function pixelsOf(picture: { rgba: Uint8Array }, [r, g, b]: [number, number, number]): number {
	let count = 0;
	for (let index = 0; index < picture.rgba.length; index += 4) {
		if (Math.abs(picture.rgba[index] - r) + Math.abs(picture.rgba[index + 1] - g) + Math.abs(picture.rgba[index + 2] - b) < 24) count++;
	}
	return count;
}

async function downloaded(download: Download): Promise<Buffer> {
	const path = await download.path();
	return readFile(path);
}

test('export PNG, SVG, PDF and .tldr with the picture inside, from the canvas and the dashboard; import it again', async ({ browser }) => {
	test.setTimeout(180_000);
	const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
	const page = await context.newPage();
	await signUpThroughUi(page, 'Esther');
	await page.getByLabel('New canvas title').fill('Harbour plan');
	await page.getByRole('button', { name: 'New canvas' }).click();
	await waitForCanvas(page);
	const canvasId = new URL(page.url()).pathname.split('/').at(-1)!;

	// Two frames, a picture from the asset store pasted into the first (it lands mid-screen), a word in the second.
	await drag(page, 'f', { x: 420, y: 240 }, { x: 860, y: 620 });
	await drag(page, 'f', { x: 930, y: 160 }, { x: 1240, y: 400 });
	await pasteImage(page, bandedPng(), { x: 640, y: 430 });
	await expect.poll(() => imageSources(page), { timeout: 15_000 }).toEqual([expect.stringMatching(/^\/api\/v1\/assets\/[0-9a-f-]{36}$/)]);
	await writeText(page, CANVAS_WORD, { x: 960, y: 280 });
	await expect.poll(() => shapeCount(page)).toBe(4);
	const frames = await frameSizes(page);
	expect(frames).toHaveLength(2);

	// The dialog, opened from the header; the first export waits on the picture, so its progress shows.
	await page.route('**/api/v1/assets/**', async (route) => {
		await new Promise((resolve) => setTimeout(resolve, 1500));
		await route.fallback();
	});
	await page.keyboard.press('Escape');
	await page.getByRole('button', { name: 'Export' }).click();
	const dialog = page.getByRole('dialog', { name: 'Export “Harbour plan”' });
	await expect(dialog.getByLabel('What')).toHaveValue('page');
	await expect(dialog.getByLabel('What').locator('option')).toHaveText(['Whole page (4 shapes)', 'Frame: Frame 1', 'Frame: Frame 2']);
	await page.screenshot({ path: `${SCREENS}/export-dialog.png` });
	const pngDownload = page.waitForEvent('download');
	await dialog.locator('label.segment', { hasText: '1×' }).click();
	await dialog.getByRole('button', { name: 'Export PNG' }).click();
	await expect(dialog.getByTestId('export-progress')).toContainText('Rendering the PNG');
	await page.screenshot({ path: `${SCREENS}/export-progress.png` });
	const png1 = await downloaded(await pngDownload);
	await page.unroute('**/api/v1/assets/**');
	await expect(dialog.getByRole('status').filter({ hasText: 'Saved' })).toContainText('Harbour plan.png');
	const page1x = decodePng(png1);
	// The drawing plus 32 units of padding on each side, one pixel per unit.
	const drawing = await page.evaluate(() => window.__easelEditor!.getCurrentPageBounds()!.toJson());
	expect(Math.abs(page1x.width - (drawing.w + 64))).toBeLessThanOrEqual(2);
	expect(Math.abs(page1x.height - (drawing.h + 64))).toBeLessThanOrEqual(2);

	// 2× doubles the pixels; one frame is exported to its edges.
	const png2 = await exportFile(page, dialog, { format: 'PNG', scale: 2 });
	expect(png2.name).toBe('Harbour plan.png');
	const page2x = decodePng(png2.bytes);
	expect(Math.abs(page2x.width - page1x.width * 2)).toBeLessThanOrEqual(2);
	expect(Math.abs(page2x.height - page1x.height * 2)).toBeLessThanOrEqual(2);
	await writeFile(`${SCREENS}/exported-page-2x.png`, png2.bytes);
	const framePng = await exportFile(page, dialog, { format: 'PNG', what: 'Frame: Frame 1', scale: 2 });
	await writeFile(`${SCREENS}/exported-frame-1.png`, framePng.bytes);
	expect(framePng.name).toBe('Harbour plan - Frame 1.png');
	const frame1 = decodePng(framePng.bytes);
	expect([frame1.width, frame1.height]).toEqual([Math.round(frames[0].w * 2), Math.round(frames[0].h * 2)]);
	expect(pixelsOf(frame1, [76, 110, 245])).toBeGreaterThan(1000); // the picture's blue band

	// SVG: the picture inline, the text as text.
	const svg = await exportFile(page, dialog, { format: 'SVG', what: 'Whole page (4 shapes)' });
	expect(svg.name).toBe('Harbour plan.svg');
	const svgText = svg.bytes.toString('utf8');
	expect(svgText).toMatch(/<image[^>]+href="data:image\/png;base64,/);
	expect(svgText).not.toContain('/api/v1/assets/');
	expect(svgText).toContain(CANVAS_WORD);
	await writeFile(`${SCREENS}/exported.svg`, svg.bytes);
	const svgViewer = await context.newPage();
	await svgViewer.setContent(`<body style="margin:0;background:#ddd">${svgText}</body>`);
	await svgViewer.screenshot({ path: `${SCREENS}/exported-svg-rendered.png`, fullPage: true });
	await svgViewer.close();

	// PDF: one page per frame, sized to it, titled; or the whole canvas on one page.
	const pdfFrames = await exportFile(page, dialog, { format: 'PDF', pdfLayout: 'frames', scale: 1 });
	expect(pdfFrames.name).toBe('Harbour plan.pdf');
	await writeFile(`${SCREENS}/exported-frames.pdf`, pdfFrames.bytes);
	const perFrame = await PDFDocument.load(pdfFrames.bytes);
	expect(perFrame.getPageCount()).toBe(2);
	expect(perFrame.getTitle()).toBe('Harbour plan');
	for (const [index, frame] of frames.entries()) {
		const { width, height } = perFrame.getPage(index).getSize();
		expect(width).toBeCloseTo(frame.w + 48, 0);
		expect(height).toBeGreaterThan(frame.h + 48);
	}
	const pdfWhole = await exportFile(page, dialog, { format: 'PDF', pdfLayout: 'page' });
	expect((await PDFDocument.load(pdfWhole.bytes)).getPageCount()).toBe(1);
	await writeFile(`${SCREENS}/exported-whole.pdf`, pdfWhole.bytes);
	await page.setViewportSize(NARROW);
	await page.screenshot({ path: `${SCREENS}/export-dialog-narrow.png` });
	await page.setViewportSize({ width: 1280, height: 800 });

	// .tldr: the records with the picture inlined.
	const tldr = await exportFile(page, dialog, { format: '.tldr' });
	expect(tldr.name).toBe('Harbour plan.tldr');
	const file = JSON.parse(tldr.bytes.toString('utf8')) as { tldrawFileFormatVersion: number; records: { typeName: string; props?: { src?: string } }[] };
	expect(file.tldrawFileFormatVersion).toBe(1);
	expect(file.records.filter((record) => record.typeName === 'shape')).toHaveLength(4);
	expect(file.records.find((record) => record.typeName === 'asset')?.props?.src).toMatch(/^data:image\/png;base64,/);
	await dialog.getByRole('button', { name: 'Done' }).click();
	await expect(dialog).toBeHidden();

	// tldraw's own main menu "Export › SVG" opens the same dialog with SVG chosen.
	await page.getByTestId('main-menu.button').click();
	await page.getByRole('menuitem', { name: 'Export', exact: true }).click();
	await page.getByRole('menuitem', { name: 'SVG' }).click();
	await expect(dialog).toBeVisible();
	await expect(dialog.locator('label.format.chosen')).toContainText('SVG');
	await page.keyboard.press('Escape');

	// From the dashboard: the stored canvas, drawn off-screen, with its picture.
	await page.getByRole('link', { name: 'Back to canvases' }).click();
	const tile = page.getByTestId('canvas-tile').filter({ hasText: 'Harbour plan' });
	await tile.getByRole('button', { name: 'Export…' }).click();
	await expect(dialog.getByLabel('What')).toHaveValue('page');
	const fromDashboard = await exportFile(page, dialog, { format: 'SVG' });
	const dashboardSvg = fromDashboard.bytes.toString('utf8');
	await writeFile(`${SCREENS}/exported-from-dashboard.svg`, fromDashboard.bytes);
	expect(dashboardSvg).toMatch(/<image[^>]+href="data:image\/png;base64,/);
	expect(dashboardSvg).toContain(CANVAS_WORD);
	const dashboardPng = decodePng((await exportFile(page, dialog, { format: 'PNG', scale: 1 })).bytes);
	expect([dashboardPng.width, dashboardPng.height]).toEqual([page1x.width, page1x.height]);
	const dashboardPdf = await PDFDocument.load((await exportFile(page, dialog, { format: 'PDF', pdfLayout: 'frames' })).bytes);
	expect(dashboardPdf.getPageCount()).toBe(2);
	await page.screenshot({ path: `${SCREENS}/export-dialog-dashboard.png` });
	await page.keyboard.press('Escape');

	// An empty canvas has nothing to export.
	await page.getByLabel('New canvas title').fill('Blank page');
	await page.getByRole('button', { name: 'New canvas' }).click();
	await waitForCanvas(page);
	await page.getByRole('link', { name: 'Back to canvases' }).click();
	await page.getByTestId('canvas-tile').filter({ hasText: 'Blank page' }).getByRole('button', { name: 'Export…' }).click();
	const blankDialog = page.getByRole('dialog', { name: 'Export “Blank page”' });
	await expect(blankDialog.getByTestId('export-empty')).toContainText('Nothing to export');
	await expect(blankDialog.getByRole('button', { name: 'Export PNG' })).toBeDisabled();
	await page.screenshot({ path: `${SCREENS}/export-empty.png` });
	await page.keyboard.press('Escape');

	// A canvas moved to the trash since the dashboard loaded: the dialog says so.
	const doomed = await page.request.post('/api/v1/canvases', { headers: sameOrigin(page), data: { title: 'Soon gone' } });
	const doomedId = ((await doomed.json()) as { id: string }).id;
	await page.reload();
	expect((await page.request.delete(`/api/v1/canvases/${doomedId}`, { headers: sameOrigin(page) })).status()).toBe(200);
	await page.getByTestId('canvas-tile').filter({ hasText: 'Soon gone' }).getByRole('button', { name: 'Export…' }).click();
	await expect(page.getByRole('dialog', { name: 'Export “Soon gone”' }).getByRole('alert')).toContainText('This canvas no longer exists');
	await page.screenshot({ path: `${SCREENS}/export-error.png` });
	await page.keyboard.press('Escape');

	// Import the .tldr: a new canvas with the same shapes and its own copy of the picture.
	await page.reload();
	const tilesBefore = await page.getByTestId('canvas-tile').count();
	expect(tilesBefore).toBe(2);
	await page.locator('input[type=file][accept*=".tldr"]').setInputFiles({ name: 'Harbour plan.tldr', mimeType: 'application/json', buffer: tldr.bytes });
	await expect(page).toHaveURL(/\/c\/[0-9a-f-]{36}$/);
	await waitForCanvas(page);
	expect(new URL(page.url()).pathname).not.toContain(canvasId);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Harbour plan');
	await expect.poll(() => shapeCount(page)).toBe(4);
	await expect.poll(() => imageSources(page)).toEqual([expect.stringMatching(/^\/api\/v1\/assets\/[0-9a-f-]{36}$/)]);
	await expect.poll(() => drawnImageWidths(page.locator('.tl-canvas'))).toEqual([240]);
	await page.screenshot({ path: `${SCREENS}/imported-canvas.png` });

	// A file that is not tldraw's is refused, and nothing is created.
	await page.getByRole('link', { name: 'Back to canvases' }).click();
	await expect(page.getByTestId('canvas-tile')).toHaveCount(tilesBefore + 1);
	await page
		.locator('input[type=file][accept*=".tldr"]')
		.setInputFiles({ name: 'shopping.tldr', mimeType: 'application/json', buffer: Buffer.from('milk, eggs, bread') });
	await expect(page.getByTestId('import-error')).toContainText('shopping.tldr');
	await expect(page.getByTestId('canvas-tile')).toHaveCount(tilesBefore + 1);
	await page.screenshot({ path: `${SCREENS}/import-error.png` });
	await page.setViewportSize(NARROW);
	await page.screenshot({ path: `${SCREENS}/import-error-narrow.png`, fullPage: true });
	await context.close();
});

/** A .tldr file of a stored canvas, written as tldraw writes one: its records, its schema, images inline. */
async function tldrFileOf(page: Page, canvasId: string): Promise<string> {
	const stored = (await (await page.request.get(`/api/v1/canvases/${canvasId}/document`)).json()) as {
		records: Record<string, { typeName: string; props?: { src?: string } }>;
		meta: { schema: unknown };
	};
	const records = await Promise.all(
		Object.values(stored.records).map(async (record) => {
			const src = record.props?.src;
			if (record.typeName !== 'asset' || !src?.startsWith('/api/v1/assets/')) return record;
			const picture = await page.request.get(src);
			return { ...record, props: { ...record.props, src: `data:${picture.headers()['content-type']};base64,${(await picture.body()).toString('base64')}` } };
		})
	);
	return JSON.stringify({ tldrawFileFormatVersion: 1, schema: stored.meta.schema, records });
}

/** A tldraw toast holding `text`. */
function toast(page: Page, text: string): Locator {
	return page.locator('.tlui-toast__container').filter({ hasText: text });
}

/** Drops a file on the canvas at a point of the screen, as dragging it from the desktop does. */
async function dropFile(page: Page, file: { name: string; type: string; text: string }, at: { x: number; y: number }): Promise<void> {
	const dataTransfer = await page.evaluateHandle((dropped) => {
		const transfer = new DataTransfer();
		transfer.items.add(new File([dropped.text], dropped.name, { type: dropped.type }));
		return transfer;
	}, file);
	const canvas = page.locator('.tl-canvas');
	await canvas.dispatchEvent('dragover', { dataTransfer, clientX: at.x, clientY: at.y });
	await canvas.dispatchEvent('drop', { dataTransfer, clientX: at.x, clientY: at.y });
}

test('a .tldr dropped on an open canvas is added for everyone, undone in one step; viewers and bad files are told why', async ({ browser }) => {
	test.setTimeout(120_000);
	// The file to drop: exported from one canvas.
	const ownerContext = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
	const owner = await ownerContext.newPage();
	await signUpThroughUi(owner, 'Oskar');
	await owner.getByLabel('New canvas title').fill('Source');
	await owner.getByRole('button', { name: 'New canvas' }).click();
	await waitForCanvas(owner);
	await pasteImage(owner, bandedPng(), { x: 400, y: 400 });
	await expect.poll(() => imageSources(owner), { timeout: 15_000 }).toEqual([expect.stringMatching(/^\/api\/v1\/assets\//)]);
	await writeText(owner, 'Dropped-in note', { x: 800, y: 300 });
	await expect.poll(() => shapeCount(owner)).toBe(2);
	const tldr = await tldrFileOf(owner, new URL(owner.url()).pathname.split('/').at(-1)!);

	// The canvas it goes onto, with a viewer watching through a link.
	await owner.getByRole('link', { name: 'Back to canvases' }).click();
	await owner.getByLabel('New canvas title').fill('Target');
	await owner.getByRole('button', { name: 'New canvas' }).click();
	await waitForCanvas(owner);
	const targetId = new URL(owner.url()).pathname.split('/').at(-1)!;
	await drag(owner, 'r', { x: 200, y: 200 }, { x: 320, y: 300 });
	await expect.poll(() => shapeCount(owner)).toBe(1);
	const link = await owner.request.post(`/api/v1/canvases/${targetId}/share-links`, { headers: sameOrigin(owner), data: { access: 'view', audience: 'anyone' } });
	const viewerContext = await browser.newContext();
	const viewer = await viewerContext.newPage();
	await viewer.goto(new URL((await link.json()).url).pathname);
	await waitForCanvas(viewer);
	await expect.poll(() => shapeCount(viewer)).toBe(1);

	await dropFile(owner, { name: 'Source.tldr', type: '', text: tldr }, { x: 700, y: 450 });
	await expect(toast(owner, 'Added “Source.tldr”: 2 shapes')).toBeVisible();
	await expect.poll(() => shapeCount(owner)).toBe(3);
	const [src] = await imageSources(owner);
	expect(src).toMatch(/^\/api\/v1\/assets\/[0-9a-f-]{36}$/);
	await expect.poll(() => drawnImageWidths(owner.locator('.tl-canvas'))).toEqual([240]);
	await owner.screenshot({ path: `${SCREENS}/tldr-dropped.png` });
	// The second person sees it, picture included.
	await expect.poll(() => shapeCount(viewer)).toBe(3);
	await expect.poll(() => imageSources(viewer)).toEqual([src]);
	await expect.poll(() => drawnImageWidths(viewer.locator('.tl-canvas'))).toEqual([240]);

	// One undo takes it all back.
	await owner.keyboard.press('Control+Z');
	await expect.poll(() => shapeCount(owner)).toBe(1);
	await expect.poll(() => shapeCount(viewer)).toBe(1);
	await owner.keyboard.press('Control+Shift+Z');
	await expect.poll(() => shapeCount(owner)).toBe(3);

	// A viewer can't add it; a bad file is refused with what is wrong; neither changes anything.
	await dropFile(viewer, { name: 'Source.tldr', type: '', text: tldr }, { x: 600, y: 400 });
	await expect(toast(viewer, 'You can only view this canvas')).toBeVisible();
	await viewer.screenshot({ path: `${SCREENS}/tldr-drop-viewer.png` });
	await dropFile(owner, { name: 'notes.tldr', type: '', text: '{"hello": "world"}' }, { x: 600, y: 400 });
	await expect(toast(owner, 'It is not a tldraw file.')).toBeVisible();
	const newer = JSON.stringify({ ...JSON.parse(tldr), tldrawFileFormatVersion: 99 });
	await dropFile(owner, { name: 'future.tldr', type: '', text: newer }, { x: 600, y: 400 });
	await expect(toast(owner, 'It was saved by a newer version of tldraw than Easel uses.')).toBeVisible();
	const parsed = JSON.parse(tldr) as { records: { typeName: string; props?: Record<string, unknown> }[] };
	const broken = JSON.stringify({
		...parsed,
		records: parsed.records.map((record) => (record.typeName === 'shape' ? { ...record, props: { ...record.props, w: 'wide' } } : record))
	});
	await dropFile(owner, { name: 'broken.tldr', type: '', text: broken }, { x: 600, y: 400 });
	await expect(toast(owner, 'Some of its shapes or records are invalid')).toBeVisible();
	await owner.screenshot({ path: `${SCREENS}/tldr-drop-errors.png` });
	expect(await shapeCount(owner)).toBe(3);
	await expect.poll(() => shapeCount(viewer)).toBe(3);
	await viewerContext.close();
	await ownerContext.close();
});
