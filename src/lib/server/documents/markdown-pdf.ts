// Markdown to PDF on the server (a design document's PDF): marked's tokens laid out with pdfkit —
// headings (also as PDF bookmarks), paragraphs with bold/italic/code/links, lists, tables, code
// blocks, quotes, rules and the images the caller hands over by name. Images are never fetched:
// one the caller didn't supply shows as its alt text. DejaVu fonts give Unicode where installed;
// without them pdfkit's standard fonts are used and characters they can't draw become "?".
import { existsSync } from 'node:fs';
import { marked, type Token, type Tokens } from 'marked';
import PDFDocument from 'pdfkit';

export interface MarkdownPdfOptions {
	/** The document's title (PDF metadata). */
	title: string;
	/** Images the Markdown may reference by name (`![Diagram](name.png)`): PNG or JPEG bytes. */
	images?: Record<string, Uint8Array>;
	/** Compressed content streams (default true); tests turn it off to read the text. */
	compress?: boolean;
}

type FontRole = 'regular' | 'bold' | 'italic' | 'boldItalic' | 'mono';

const FONT_DIRECTORIES = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/dejavu', '/usr/share/fonts/TTF', '/usr/local/share/fonts/dejavu'];
const DEJAVU: Record<FontRole, string> = {
	regular: 'DejaVuSans.ttf',
	bold: 'DejaVuSans-Bold.ttf',
	italic: 'DejaVuSans-Oblique.ttf',
	boldItalic: 'DejaVuSans-BoldOblique.ttf',
	mono: 'DejaVuSansMono.ttf'
};
const STANDARD: Record<FontRole, string> = {
	regular: 'Helvetica',
	bold: 'Helvetica-Bold',
	italic: 'Helvetica-Oblique',
	boldItalic: 'Helvetica-BoldOblique',
	mono: 'Courier'
};

let unicodeFonts: Record<FontRole, string> | null | undefined;

/** The DejaVu files on this machine, found once; null when a face is missing. */
function findUnicodeFonts(): Record<FontRole, string> | null {
	if (unicodeFonts !== undefined) return unicodeFonts;
	const directory = FONT_DIRECTORIES.find((candidate) => Object.values(DEJAVU).every((file) => existsSync(`${candidate}/${file}`)));
	unicodeFonts = directory ? (Object.fromEntries(Object.entries(DEJAVU).map(([role, file]) => [role, `${directory}/${file}`])) as Record<FontRole, string>) : null;
	return unicodeFonts;
}

const PAGE_MARGIN = 56;
const BODY_SIZE = 10.5;
const HEADING_SIZES = [20, 15, 12.5, 11.5, 11, 11];
const TEXT_COLOR = '#1f2328';
const MUTED_COLOR = '#59636e';
const LINK_COLOR = '#0b57d0';
const RULE_COLOR = '#d0d7de';
const CODE_BACKGROUND = '#f6f8fa';

/** A piece of inline text in one style. */
interface Run {
	text: string;
	bold?: boolean;
	italic?: boolean;
	mono?: boolean;
	strike?: boolean;
	link?: string;
}

export async function renderMarkdownPdf(markdown: string, options: MarkdownPdfOptions): Promise<Uint8Array> {
	const fonts = findUnicodeFonts();
	const doc = new PDFDocument({
		size: 'A4',
		margin: PAGE_MARGIN,
		compress: options.compress ?? true,
		bufferPages: false,
		info: { Title: options.title, Creator: 'Easel' },
		...(fonts ? { font: fonts.regular } : {})
	});
	const chunks: Buffer[] = [];
	doc.on('data', (chunk: Buffer) => chunks.push(chunk));
	const ended = new Promise<void>((resolve, reject) => {
		doc.on('end', resolve);
		doc.on('error', reject);
	});
	const writer = new PdfWriter(doc, fonts ?? STANDARD, !fonts, options.images ?? {});
	writer.blocks(marked.lexer(markdown, { gfm: true }), 0);
	doc.end();
	await ended;
	return new Uint8Array(Buffer.concat(chunks));
}

class PdfWriter {
	private readonly doc: PDFKit.PDFDocument;
	private readonly fonts: Record<FontRole, string>;
	/** Standard fonts draw WinAnsi only. */
	private readonly winAnsiOnly: boolean;
	private readonly images: Record<string, Uint8Array>;

