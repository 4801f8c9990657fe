// Images on a canvas, in the browser: tldraw's asset store uploads pasted, dropped and inserted files
// to `POST /api/v1/canvases/:id/assets` (records then point at `/api/v1/assets/<id>`), and resolves
// them for display: members through their session cookie, share-link guests by fetching with the
// link's token in a header and handing tldraw object URLs (the token never goes into a URL). Legacy
// inline `data:` images resolve to themselves. Refused uploads explain themselves in a toast and
// leave nothing half-made on the canvas.
import {
	DEFAULT_SUPPORTED_IMAGE_TYPES,
	defaultHandleExternalFileContent,
	defaultHandleExternalFileReplaceContent,
	type Editor,
	type TLAsset,
	type TLAssetId,
	type TLAssetStore,
	type TLDefaultExternalContentHandlerOpts,
	type TLShape,
	type TLShapePartial,
	type TLUiToastsContextType
} from 'tldraw';
import { assetIdOfSrc } from '../asset-urls.ts';
import { SHARE_TOKEN_HEADER } from '../document-state.ts';

/** What the server stores (content-sniffed there; SVG sanitised): tldraw refuses anything else before uploading. */
export const ACCEPTED_IMAGE_TYPES: readonly string[] = DEFAULT_SUPPORTED_IMAGE_TYPES.filter((type) =>
	['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/svg+xml'].includes(type)
);

/** The team's per-file limit, as the canvas page's server load gives it. */
export interface FileLimit {
	bytes: number;
	/** The plan's name, for the message. */
	plan: string;
}

export interface UploadFailure {
	assetId: TLAssetId;
	fileName: string;
	/** The API's error code, or NETWORK. */
	code: string;
	message: string;
}

export interface CanvasAssetStore extends TLAssetStore {
	/** Calls `listener` for every upload the server refused or that could not be sent; returns how to stop. */
	onUploadFailed(listener: (failure: UploadFailure) => void): () => void;
	/** Revokes the object URLs made for a guest. */
	dispose(): void;
}

/** What a refused upload says when the server's answer carries no message. */
const FALLBACK_MESSAGES: Record<number, string> = {
	402: "The team's storage is full.",
	403: 'This link only lets you view the canvas.',
	404: 'This canvas no longer exists, or you no longer have access to it.',
	413: 'This file is larger than the plan allows.',
	415: 'Only PNG, JPEG, GIF, WebP and SVG images can be added to a canvas.',
	429: 'Too many uploads at once. Wait a moment and try again.'
};

export interface CanvasAssetStoreOptions {
	canvasId: string;
	/** A share-link guest's token, sent as `Easel-Share-Token` (never in a URL). */
	shareToken?: string;
	/** Where the API is; default this page's origin. */
	baseUrl?: string;
}

export function createCanvasAssetStore({ canvasId, shareToken, baseUrl = '' }: CanvasAssetStoreOptions): CanvasAssetStore {
	const listeners = new Set<(failure: UploadFailure) => void>();
	const objectUrls = new Map<string, Promise<string | null>>();
	const made: string[] = [];
	let disposed = false;
	const tokenHeaders = (): Record<string, string> => (shareToken ? { [SHARE_TOKEN_HEADER]: shareToken } : {});

	function fail(asset: TLAsset, file: File, code: string, message: string): never {
		const failure = { assetId: asset.id, fileName: file.name, code, message };
		for (const listener of listeners) listener(failure);
		throw new AssetUploadError(code, message);
	}

	/** A guest's view of a stored asset: fetched with the link's token, shown from memory. */
	function objectUrlOf(src: string): Promise<string | null> {
		let url = objectUrls.get(src);
		if (!url) {
			url = fetch(`${baseUrl}${src}`, { headers: tokenHeaders() })
				.then(async (response) => {
					if (!response.ok) throw new Error(`asset answered ${response.status}`);
					const blob = await response.blob();
					if (disposed) return null;
					const objectUrl = URL.createObjectURL(blob);
					made.push(objectUrl);
					return objectUrl;
				})
				.catch(() => {
					// Not cached: the next render asks again (the asset may still be uploading elsewhere).
					objectUrls.delete(src);
					return null;
				});
			objectUrls.set(src, url);
		}
		return url;
	}

	return {
		async upload(asset, file, signal) {
			const body = new FormData();
			body.append('file', file, file.name || 'image');
			let response: Response;
			try {
				response = await fetch(`${baseUrl}/api/v1/canvases/${canvasId}/assets`, { method: 'POST', body, headers: tokenHeaders(), signal });
			} catch (error) {
				if (signal?.aborted) throw error;
				fail(asset, file, 'NETWORK', 'The image could not be uploaded. Check your connection and try again.');
			}
			const answer = (await response.json().catch(() => null)) as {
				asset?: { src?: unknown };
				error?: { code?: string; message?: string };
			} | null;
			if (!response.ok) {
				fail(
					asset,
					file,
					answer?.error?.code ?? `HTTP_${response.status}`,
					answer?.error?.message ?? FALLBACK_MESSAGES[response.status] ?? 'The image could not be uploaded. Try again shortly.'
				);
			}
			const src = answer?.asset?.src;
			if (typeof src !== 'string' || !assetIdOfSrc(src))
				fail(asset, file, 'INVALID_RESPONSE', 'The server answered the upload in a way this page does not understand. Reload and try again.');
			return { src };
		},

		resolve(asset) {
			const src = asset.props.src;
			if (!src) return null;
			// Members' <img> requests carry the session cookie; inline data: images and other URLs are shown as they are.
			if (!shareToken || !assetIdOfSrc(src)) return src;
			return objectUrlOf(src);
		},

		onUploadFailed(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},

		dispose() {
			disposed = true;
			for (const url of made) URL.revokeObjectURL(url);
			made.length = 0;
			objectUrls.clear();
			listeners.clear();
		}
	};
}

