// Draws a PDF's first page in Chromium with pdf.js (headless Chromium has no PDF viewer), so a test
// can take a screenshot of what a person opening the file would see.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);

/** Renders page 1 of `pdf` into `page` (replacing its content) at ~1.5× scale; resolves once drawn. */
export async function showPdfFirstPage(page: Page, pdf: Uint8Array): Promise<void> {
	const library = readFileSync(require.resolve('pdfjs-dist/legacy/build/pdf.min.mjs'), 'utf8');
	const worker = readFileSync(require.resolve('pdfjs-dist/legacy/build/pdf.worker.min.mjs'), 'utf8');
	await page.route('https://pdf.test/**', (route) => {
		const path = new URL(route.request().url()).pathname;
		if (path === '/pdf.mjs') return route.fulfill({ contentType: 'text/javascript', body: library });
		if (path === '/pdf.worker.mjs') return route.fulfill({ contentType: 'text/javascript', body: worker });
		if (path === '/document.pdf') return route.fulfill({ contentType: 'application/pdf', body: Buffer.from(pdf) });
		return route.fulfill({ contentType: 'text/html', body: '<!doctype html><body style="margin:0;background:#888"><canvas id="page"></canvas></body>' });
	});
	await page.goto('https://pdf.test/');
	await page.evaluate(async () => {
		const source = 'https://pdf.test/pdf.mjs';
		const pdfjs = await import(/* @vite-ignore */ source);
		pdfjs.GlobalWorkerOptions.workerSrc = 'https://pdf.test/pdf.worker.mjs';
		const document = await pdfjs.getDocument({ url: 'https://pdf.test/document.pdf' }).promise;
		const first = await document.getPage(1);
		const viewport = first.getViewport({ scale: 1.5 });
		const canvas = window.document.getElementById('page') as HTMLCanvasElement;
		canvas.width = viewport.width;
		canvas.height = viewport.height;
		await first.render({ canvas, viewport }).promise;
	});
}
