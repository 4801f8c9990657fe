// Makes an export's file in the browser. Pictures come from tldraw's own exporter on an editor (the
// open canvas's, or an off-screen one on the dashboard), which inlines every image it draws (it
// fetches the asset store's URLs itself) and its fonts; PDFs are assembled from its PNGs; a `.tldr`
// comes from the server's export route, which inlines the canvas's images as data: URLs.
import type { Editor, TLShapeId } from 'tldraw';
import { apiErrorMessage } from '../api-error.ts';
import { exportFileName, pageFrames, type ExportChoices } from './export-choices.ts';
import { assemblePdf, type PdfPicture, type TitlePainter } from './pdf-document.ts';
import { downloadBlob } from '../downloads.ts';

export interface ExportStep {
	/** Steps finished so far, of `total`. */
	done: number;
	total: number;
	label: string;
}

export interface ExportedFile {
	blob: Blob;
	fileName: string;
}

export interface ExportRun {
	canvasId: string;
	title: string;
	onStep?: (step: ExportStep) => void;
	signal?: AbortSignal;
}

/** A reason an export could not be made that the person can act on; its message is shown as it is. */
export class ExportProblem extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ExportProblem';
	}
}

/** Space around the exported shapes, in canvas units (a single frame is exported to its edges). */
const PADDING = 32;

/** The file for `choices`; pictures are drawn from `editor`'s current page. */
export async function renderExport(editor: Editor | null, choices: ExportChoices, run: ExportRun): Promise<ExportedFile> {
	if (choices.format === 'tldr') return downloadTldr(run);
	if (!editor) throw new ExportProblem('The canvas is not loaded yet.');
	const { ids, part } = exportedShapes(editor, choices);
	const step = (done: number, total: number, label: string) => {
		if (run.signal?.aborted) throw new DOMException('The export was cancelled.', 'AbortError');
		run.onStep?.({ done, total, label });
	};
	const imageOptions = { scale: choices.scale, pixelRatio: 1, background: choices.background, padding: PADDING, darkMode: false } as const;

	if (choices.format === 'png' || choices.format === 'svg') {
		step(0, 1, `Rendering the ${choices.format.toUpperCase()}…`);
		const scale = choices.format === 'svg' ? 1 : choices.scale;
		const { blob } = await editor.toImage(ids, { ...imageOptions, scale, format: choices.format });
		step(1, 1, 'Done');
		return { blob, fileName: exportFileName(run.title, choices.format, part) };
	}

	// PDF: one picture per page, then the document.
	const frames = choices.scope.kind === 'page' && choices.pdfLayout === 'frames' ? pageFrames(editor) : null;
	if (frames && frames.length === 0) throw new ExportProblem('This page has no frames. Choose “Whole canvas on one page”, or add frames to get one page per frame.');
	const sources = frames ? frames.map((frame) => ({ ids: [frame.id], caption: frame.name })) : [{ ids, caption: part }];
	const total = sources.length + 1;
	const pages: PdfPicture[] = [];
	for (const [index, source] of sources.entries()) {
		step(index, total, frames ? `Rendering frame ${index + 1} of ${frames.length}: ${source.caption}` : 'Rendering the canvas…');
		const { blob, width, height } = await editor.toImage(source.ids, { ...imageOptions, format: 'png' });
		pages.push({ png: new Uint8Array(await blob.arrayBuffer()), width: width / choices.scale, height: height / choices.scale, caption: source.caption });
	}
	step(sources.length, total, 'Assembling the PDF…');
	const pdf = await assemblePdf({ title: run.title, pages, paintTitle: paintTitleLine });
	step(total, total, 'Done');
	return { blob: new Blob([pdf as Uint8Array<ArrayBuffer>], { type: 'application/pdf' }), fileName: exportFileName(run.title, 'pdf', frames ? undefined : part) };
}

/** The shapes a picture export draws, and the part of the canvas its file name mentions. */
function exportedShapes(editor: Editor, { scope }: ExportChoices): { ids: TLShapeId[]; part?: string } {
	switch (scope.kind) {
		case 'page': {
			const ids = [...editor.getCurrentPageShapeIds()];
			if (ids.length === 0) throw new ExportProblem('This page is empty: there is nothing to export.');
			return { ids };
		}
		case 'selection': {
			const ids = editor.getSelectedShapeIds();
			if (ids.length === 0) throw new ExportProblem('Nothing is selected any more. Select shapes on the canvas, or export the whole page.');
			return { ids, part: 'selection' };
		}
		case 'frame': {
			const frame = pageFrames(editor).find((candidate) => candidate.id === scope.frameId);
			if (!frame) throw new ExportProblem('That frame is no longer on this page. Choose another one.');
			return { ids: [frame.id], part: frame.name };
		}
	}
}

async function downloadTldr({ canvasId, title, onStep, signal }: ExportRun): Promise<ExportedFile> {
	onStep?.({ done: 0, total: 1, label: 'Collecting the canvas and its images…' });
	let response: Response;
	try {
		response = await fetch(`/api/v1/canvases/${canvasId}/export?format=tldr`, { signal });
	} catch (error) {
		if (signal?.aborted) throw error;
		throw new ExportProblem('The .tldr file could not be downloaded. Check your connection and try again.');
	}
	if (!response.ok) throw new ExportProblem(await apiErrorMessage(response, 'The .tldr file could not be made. Try again shortly.'));
	const blob = await response.blob();
	onStep?.({ done: 1, total: 1, label: 'Done' });
	return { blob: new Blob([blob], { type: 'application/vnd.tldraw+json' }), fileName: exportFileName(title, 'tldr') };
}

/** The title line painted by the browser, which has fonts for every script, at twice the PDF's resolution. */
const paintTitleLine: TitlePainter = async (text, fontSize) => {
	const pixels = 2;
	const font = `600 ${fontSize * pixels}px system-ui, sans-serif`;
	const canvas = document.createElement('canvas');
	const context = canvas.getContext('2d');
	if (!context) throw new Error('no 2D canvas');
	context.font = font;
	const metrics = context.measureText(text);
	canvas.width = Math.max(1, Math.ceil(metrics.width));
	canvas.height = Math.ceil(fontSize * 1.4 * pixels);
	context.font = font;
	context.fillStyle = '#1c1f29';
	context.textBaseline = 'middle';
	context.fillText(text, 0, canvas.height / 2);
	const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
	if (!blob) throw new Error('the title could not be painted');
	return { png: new Uint8Array(await blob.arrayBuffer()), width: canvas.width / pixels, height: canvas.height / pixels };
};

/** Hands `file` to the browser as a download. */
export function saveFile({ blob, fileName }: ExportedFile): void {
	downloadBlob(fileName, blob);
}
