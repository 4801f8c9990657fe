// A `.tldr` file (tldraw's file format) dropped on an open canvas: read in the browser with tldraw's
// own parser, its inline images uploaded through the canvas's asset store (as pasted images are, so
// the records point at /api/v1/assets/<id>), then its first page's content put where it was dropped,
// as one change that undo takes back. Bad files are refused with a toast that says what is wrong and
// change nothing; viewers are told they can't add to the canvas. Other dropped files go on to tldraw.
import { useEffect } from 'react';
import { TLDRAW_FILE_EXTENSION, parseTldrawJsonFile, useEditor, useToasts } from 'tldraw';
import type { Editor, TLAsset, TLContent, TLShape, TLShapeId, TldrawFileParseError, TLUiToastsContextType, VecLike } from 'tldraw';
import { assetIdOfSrc } from '../asset-urls.ts';
import { formatFileSize, type FileLimit } from './canvas-assets.ts';

/** A reason a `.tldr` file was not added, said to the person as it is. */
export class TldrFileProblem extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'TldrFileProblem';
	}
}

/** tldraw's file type (its constant is not exported). */
const TLDRAW_FILE_MIMETYPE = 'application/vnd.tldraw+json';

export function isTldrFile(file: File): boolean {
	return file.name.toLowerCase().endsWith(TLDRAW_FILE_EXTENSION) || file.type === TLDRAW_FILE_MIMETYPE;
}

/** What is wrong with a file tldraw's parser refused, in words. */
export function describeParseError(error: TldrawFileParseError): string {
	switch (error.type) {
		case 'notATldrawFile':
			return 'It is not a tldraw file.';
		case 'fileFormatVersionTooNew':
			return 'It was saved by a newer version of tldraw than Easel uses.';
		case 'migrationFailed':
			return error.reason === 'target-version-too-new'
				? 'It was saved by a newer version of tldraw than Easel uses.'
				: 'Its contents could not be brought up to this version of tldraw: the file may be damaged.';
		case 'invalidRecords':
			return 'Some of its shapes or records are invalid: the file may be damaged.';
		case 'v1File':
			return 'It is from the first version of tldraw, which Easel cannot read. Open it at tldraw.com and save it again.';
	}
}

export interface AddedTldr {
	shapeCount: number;
	/** Pages of the file with shapes that were not added (only the first page with shapes is). */
	skippedPages: number;
	/** Images whose pictures could not be brought along (they pointed at another site, or at nothing). */
	missingImages: number;
}

/**
 * Adds the first page (with shapes) of a `.tldr` file to `editor`'s current page, centred on `point`.
 * Throws TldrFileProblem (or the asset store's AssetUploadError) before changing anything.
 */
export async function addTldrFile(editor: Editor, file: File, { point, fileLimit }: { point?: VecLike; fileLimit: FileLimit }): Promise<AddedTldr> {
	if (file.size > fileLimit.bytes) {
		throw new TldrFileProblem(`It is ${formatFileSize(file.size)}; the ${fileLimit.plan} plan allows files up to ${formatFileSize(fileLimit.bytes)}.`);
	}
	const parsed = parseTldrawJsonFile({ json: await file.text(), schema: editor.store.schema });
	if (!parsed.ok) throw new TldrFileProblem(describeParseError(parsed.error));
	const records = parsed.value.allRecords();
	parsed.value.dispose();

	const pages = records.filter((record) => record.typeName === 'page').sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : 0));
	const shapes = records.filter((record): record is TLShape => record.typeName === 'shape');
	const perPage = pages.map((page) => shapesOnPage(shapes, page.id)).filter((onPage) => onPage.length > 0);
	if (perPage.length === 0) throw new TldrFileProblem('There is nothing on it to add.');
	const added = perPage[0];
	const ids = new Set<string>(added.map((shape) => shape.id));
	const usedAssets = new Set(added.map((shape) => (shape.props as { assetId?: unknown }).assetId).filter(Boolean));
	const content: TLContent = {
		shapes: added,
		rootShapeIds: added.filter((shape) => !ids.has(shape.parentId)).map((shape) => shape.id),
		bindings: records.filter((record) => record.typeName === 'binding' && ids.has(record.fromId) && ids.has(record.toId)) as TLContent['bindings'],
		assets: records.filter((record): record is TLAsset => record.typeName === 'asset' && usedAssets.has(record.id)),
		schema: editor.store.schema.serialize()
	};

	if (editor.getIsReadonly()) throw new TldrFileProblem('You can only view this canvas.');
	let missingImages = 0;
	content.assets = await Promise.all(
		content.assets.map(async (asset) => {
			const stored = await storedCopy(editor, asset);
			if (stored === 'missing') missingImages++;
			return stored === 'missing' ? withSource(asset, null) : stored;
		})
	);
	if (editor.getIsReadonly()) throw new TldrFileProblem('You can only view this canvas.');

	editor.markHistoryStoppingPoint('add .tldr file');
	editor.putContentOntoCurrentPage(content, { point, select: true });
	return { shapeCount: added.length, skippedPages: perPage.length - 1, missingImages };
}

