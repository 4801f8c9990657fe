// Reads a PDF the way a viewer would (pdf.js): its page count and each page's text, so tests check
// what a person opening the file sees rather than the bytes pdfkit happened to write.
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface PdfContents {
	pages: number;
	/** Each page's text, items joined by spaces. */
	text: string[];
	title: string | undefined;
}

export async function readPdf(bytes: Uint8Array): Promise<PdfContents> {
	const loading = getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, verbosity: 0 });
	const pdf = await loading.promise;
	try {
		const text: string[] = [];
		for (let number = 1; number <= pdf.numPages; number++) {
			const page = await pdf.getPage(number);
			const content = await page.getTextContent();
			text.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
		}
		const metadata = await pdf.getMetadata();
		const info = metadata.info as { Title?: string } | undefined;
		return { pages: pdf.numPages, text, title: info?.Title };
	} finally {
		await loading.destroy();
	}
}