export class AssetUploadError extends Error {
	readonly code: string;
	constructor(code: string, message: string) {
		super(message);
		this.name = 'AssetUploadError';
		this.code = code;
	}
}

/** Bytes in the plan catalog's units (decimal: 10 MB = 10,000,000 bytes). */
export function formatFileSize(bytes: number): string {
	if (bytes < 1000) return `${bytes} bytes`;
	const [value, unit] = bytes < 1e6 ? [bytes / 1e3, 'KB'] : bytes < 1e9 ? [bytes / 1e6, 'MB'] : [bytes / 1e9, 'GB'];
	return `${Number(value.toFixed(value < 10 ? 1 : 0))} ${unit}`;
}

/** How long after an explained failure tldraw's own generic "upload failed" toast is dropped as a duplicate. */
const EXPLAINED_WITHIN_MS = 3000;

export interface AssetHandlingOptions extends Omit<TLDefaultExternalContentHandlerOpts, 'toasts'> {
	assets: CanvasAssetStore;
	toasts: TLUiToastsContextType;
	fileLimit: FileLimit;
}

/**
 * Makes tldraw's file handling say why a file was refused and clean up after a failed upload: files
 * over the plan's limit are refused with the limit named; a refused upload shows the server's message
 * (instead of tldraw's generic one) and the image it had placed is removed again, or, for a replaced
 * image, put back as it was. Returns how to undo it.
 */
export function installAssetHandling(editor: Editor, { assets, toasts, fileLimit, ...handlerOptions }: AssetHandlingOptions): () => void {
	let explainedAt = -Infinity;
	const uploadFailedTitle = handlerOptions.msg('assets.files.upload-failed');
	// tldraw's handlers toast a generic "Upload failed" after a refused upload: the explanation has been shown already.
	const quietToasts: TLUiToastsContextType = {
		...toasts,
		addToast(toast) {
			if (toast.title === uploadFailedTitle && performance.now() - explainedAt < EXPLAINED_WITHIN_MS) return '';
			return toasts.addToast(toast);
		}
	};
	const options: TLDefaultExternalContentHandlerOpts = { ...handlerOptions, maxAssetSize: fileLimit.bytes, toasts: quietToasts };

	const stopListening = assets.onUploadFailed((failure) => {
		explainedAt = performance.now();
		toasts.addToast({ severity: 'error', title: failure.fileName ? `Could not add “${failure.fileName}”` : 'Could not add the image', description: failure.message });
		// A record already holding a stored picture was an identical file on the canvas: it must survive tldraw's clean-up.
		const before = editor.getAsset(failure.assetId);
		const keep = before?.props.src ? before : null;
		// tldraw deletes the asset record right after the failed upload; the shape it placed goes with it.
		setTimeout(() => {
			if (editor.isDisposed || editor.getAsset(failure.assetId)) return;
			if (keep) {
				editor.createAssets([keep]);
				return;
			}
			const placed = shapesUsingAsset(editor, failure.assetId);
			if (placed.length > 0) editor.run(() => editor.deleteShapes(placed), { history: 'ignore' });
		}, 0);
	});

	editor.registerExternalContentHandler('files', async (content) => {
		const fitting = content.files.filter((file) => {
			if (file.size <= fileLimit.bytes) return true;
			toasts.addToast({
				severity: 'error',
				title: `“${file.name || 'This file'}” is too large`,
				description: `It is ${formatFileSize(file.size)}; the ${fileLimit.plan} plan allows files up to ${formatFileSize(fileLimit.bytes)}.`
			});
			return false;
		});
		if (fitting.length > 0) await defaultHandleExternalFileContent(editor, { ...content, files: fitting }, options);
	});

	editor.registerExternalContentHandler('file-replace', async (content) => {
		const shape = editor.getShape(content.shapeId);
		try {
			return await defaultHandleExternalFileReplaceContent(editor, content, options);
		} catch (error) {
			// The shape was switched to the new (unsaved) picture before the upload: switch it back, and drop that picture.
			if (shape && editor.getShape(shape.id)) editor.updateShapes([shape as TLShapePartial]);
			const unsaved = editor.getAssets().filter((asset) => !asset.props.src && shapesUsingAsset(editor, asset.id).length === 0);
			if (unsaved.length > 0) editor.deleteAssets(unsaved.map((asset) => asset.id));
			throw error;
		}
	});

	return stopListening;
}

function shapesUsingAsset(editor: Editor, assetId: TLAssetId): TLShape[] {
	return editor.store.query
		.records('shape')
		.get()
		.filter((shape) => (shape.props as { assetId?: unknown }).assetId === assetId);
}
