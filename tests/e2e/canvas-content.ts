// What end-to-end specs put on a canvas and read back from it: a recognisable picture pasted from
// the clipboard, text written with the text tool, and the image shapes tldraw draws.
import type { Locator, Page } from '@playwright/test';
import type { TLAssetId } from 'tldraw';
import { encodePng } from '../helpers/png.ts';

/** A 240 × 160 picture in bands of colour, so a rendered copy is obviously not blank. */
export function bandedPng(): number[] {
	const width = 240;
	const height = 160;
	const bands: [number, number, number][] = [
		[76, 110, 245],
		[250, 176, 5],
		[18, 184, 134]
	];
	const rgba = new Uint8Array(width * height * 4);
	for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rgba.set([...bands[Math.floor((x / width) * bands.length)], 255], (y * width + x) * 4);
	return [...encodePng({ width, height, rgba })];
}

/** Puts a PNG on the system clipboard and pastes it with the keyboard, as a person would (the context needs clipboard permissions). */
export async function pasteImage(page: Page, bytes: number[], at: { x: number; y: number } = { x: 640, y: 420 }): Promise<void> {
	await page.evaluate(async (data) => {
		const blob = new Blob([new Uint8Array(data)], { type: 'image/png' });
		await navigator.clipboard.write([new ClipboardItem({ 'image/png': blob })]);
	}, bytes);
	await page.mouse.click(at.x, at.y); // focus the canvas, on an empty spot
	await page.keyboard.press('Escape');
	await page.keyboard.press('Control+V');
}

/** Writes `text` with the text tool at a screen point. */
export async function writeText(page: Page, text: string, at: { x: number; y: number }): Promise<void> {
	await page.mouse.click(at.x, at.y);
	await page.keyboard.press('Escape');
	await page.keyboard.press('t');
	await page.mouse.click(at.x, at.y);
	await page.keyboard.type(text);
	await page.keyboard.press('Escape');
}

/** The image shapes' `src`s on a tldraw page (through the editor the island or the published viewer exposes for tests). */
export function imageSources(page: Page, editorName: '__easelEditor' | '__easelPublishedEditor' = '__easelEditor'): Promise<string[]> {
	return page.evaluate((name) => {
		const editor = window[name];
		if (!editor) return [];
		return editor
			.getCurrentPageShapes()
			.filter((shape) => shape.type === 'image')
			.map((shape) => {
				const assetId = (shape.props as { assetId: string | null }).assetId;
				return ((assetId ? editor.getAsset(assetId as TLAssetId) : undefined)?.props as { src?: string | null } | undefined)?.src ?? '';
			});
	}, editorName);
}

/** Widths of the pictures tldraw has drawn for image shapes (0 while one is loading or broken). */
export function drawnImageWidths(scope: Locator): Promise<number[]> {
	return scope.locator('.tl-shape[data-shape-type="image"] img').evaluateAll((images) => images.map((image) => (image as HTMLImageElement).naturalWidth));
}