	constructor(doc: PDFKit.PDFDocument, fonts: Record<FontRole, string>, winAnsiOnly: boolean, images: Record<string, Uint8Array>) {
		this.doc = doc;
		this.fonts = fonts;
		this.winAnsiOnly = winAnsiOnly;
		this.images = images;
	}

	private get left(): number {
		return this.doc.page.margins.left;
	}
	private get contentWidth(): number {
		return this.doc.page.width - this.doc.page.margins.left - this.doc.page.margins.right;
	}
	private get bottom(): number {
		return this.doc.page.height - this.doc.page.margins.bottom;
	}

	/** Starts a new page when less than `height` is left on this one. */
	private ensureRoom(height: number): void {
		if (this.doc.y + height > this.bottom) this.doc.addPage();
	}

	private font(role: FontRole): string {
		return this.fonts[role];
	}

	private drawable(text: string): string {
		// Tabs have no glyph; WinAnsi fonts lack most of Unicode.
		const expanded = text.replace(/\t/g, '    ');
		return this.winAnsiOnly ? expanded.replace(/[^\x20-\x7e\xa0-\xff\n•–—‘’“”…€]/g, '?') : expanded;
	}

	blocks(tokens: Token[], indent: number): void {
		for (const token of tokens) this.block(token, indent);
	}

	private block(token: Token, indent: number): void {
		const doc = this.doc;
		switch (token.type) {
			case 'heading': {
				const heading = token as Tokens.Heading;
				const size = HEADING_SIZES[heading.depth - 1] ?? BODY_SIZE;
				this.ensureRoom(size * 3);
				doc.moveDown(heading.depth <= 2 ? 0.8 : 0.5);
				const text = plainText(heading.tokens);
				if (heading.depth <= 3) doc.outline.addItem(this.drawable(text));
				this.inline(
					this.runs(heading.tokens).map((run) => ({ ...run, bold: true })),
					{ size, x: this.left + indent, width: this.contentWidth - indent }
				);
				if (heading.depth <= 2) {
					const y = doc.y + 2;
					doc
						.moveTo(this.left, y)
						.lineTo(this.left + this.contentWidth, y)
						.lineWidth(0.6)
						.strokeColor(RULE_COLOR)
						.stroke();
					doc.y = y + 4;
				}
				doc.moveDown(0.3);
				break;
			}
			case 'paragraph': {
				const paragraph = token as Tokens.Paragraph;
				const images = paragraph.tokens.filter((part): part is Tokens.Image => part.type === 'image');
				const rest = paragraph.tokens.filter((part) => part.type !== 'image' && !(part.type === 'text' && !part.raw.trim()));
				for (const image of images) this.image(image, indent);
				if (rest.length > 0) {
					this.inline(this.runs(rest), { size: BODY_SIZE, x: this.left + indent, width: this.contentWidth - indent });
					doc.moveDown(0.5);
				}
				break;
			}
			case 'text': {
				// Tight list items hold text tokens rather than paragraphs.
				const text = token as Tokens.Text;
				this.inline(this.runs(text.tokens ?? [{ type: 'text', raw: text.raw, text: text.text } as Tokens.Text]), {
					size: BODY_SIZE,
					x: this.left + indent,
					width: this.contentWidth - indent
				});
				break;
			}
			case 'list':
				this.list(token as Tokens.List, indent);
				doc.moveDown(0.4);
				break;
			case 'code':
				this.code((token as Tokens.Code).text, indent);
				break;
			case 'blockquote': {
				const quote = token as Tokens.Blockquote;
				const top = doc.y;
				const page = doc.page;
				doc.fillColor(MUTED_COLOR);
				this.blocks(quote.tokens, indent + 14);
				if (doc.page === page)
					doc
						.moveTo(this.left + indent + 4, top)
						.lineTo(this.left + indent + 4, doc.y - 4)
						.lineWidth(2)
						.strokeColor(RULE_COLOR)
						.stroke();
				doc.fillColor(TEXT_COLOR);
				break;
			}
			case 'table':
				this.table(token as Tokens.Table, indent);
				break;
			case 'hr': {
				this.ensureRoom(16);
				const y = doc.y + 6;
				doc
					.moveTo(this.left, y)
					.lineTo(this.left + this.contentWidth, y)
					.lineWidth(0.6)
					.strokeColor(RULE_COLOR)
					.stroke();
				doc.y = y + 10;
				break;
			}
			case 'html':
				// Raw HTML is shown as the text it is, never interpreted.
				this.inline([{ text: (token as Tokens.HTML).text.trim() }], { size: BODY_SIZE, x: this.left + indent, width: this.contentWidth - indent });
				doc.moveDown(0.5);
				break;
			case 'space':
				break;
			default:
				if ('text' in token && typeof token.text === 'string' && token.text.trim()) {
					this.inline([{ text: token.text }], { size: BODY_SIZE, x: this.left + indent, width: this.contentWidth - indent });
					doc.moveDown(0.5);
				}
		}
	}

