// Assembles an exported PDF with pdf-lib from pictures tldraw rendered: one PDF page per picture,
// sized to it (one canvas unit is one point), the canvas title printed in a band across the top.
// Runs in the browser and in Node (the tests read the result back with the same library).
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';

export interface PdfPicture {
	/** A PNG of the content. */
	png: Uint8Array;
	/** Its size in canvas units (points on the page), whatever its pixel size. */
	width: number;
	height: number;
	/** Printed after the title on this page (a frame's name). */
	caption?: string;
}

/** A picture of a line of text, for titles the PDF standard fonts cannot write (they cover Western European text only). */
export type TitlePainter = (text: string, fontSize: number) => Promise<{ png: Uint8Array; width: number; height: number }>;

export interface PdfOptions {
	title: string;
	pages: PdfPicture[];
	/** Called as each page is added. */
	onPage?: (index: number) => void;
	/** Paints titles Helvetica cannot encode; without it, such characters print as "?". */
	paintTitle?: TitlePainter;
}

const MARGIN = 24;
/** PDF viewers refuse pages larger than 200 inches (14,400 points) a side: bigger canvases are scaled down to fit. */
const MAX_PAGE_SIDE = 14_400;
const TITLE_COLOUR = rgb(0.11, 0.12, 0.16);
const CAPTION_COLOUR = rgb(0.42, 0.45, 0.5);

export async function assemblePdf({ title, pages, onPage, paintTitle }: PdfOptions): Promise<Uint8Array> {
	if (pages.length === 0) throw new Error('a PDF needs at least one page');
	const pdf = await PDFDocument.create();
	pdf.setTitle(title, { showInWindowTitleBar: true });
	pdf.setCreator('Easel');
	const font = await pdf.embedFont(StandardFonts.Helvetica);
	const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
	for (const [index, picture] of pages.entries()) {
		const fontSize = Math.min(48, Math.max(14, picture.width / 40));
		const band = Math.round(fontSize * 2.2);
		const width = picture.width + 2 * MARGIN;
		const height = picture.height + 2 * MARGIN + band;
		const page = pdf.addPage([width, height]);
		const image = await pdf.embedPng(picture.png);
		page.drawImage(image, { x: MARGIN, y: MARGIN, width: picture.width, height: picture.height });
		await drawTitle(pdf, page, { title, caption: picture.caption, fontSize, font, bold, paintTitle, top: height - MARGIN, maxWidth: picture.width });
		const shrink = Math.min(1, MAX_PAGE_SIDE / width, MAX_PAGE_SIDE / height);
		if (shrink < 1) page.scale(shrink, shrink);
		onPage?.(index);
	}
	return pdf.save();
}

interface TitleLayout {
	title: string;
	caption?: string;
	fontSize: number;
	font: PDFFont;
	bold: PDFFont;
	paintTitle?: TitlePainter;
	/** The band's top edge, in PDF coordinates (from the bottom). */
	top: number;
	maxWidth: number;
}

async function drawTitle(pdf: PDFDocument, page: PDFPage, { title, caption, fontSize, font, bold, paintTitle, top, maxWidth }: TitleLayout): Promise<void> {
	const baseline = top - fontSize;
	const separator = caption ? '  ·  ' : '';
	const line = `${title}${separator}${caption ?? ''}`;
	if (!encodable(bold, line)) {
		if (paintTitle) {
			const painted = await paintTitle(line, fontSize);
			const image = await pdf.embedPng(painted.png);
			const shrink = Math.min(1, maxWidth / painted.width);
			page.drawImage(image, { x: MARGIN, y: top - painted.height * shrink, width: painted.width * shrink, height: painted.height * shrink });
			return;
		}
		title = replaceUnencodable(bold, title);
		caption = caption && replaceUnencodable(font, caption);
	}
	const titleText = fitText(bold, title, fontSize, maxWidth);
	page.drawText(titleText, { x: MARGIN, y: baseline, size: fontSize, font: bold, color: TITLE_COLOUR });
	if (!caption) return;
	const used = bold.widthOfTextAtSize(titleText + separator, fontSize);
	const captionText = fitText(font, caption, fontSize, maxWidth - used);
	if (captionText)
		page.drawText(`${separator}${captionText}`, { x: MARGIN + bold.widthOfTextAtSize(titleText, fontSize), y: baseline, size: fontSize, font, color: CAPTION_COLOUR });
}

function encodable(font: PDFFont, text: string): boolean {
	try {
		font.encodeText(text);
		return true;
	} catch {
		return false;
	}
}

function replaceUnencodable(font: PDFFont, text: string): string {
	return [...text].map((char) => (encodable(font, char) ? char : '?')).join('');
}

/** `text`, cut with an ellipsis where it would run past `maxWidth` (empty when not even the ellipsis fits). */
function fitText(font: PDFFont, text: string, size: number, maxWidth: number): string {
	if (font.widthOfTextAtSize(text, size) <= maxWidth) return text;
	const chars = [...text];
	while (chars.length > 0 && font.widthOfTextAtSize(`${chars.join('')}…`, size) > maxWidth) chars.pop();
	return chars.length > 0 ? `${chars.join('').trimEnd()}…` : '';
}
