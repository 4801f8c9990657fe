// What a person can ask an export for (format, what part of the canvas, background, scale, PDF layout)
// and the file name it gets. Plain data shared by the export dialog, the renderer and tldraw's menu.
import type { Editor, TLFrameShape, TLShapeId } from 'tldraw';

export type ExportFormat = 'png' | 'svg' | 'pdf' | 'tldr';

/** The whole current page, what is selected (canvas page only), or one frame with what is in it. */
export type ExportScope = { kind: 'page' } | { kind: 'selection' } | { kind: 'frame'; frameId: string };

/** A PDF of the whole page: one page for each frame (sized to it), or the whole canvas on one page. */
export type PdfLayout = 'frames' | 'page';

export type ExportScale = 1 | 2;

export interface ExportChoices {
	format: ExportFormat;
	scope: ExportScope;
	background: boolean;
	scale: ExportScale;
	pdfLayout: PdfLayout;
}

/** What tldraw's own menu items ask for when they open the export dialog. */
export type ExportRequest = Partial<Pick<ExportChoices, 'format' | 'scope'>>;

export const DEFAULT_CHOICES: ExportChoices = { format: 'png', scope: { kind: 'page' }, background: true, scale: 2, pdfLayout: 'frames' };

export const FORMAT_LABELS: Record<ExportFormat, string> = { png: 'PNG', svg: 'SVG', pdf: 'PDF', tldr: '.tldr' };

const EXTENSIONS: Record<ExportFormat, string> = { png: 'png', svg: 'svg', pdf: 'pdf', tldr: 'tldr' };

/** Whether the format is a picture whose pixel size the scale sets. */
export const hasScale = (format: ExportFormat): boolean => format === 'png' || format === 'pdf';

/** Whether the format draws the canvas (a `.tldr` is the canvas's records, always all of them). */
export const isPicture = (format: ExportFormat): boolean => format !== 'tldr';

/** Longest base name kept (file systems allow 255 bytes; room is left for the part and the extension). */
const MAX_NAME_CHARS = 120;

/**
 * A file name from the canvas title (and the exported frame's name): characters that file systems
 * or shells refuse are replaced, whitespace is collapsed, and an empty result becomes "canvas".
 */
export function exportFileName(title: string, format: ExportFormat, part?: string): string {
	const base = [title, part].map((text) => (text ? safeName(text) : '')).filter(Boolean);
	const name = base.join(' - ').slice(0, MAX_NAME_CHARS).trim() || 'canvas';
	return `${name}.${EXTENSIONS[format]}`;
}

function safeName(text: string): string {
	return (
		text
			// eslint-disable-next-line no-control-regex -- reason: control characters are exactly what must go
			.replace(/[\u0000-\u001f\u007f<>:"/\\|?*]+/g, ' ')
			.replace(/\s+/g, ' ')
			.trim()
			// Leading dots hide a file; trailing dots and spaces are dropped by Windows.
			.replace(/^[.\s]+|[.\s]+$/g, '')
	);
}

/** The frames on the editor's current page, in the page's order (back to front), with the names tldraw shows. */
export function pageFrames(editor: Editor): { id: TLShapeId; name: string }[] {
	const frames = editor.getCurrentPageShapesSorted().filter((shape): shape is TLFrameShape => shape.type === 'frame');
	return frames.map((frame, index) => ({ id: frame.id, name: frame.props.name.trim() || `Frame ${index + 1}` }));
}
