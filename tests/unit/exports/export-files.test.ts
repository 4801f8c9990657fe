// Export file names from canvas titles, and PDFs assembled from pictures: one page per picture sized
// to it under a title band, titled in the document's metadata, huge canvases scaled into PDF limits.
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { exportFileName } from '../../../src/lib/exports/export-choices.ts';
import { assemblePdf } from '../../../src/lib/exports/pdf-document.ts';
import { solidPng } from '../../helpers/png.ts';

describe('exportFileName', () => {
	it.each([
		['Harbour plan', 'png', undefined, 'Harbour plan.png'],
		['Harbour plan', 'pdf', 'Frame 1', 'Harbour plan - Frame 1.pdf'],
		['a/b\\c:d*e?f"g<h>i|j', 'svg', undefined, 'a b c d e f g h i j.svg'],
		['  ..hidden.  ', 'tldr', undefined, 'hidden.tldr'],
		['\u0000\u001f', 'png', undefined, 'canvas.png'],
		['Café 東京', 'png', undefined, 'Café 東京.png']
	] as const)('%j as %s → %s', (title, format, part, expected) => {
		expect(exportFileName(title, format, part)).toBe(expected);
	});

	it('keeps long titles to a file system’s length', () => {
		expect(exportFileName('x'.repeat(400), 'png').length).toBeLessThanOrEqual(124);
	});
});

describe('assemblePdf', () => {
	const picture = (width: number, height: number, caption?: string) => ({ png: solidPng(4, 4, [76, 110, 245, 255]), width, height, caption });

	it('makes one page per picture, sized to it with margins and a title band', async () => {
		const pages: number[] = [];
		const bytes = await assemblePdf({
			title: 'Harbour plan',
			pages: [picture(400, 300, 'Docks'), picture(200, 100, 'Lighthouse')],
			onPage: (index) => pages.push(index)
		});
		const pdf = await PDFDocument.load(bytes);
		expect(pdf.getTitle()).toBe('Harbour plan');
		expect(pdf.getPageCount()).toBe(2);
		expect(pdf.getPage(0).getSize().width).toBe(448);
		expect(pdf.getPage(0).getSize().height).toBeGreaterThan(348);
		expect(pdf.getPage(1).getSize().width).toBe(248);
		expect(pages).toEqual([0, 1]);
	});

	it('scales a canvas past 14,400 points a side into the PDF limit', async () => {
		const pdf = await PDFDocument.load(await assemblePdf({ title: 'Big', pages: [picture(30_000, 2_000)] }));
		const { width, height } = pdf.getPage(0).getSize();
		expect(width).toBeLessThanOrEqual(14_400);
		expect(width / height).toBeCloseTo((30_000 + 48) / (2_000 + 48 + Math.round(48 * 2.2)), 2);
	});

	it('paints a title the standard fonts cannot encode, and still makes the page without a painter', async () => {
		const painted: string[] = [];
		await assemblePdf({
			title: '東京 plan',
			pages: [picture(300, 200)],
			paintTitle: async (text) => {
				painted.push(text);
				return { png: solidPng(10, 2, [0, 0, 0, 255]), width: 100, height: 20 };
			}
		});
		expect(painted).toEqual(['東京 plan']);
		const pdf = await PDFDocument.load(await assemblePdf({ title: '東京 plan', pages: [picture(300, 200)] }));
		expect(pdf.getPageCount()).toBe(1);
	});

	it('refuses to make an empty PDF', async () => {
		await expect(assemblePdf({ title: 'Nothing', pages: [] })).rejects.toThrow(/at least one page/);
	});
});
