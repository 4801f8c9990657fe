// The browser's side of design documents: start one, follow its run, and turn its files into
// downloads (.md, a .zip of the .md with the diagram beside it, the .pdf) or a note on the canvas.
import { strToU8, zipSync } from 'fflate';
import type { AssistantRunView, ModelTierId, RunFileView, StartedRun } from '../assistant-api.ts';
import { mountedEditor } from '../canvas/canvas-focus.ts';
import { downloadBlob } from '../downloads.ts';

export type DesignDocFormat = 'markdown' | 'pdf' | 'both';
export const FORMAT_LABELS: Record<DesignDocFormat, string> = { markdown: 'Markdown', pdf: 'PDF', both: 'Markdown and PDF' };

export type Result<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

async function failure(response: Response, fallback: string): Promise<{ ok: false; code: string; message: string }> {
	try {
		const body = (await response.json()) as { error?: { code?: string; message?: string } };
		return { ok: false, code: body.error?.code ?? 'ERROR', message: body.error?.message ?? fallback };
	} catch {
		return { ok: false, code: 'ERROR', message: fallback };
	}
}

export async function startDesignDoc(canvasId: string, request: { format: DesignDocFormat; tier?: ModelTierId }): Promise<Result<StartedRun>> {
	try {
		const response = await fetch(`/api/v1/canvases/${encodeURIComponent(canvasId)}/design-doc`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(request)
		});
		if (!response.ok) return failure(response, 'Could not start the design document.');
		return { ok: true, value: (await response.json()) as StartedRun };
	} catch {
		return { ok: false, code: 'NETWORK', message: 'Could not start the design document. Check your connection.' };
	}
}

export async function fetchRun(canvasId: string, runId: string): Promise<Result<AssistantRunView>> {
	try {
		const response = await fetch(`/api/v1/canvases/${encodeURIComponent(canvasId)}/assistant/runs/${encodeURIComponent(runId)}`);
		if (!response.ok) return failure(response, 'Could not load the design document.');
		return { ok: true, value: ((await response.json()) as { run: AssistantRunView }).run };
	} catch {
		return { ok: false, code: 'NETWORK', message: 'Could not load the design document. Check your connection.' };
	}
}

export async function cancelDesignDoc(canvasId: string, runId: string): Promise<void> {
	await fetch(`/api/v1/canvases/${encodeURIComponent(canvasId)}/assistant/runs/${encodeURIComponent(runId)}/cancel`, { method: 'POST' }).catch(() => {});
}

/** Credits a format costs on a tier, as the confirm step shows it (0: free). */
export function designDocCost(prices: { markdown: number; pdf: number; both: number }, format: DesignDocFormat, multiplier: number): number {
	return prices[format] * multiplier;
}

/** Offers bytes as a download named `name`. */
export function saveFile(name: string, bytes: Uint8Array | string, mimeType: string): void {
	downloadBlob(name, new Blob([typeof bytes === 'string' ? bytes : (bytes as Uint8Array<ArrayBuffer>)], { type: mimeType }));
}

/** The binary file's bytes from its run URL. */
export async function fileBytes(file: RunFileView): Promise<Uint8Array> {
	const response = await fetch(file.url!);
	if (!response.ok) throw new Error(`Could not download ${file.name} (${response.status}).`);
	return new Uint8Array(await response.arrayBuffer());
}

/** The PDF of the document as edited (the server renders it, free, with the run's diagram). */
export async function editedPdfBytes(canvasId: string, runId: string, markdown: string): Promise<Uint8Array> {
	const response = await fetch(`/api/v1/canvases/${canvasId}/assistant/runs/${runId}/pdf`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ markdown })
	});
	if (!response.ok) throw new Error((await failure(response, `Could not make the PDF (${response.status}).`)).message);
	return new Uint8Array(await response.arrayBuffer());
}

/** A .zip of the Markdown and, when the run drew one, the diagram it references. */
export async function zipDocument(markdownName: string, markdown: string, picture: RunFileView | undefined): Promise<Uint8Array> {
	const entries: Record<string, Uint8Array> = { [markdownName]: strToU8(markdown) };
	if (picture?.url) entries[picture.name] = await fileBytes(picture);
	return zipSync(entries, { level: 6 });
}

/** Most text a note on the canvas takes (the server's record limits sit well above it). */
export const MAX_NOTE_CHARS = 20_000;

/**
 * Puts the document on the canvas as a text shape to the right of everything on the page, selected
 * and in view, as the person's own change (so it undoes like one). Null on success, else why not.
 */
export async function saveAsNote(canvasId: string, markdown: string): Promise<string | null> {
	const editor = mountedEditor(canvasId);
	if (!editor) return 'The canvas is not open here.';
	if (editor.getIsReadonly()) return 'You can only view this canvas.';
	const { createShapeId, toRichText } = await import('tldraw');
	// The picture's line means nothing on the canvas, where the diagram itself is.
	const body = markdown.replace(/^!\[[^\]]*\]\([^)]*\)\s*\n?/gm, '').replace(/\n{3,}/g, '\n\n');
	const text = body.length > MAX_NOTE_CHARS ? `${body.slice(0, MAX_NOTE_CHARS)}\n…` : body;
	const bounds = editor.getCurrentPageBounds();
	const id = createShapeId();
	editor.markHistoryStoppingPoint('design document note');
	editor.createShape({
		id,
		type: 'text',
		x: bounds ? bounds.maxX + 80 : 0,
		y: bounds ? bounds.minY : 0,
		props: { richText: toRichText(text), autoSize: false, w: 560, size: 's', font: 'sans', textAlign: 'start' }
	});
	editor.select(id);
	editor.zoomToSelection({ animation: { duration: 300 } });
	return null;
}