/** The shapes of one page (its top-level shapes and everything inside them). */
function shapesOnPage(shapes: TLShape[], pageId: string): TLShape[] {
	const children = new Map<string, TLShape[]>();
	for (const shape of shapes) children.set(shape.parentId, [...(children.get(shape.parentId) ?? []), shape]);
	const found: TLShape[] = [];
	const visit = (parentId: string) => {
		for (const child of children.get(parentId) ?? []) {
			found.push(child);
			visit(child.id as TLShapeId);
		}
	};
	visit(pageId);
	return found;
}

/**
 * An image's record pointing at the canvas's asset store: inline (`data:`) pictures are uploaded,
 * pictures from another Easel canvas are fetched (with this person's access) and uploaded as this
 * canvas's own, since a canvas may only show its own files. 'missing' when there is nothing to bring.
 */
async function storedCopy(editor: Editor, asset: TLAsset): Promise<TLAsset | 'missing'> {
	if (asset.type === 'bookmark' || editor.getAsset(asset.id)) return asset;
	const src = asset.props.src;
	if (!src) return asset;
	let blob: Blob | null;
	if (src.startsWith('data:')) blob = blobOfDataUrl(src);
	else if (assetIdOfSrc(src)) {
		const response = await fetch(src).catch(() => null);
		if (!response?.ok) return 'missing';
		blob = await response.blob();
	} else return 'missing';
	if (!blob) return 'missing';
	const name = asset.props.name || `image.${blob.type.split('/')[1] ?? 'png'}`;
	const { src: storedSrc } = await editor.uploadAsset(asset, new File([blob], name, { type: blob.type || asset.props.mimeType || '' }));
	return withSource(asset, storedSrc);
}

/** The bytes of a `data:` URL, decoded here: the page's Content Security Policy lets fetch() reach this origin only. */
function blobOfDataUrl(src: string): Blob | null {
	const match = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s.exec(src);
	if (!match) return null;
	const [, type, parameters, data] = match;
	try {
		if (!parameters.split(';').includes('base64')) return new Blob([decodeURIComponent(data)], { type });
		const binary = atob(data);
		const bytes = new Uint8Array(binary.length);
		for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
		return new Blob([bytes], { type });
	} catch {
		return null;
	}
}

function withSource(asset: TLAsset, src: string | null): TLAsset {
	return { ...asset, props: { ...asset.props, src } } as TLAsset;
}

/**
 * Inside tldraw's UI (for its toasts): takes `.tldr` files out of drops on the canvas before tldraw
 * sees them (its own file handling would refuse them as unsupported images) and adds them.
 */
export function TldrFileDrop({ fileLimit }: { fileLimit: FileLimit }) {
	const editor = useEditor();
	const toasts = useToasts();
	useEffect(() => installTldrFileDrop(editor, { toasts, fileLimit }), [editor, toasts, fileLimit.bytes, fileLimit.plan]);
	return null;
}

function installTldrFileDrop(editor: Editor, { toasts, fileLimit }: { toasts: TLUiToastsContextType; fileLimit: FileLimit }): () => void {
	const container = editor.getContainer();
	const onDragOver = (event: DragEvent) => {
		// Lets files be dropped over tldraw's toolbars and panels too, where the browser would otherwise open them.
		if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
	};
	const onDrop = (event: DragEvent) => {
		const files = Array.from(event.dataTransfer?.files ?? []);
		const tldrFiles = files.filter(isTldrFile);
		if (tldrFiles.length === 0) return;
		event.preventDefault();
		event.stopPropagation();
		const point = editor.screenToPage({ x: event.clientX, y: event.clientY });
		const others = files.filter((file) => !isTldrFile(file));
		if (others.length > 0) void editor.putExternalContent({ type: 'files', files: others, point });
		void addDropped(tldrFiles, point);
	};

	async function addDropped(files: File[], point: VecLike): Promise<void> {
		for (const file of files) {
			const title = `Could not add “${file.name}”`;
			if (editor.getIsReadonly()) {
				toasts.addToast({
					severity: 'warning',
					title,
					description: 'You can only view this canvas: ask an editor to add the file, or import it from the dashboard as a new canvas.'
				});
				continue;
			}
			const working = toasts.addToast({ severity: 'info', title: `Adding “${file.name}”…`, keepOpen: true });
			try {
				const added = await addTldrFile(editor, file, { point, fileLimit });
				const notes = [
					added.skippedPages > 0 && `Only its first page was added (it has ${added.skippedPages + 1}); import it from the dashboard to get every page.`,
					added.missingImages > 0 && `${added.missingImages} of its images could not be brought along.`
				].filter(Boolean);
				toasts.addToast({
					severity: notes.length > 0 ? 'warning' : 'success',
					title: `Added “${file.name}”: ${added.shapeCount} ${added.shapeCount === 1 ? 'shape' : 'shapes'}`,
					description: notes.join(' ') || undefined
				});
			} catch (error) {
				// The asset store has already said why an image upload was refused; this says that nothing was added.
				const description = error instanceof TldrFileProblem ? error.message : `${error instanceof Error ? error.message : 'Something went wrong.'} Nothing was added.`;
				if (!(error instanceof TldrFileProblem)) console.error('[easel] a .tldr file could not be added', error);
				toasts.addToast({ severity: 'error', title, description });
			} finally {
				toasts.removeToast(working);
			}
		}
	}

	container.addEventListener('dragover', onDragOver, true);
	container.addEventListener('drop', onDrop, true);
	return () => {
		container.removeEventListener('dragover', onDragOver, true);
		container.removeEventListener('drop', onDrop, true);
	};
}
