// A design document from the diagram, in Chromium against the built server and a local
// OpenAI-protocol model: a three-box diagram, the confirm step with its price, the document
// streaming into the panel, an edit, the .md/.zip/.pdf downloads (each opened and checked), and
// "Save as note" putting the edited text on the canvas. Screens of each step, narrow too.
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { unzipSync, strFromU8 } from 'fflate';
import type { AiTestServer } from '../helpers/ai-test-server.ts';
import { startOpenAiTestServer } from '../helpers/openai-test-server.ts';
import { showPdfFirstPage } from '../helpers/pdf-picture.ts';
import { readPdf } from '../helpers/pdf-text.ts';
import { decodePng } from '../helpers/png.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { expect, SCREENS, signUpThroughUi, test as base, waitForCanvas } from './fixtures.ts';

const DOCUMENT = [
	'# Orders — design document',
	'',
	'## Overview',
	'',
	'A web app places orders through the Orders API, which keeps them in PostgreSQL.',
	'',
	'## Components',
	'',
	'### Web app',
	'',
	'- **Responsibility:** lets people place orders.',
	'- **Technology:** a browser app (assumed).',
	'- **Interfaces:** calls the Orders API over HTTPS.',
	'',
	'### Orders API',
	'',
	'- **Responsibility:** validates and stores orders.',
	'- **Technology:** Node.js',
	'- **Interfaces:** HTTPS in, SQL out.',
	'',
	'### Orders DB',
	'',
	'- **Responsibility:** the system of record.',
	'- **Technology:** PostgreSQL 17',
	'- **Interfaces:** SQL from the Orders API.',
	'',
	'## Data flows',
	'',
	'1. Web app → Orders API: orders over HTTPS.',
	'2. Orders API → Orders DB: SQL.',
	'',
	'## Risks',
	'',
	'- The database is a single point of failure.',
	'',
	'## Open questions',
	'',
	'- Who owns the schema?',
	''
].join('\n');

const test = base.extend<Record<never, never>, { provider: AiTestServer; server: { current: RunningServer } }>({
	provider: [
		async ({}, use) => {
			// Paced (≈ 5 s) so the panel is seen streaming.
			const provider = await startOpenAiTestServer({ defaultReply: { kind: 'text', text: DOCUMENT, chunkSize: 6, delayMs: 30 } });
			await use(provider);
			await provider.close();
		},
		{ scope: 'worker' }
	],
	server: [
		async ({ provider }, use) => {
			const holder = {
				current: await startServer({
					env: { AI_PROVIDER: 'openai-compatible', AI_BASE_URL: provider.baseURL, AI_API_KEY: 'test-key', AI_MODEL_FAST: 'fast-model', AI_TIMEOUT_SECONDS: '30' }
				})
			};
			await use(holder);
			await holder.current.dispose();
		},
		{ scope: 'worker' }
	]
});

/** Draws Web app → Orders API → Orders DB through the page's editor (as a person drawing would). */
async function drawThreeBoxes(page: Page): Promise<void> {
	await page.evaluate(() => {
		const editor = window.__easelEditor!;
		const text = (value: string) => ({ type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: value }] }] });
		const boxes = [
			{ id: 'shape:web', label: 'Web app', kind: 'client', x: 100 },
			{ id: 'shape:api', label: 'Orders API', kind: 'service', technology: 'Node.js', x: 400 },
			{ id: 'shape:db', label: 'Orders DB', kind: 'database', technology: 'PostgreSQL 17', x: 700 }
		];
		for (const box of boxes)
			editor.createShape({
				id: box.id as never,
				type: 'geo',
				x: box.x,
				y: 200,
				meta: { kind: box.kind, ...(box.technology ? { technology: box.technology } : {}) },
				props: { w: 180, h: 90, richText: text(box.label) as never }
			});
		for (const [from, to, label] of [
			['shape:web', 'shape:api', 'HTTPS'],
			['shape:api', 'shape:db', 'SQL']
		]) {
			const id = `shape:${from.slice(6)}-${to.slice(6)}` as never;
			editor.createShape({ id, type: 'arrow', x: 0, y: 0, props: { richText: text(label) as never } });
			editor.createBindings(
				(['start', 'end'] as const).map((terminal) => ({
					type: 'arrow',
					fromId: id,
					toId: (terminal === 'start' ? from : to) as never,
					props: { terminal, normalizedAnchor: { x: 0.5, y: 0.5 }, isExact: false, isPrecise: false, snap: 'none' }
				}))
			);
		}
		editor.zoomToFit();
	});
}