	/** Writes runs as one wrapped block starting at (x, current y). */
	private inline(runs: Run[], layout: { size: number; x: number; width: number }): void {
		const doc = this.doc;
		const visible = runs.filter((run) => run.text.length > 0);
		if (visible.length === 0) return;
		this.ensureRoom(layout.size * 1.6);
		doc.fontSize(layout.size);
		visible.forEach((run, index) => {
			const role: FontRole = run.mono ? 'mono' : run.bold && run.italic ? 'boldItalic' : run.bold ? 'bold' : run.italic ? 'italic' : 'regular';
			doc.font(this.font(role)).fillColor(run.link ? LINK_COLOR : TEXT_COLOR);
			const options: PDFKit.Mixins.TextOptions = {
				continued: index < visible.length - 1,
				link: run.link ?? null,
				underline: Boolean(run.link),
				strike: Boolean(run.strike),
				lineGap: 2
			};
			if (index === 0) doc.text(this.drawable(run.text), layout.x, doc.y, { ...options, width: layout.width });
			else doc.text(this.drawable(run.text), options);
		});
		doc.fillColor(TEXT_COLOR);
		doc.x = this.left;
	}

	private list(list: Tokens.List, indent: number): void {
		const doc = this.doc;
		const start = typeof list.start === 'number' ? list.start : 1;
		list.items.forEach((item, index) => {
			const marker = list.ordered ? `${start + index}.` : item.task ? (item.checked ? '☑' : '☐') : '•';
			this.ensureRoom(BODY_SIZE * 1.6);
			const markerWidth = list.ordered ? 20 : 12;
			const y = doc.y;
			doc
				.font(this.font('regular'))
				.fontSize(BODY_SIZE)
				.fillColor(TEXT_COLOR)
				.text(this.drawable(marker), this.left + indent, y, { width: markerWidth, lineBreak: false });
			doc.y = y;
			const content = item.tokens.filter((part) => part.type !== 'checkbox');
			this.blocks(content, indent + markerWidth + 4);
			doc.moveDown(0.15);
		});
	}

	private code(text: string, indent: number): void {
		const doc = this.doc;
		const x = this.left + indent;
		const width = this.contentWidth - indent;
		const padding = 6;
		const body = this.drawable(text.replace(/\n+$/, ''));
		doc.font(this.font('mono')).fontSize(8.5);
		const height = doc.heightOfString(body, { width: width - padding * 2, lineGap: 1 }) + padding * 2;
		// A block that fits on a page stays on one, with its background; a longer one flows without.
		if (height < this.bottom - doc.page.margins.top) {
			this.ensureRoom(height);
			doc.rect(x, doc.y, width, height).fillColor(CODE_BACKGROUND).fill();
		}
		doc.fillColor(TEXT_COLOR).text(body, x + padding, doc.y + padding, { width: width - padding * 2, lineGap: 1 });
		doc.y += padding;
		doc.x = this.left;
		doc.moveDown(0.6);
	}