test('makes a design document that streams in, can be edited, downloaded three ways and saved as a note', async ({ page, browser }) => {
	test.setTimeout(120_000);
	await page.setViewportSize({ width: 1280, height: 820 });
	await signUpThroughUi(page, 'Ada');
	await page.getByLabel('New canvas title').fill('Orders');
	await page.getByRole('button', { name: 'New canvas' }).click();
	await waitForCanvas(page);
	await drawThreeBoxes(page);

	// The confirm step: formats with their prices, the team's balance, nothing charged yet.
	await page.getByTestId('design-doc-open').click();
	const confirm = page.getByTestId('design-doc-confirm');
	await expect(confirm).toBeVisible();
	await expect(page.getByTestId('design-doc-cost')).toContainText('Costs 3 credits');
	await expect(page.getByTestId('design-doc-cost')).toContainText('The team has 50');
	await confirm.getByText('Markdown and PDF').click();
	await expect(page.getByTestId('design-doc-cost')).toContainText('Costs 5 credits');
	await page.screenshot({ path: `${SCREENS}/design-doc-confirm.png` });
	await page.getByTestId('design-doc-start').click();

	// It streams into the panel: the text grows while the model writes.
	const panel = page.getByTestId('design-doc-panel');
	await expect(panel).toBeVisible();
	await expect(page.getByTestId('design-doc-status')).toHaveText('Writing…');
	await expect(panel.getByText('Overview', { exact: true })).toBeVisible();
	const early = (await page.getByTestId('design-doc-document').innerText()).length;
	await page.screenshot({ path: `${SCREENS}/design-doc-streaming.png` });
	await expect(panel.getByRole('heading', { name: 'Open questions' })).toBeVisible({ timeout: 30_000 });
	await expect(page.getByTestId('design-doc-downloads')).toBeVisible({ timeout: 30_000 });
	expect((await page.getByTestId('design-doc-document').innerText()).length).toBeGreaterThan(early);
	await expect(panel).toContainText('5 credits');
	await expect(panel.locator('img.diagram')).toBeVisible();
	await page.screenshot({ path: `${SCREENS}/design-doc-done.png` });

	// Edit a line; the preview shows it.
	await page.getByTestId('design-doc-edit').click();
	const textarea = page.getByTestId('design-doc-textarea');
	const original = await textarea.inputValue();
	expect(original).toContain('![Diagram](Orders-diagram.png)');
	await textarea.fill(original.replace('- Who owns the schema?', '- Who owns the schema? The orders team does.'));
	await page.getByRole('button', { name: 'Preview' }).click();
	await expect(panel).toContainText('The orders team does.');

	// .md: the edited text.
	const [markdownDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('design-doc-download-md').click()]);
	expect(markdownDownload.suggestedFilename()).toBe('Orders.md');
	const markdown = readFileSync(await markdownDownload.path(), 'utf8');
	expect(markdown).toContain('The orders team does.');
	expect(markdown).toContain('## Data flows');

	// .zip: the .md and a PNG that decodes.
	const [zipDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('design-doc-download-zip').click()]);
	expect(zipDownload.suggestedFilename()).toBe('Orders.zip');
	const entries = unzipSync(new Uint8Array(readFileSync(await zipDownload.path())));
	expect(Object.keys(entries).sort()).toEqual(['Orders-diagram.png', 'Orders.md']);
	expect(strFromU8(entries['Orders.md'])).toContain('The orders team does.');
	const picture = decodePng(entries['Orders-diagram.png']);
	expect(picture.width).toBeGreaterThan(200);

	// .pdf: a PDF; its first page drawn for a look.
	const [pdfDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('design-doc-download-pdf').click()]);
	expect(pdfDownload.suggestedFilename()).toBe('Orders.pdf');
	const pdf = new Uint8Array(readFileSync(await pdfDownload.path()));
	expect(new TextDecoder().decode(pdf.slice(0, 5))).toBe('%PDF-');
	// After an edit the PDF is of the edited text (rendered by the server, free).
	expect((await readPdf(pdf)).text.join(' ').replace(/\s+/g, ' ')).toContain('The orders team does.');
	const viewer = await browser.newPage({ viewport: { width: 900, height: 1270 } });
	await showPdfFirstPage(viewer, pdf);
	await viewer.locator('#page').screenshot({ path: `${SCREENS}/design-doc-pdf.png` });
	await viewer.close();

	// Save as note: the edited document is on the canvas as a text shape.
	await page.getByTestId('design-doc-save-note').click();
	await expect(page.getByTestId('design-doc-notice')).toContainText('Saved on the canvas');
	const noteText = await page.evaluate(() => {
		const editor = window.__easelEditor!;
		const note = editor.getCurrentPageShapes().find((shape) => shape.type === 'text');
		return note ? JSON.stringify(note.props) : null;
	});
	expect(noteText).toContain('The orders team does.');
	expect(noteText).not.toContain('![Diagram]');
	await page.screenshot({ path: `${SCREENS}/design-doc-note.png` });

	// Closed and opened again from the chat answer: the same document, nothing charged again.
	await panel.getByRole('button', { name: 'Close the design document' }).click();
	await page.getByRole('button', { name: /Chat/ }).first().click();
	await page.getByTestId('open-work').last().click();
	await expect(page.getByTestId('design-doc-downloads')).toBeVisible();
	await expect(panel).toContainText('5 credits');
	const teamPath = await page.locator('a.back').getAttribute('href');
	const credits = await page.request.get(`/api/v1${teamPath}/credits`);
	expect(((await credits.json()) as { balance: number }).balance).toBe(45);

	// Narrow: the panel covers the canvas and its actions wrap.
	await page.setViewportSize({ width: 390, height: 800 });
	await expect(page.getByTestId('design-doc-downloads')).toBeVisible();
	await page.screenshot({ path: `${SCREENS}/design-doc-narrow.png` });
});