	private table(table: Tokens.Table, indent: number): void {
		const doc = this.doc;
		const columns = table.header.length;
		if (columns === 0) return;
		const size = columns > 4 ? 8.5 : 9.5;
		const cell = (value: Tokens.TableCell, header: boolean): PDFKit.Mixins.CellOptions => ({
			text: this.drawable(plainText(value.tokens)),
			font: { src: this.font(header ? 'bold' : 'regular'), size },
			align: { x: value.align ?? 'left', y: 'top' },
			...(header ? { backgroundColor: CODE_BACKGROUND, type: 'TH' as const } : {})
		});
		this.ensureRoom(size * 4);
		doc.fillColor(TEXT_COLOR);
		doc.table({
			position: { x: this.left + indent, y: doc.y },
			maxWidth: this.contentWidth - indent,
			defaultStyle: { border: 0.5, borderColor: RULE_COLOR, padding: [3, 5, 3, 5] },
			data: [table.header.map((value) => cell(value, true)), ...table.rows.map((row) => row.map((value) => cell(value, false)))]
		});
		doc.x = this.left;
		doc.moveDown(0.6);
	}

	private image(image: Tokens.Image, indent: number): void {
		const doc = this.doc;
		const bytes = this.images[image.href] ?? this.images[decodeURIComponent(image.href)];
		if (!bytes) {
			this.inline([{ text: `[${image.text || 'image'}]`, italic: true }], { size: BODY_SIZE, x: this.left + indent, width: this.contentWidth - indent });
			doc.moveDown(0.5);
			return;
		}
		// reason: openImage exists in pdfkit (it measures an image before placing it) but @types/pdfkit leaves it out
		const opened = (doc as unknown as { openImage(source: Buffer): { width: number; height: number } }).openImage(Buffer.from(bytes));
		const width = Math.min(this.contentWidth - indent, opened.width);
		const maxHeight = (this.bottom - doc.page.margins.top) * 0.6;
		const scale = Math.min(width / opened.width, maxHeight / opened.height);
		const height = opened.height * scale;
		this.ensureRoom(height + 8);
		const top = doc.y;
		doc.image(opened as unknown as Buffer, this.left + indent + (this.contentWidth - indent - opened.width * scale) / 2, top, { width: opened.width * scale, height });
		doc.y = top + height + 8;
		doc.x = this.left;
	}

	/** Inline tokens as styled runs. */
	private runs(tokens: Token[] | undefined, style: Omit<Run, 'text'> = {}): Run[] {
		const out: Run[] = [];
		for (const token of tokens ?? []) {
			switch (token.type) {
				case 'strong':
					out.push(...this.runs((token as Tokens.Strong).tokens, { ...style, bold: true }));
					break;
				case 'em':
					out.push(...this.runs((token as Tokens.Em).tokens, { ...style, italic: true }));
					break;
				case 'del':
					out.push(...this.runs((token as Tokens.Del).tokens, { ...style, strike: true }));
					break;
				case 'codespan':
					out.push({ ...style, text: decodeEntities((token as Tokens.Codespan).text), mono: true });
					break;
				case 'link': {
					const link = token as Tokens.Link;
					const safe = /^(https?:|mailto:)/i.test(link.href) ? link.href : undefined;
					out.push(...this.runs(link.tokens, { ...style, ...(safe ? { link: safe } : {}) }));
					break;
				}
				case 'br':
					out.push({ ...style, text: '\n' });
					break;
				case 'image':
					out.push({ ...style, text: `[${(token as Tokens.Image).text || 'image'}]`, italic: true });
					break;
				case 'text': {
					const text = token as Tokens.Text;
					if (text.tokens && text.tokens.length > 0) out.push(...this.runs(text.tokens, style));
					else out.push({ ...style, text: decodeEntities(text.text) });
					break;
				}
				default:
					if ('text' in token && typeof token.text === 'string') out.push({ ...style, text: decodeEntities(token.text) });
			}
		}
		return out;
	}
}

/** The text of inline tokens without styling (table cells, bookmarks). */
function plainText(tokens: Token[] | undefined): string {
	return (tokens ?? [])
		.map((token) => {
			if ('tokens' in token && Array.isArray(token.tokens) && token.tokens.length > 0) return plainText(token.tokens);
			if (token.type === 'br') return '\n';
			return 'text' in token && typeof token.text === 'string' ? decodeEntities(token.text) : '';
		})
		.join('');
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** marked escapes these in text tokens (it renders HTML); the PDF wants the characters. */
function decodeEntities(text: string): string {
	return text.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity] ?? entity);
}
