// Canvas thumbnails: the picture the dashboard shows, rendered by an editor's browser with tldraw's
// own exporter and uploaded here. The server only checks it is a small WebP or PNG, keeps it under
// `thumbnails/<canvas id>` in the blob store (not counted in the team's storage) and serves it to
// whoever may open the canvas.
import { eq } from 'drizzle-orm';
import { fileTypeFromBuffer } from 'file-type';
import { imageSize } from 'image-size';
import type { Queryable } from './db/index.ts';
import { canvases } from './db/schema.ts';
import { requireEditable, resolveCanvasAccess, type Actor, type CanvasAccess } from './access.ts';
import { readBlob } from './assets/blob-store.ts';
import { AppError } from './errors.ts';
import type { Services } from './services.ts';

/** Largest thumbnail accepted, in bytes (the browser aims well below: ~640×400 WebP). */
export const MAX_THUMBNAIL_BYTES = 300_000;
/** Largest width and height accepted, in pixels. */
export const MAX_THUMBNAIL_SIDE = 1024;

const THUMBNAIL_TYPES = new Set(['image/webp', 'image/png']);

export function thumbnailKey(canvasId: string): string {
	return `thumbnails/${canvasId}`;
}

/** Who asks, beyond the actor: a guest on a share link presents its token. */
export interface ThumbnailRequest {
	shareToken?: string;
}

/**
 * Stores `bytes` as the canvas's thumbnail, for anyone who may edit it (edit-link guests too;
 * viewers FORBIDDEN, outsiders NOT_FOUND). The bytes must sniff as WebP or PNG, be at most
 * MAX_THUMBNAIL_BYTES and MAX_THUMBNAIL_SIDE on each side. Leaves the canvas's `updatedAt` alone.
 */
export async function saveThumbnail(services: Services, actor: Actor, canvasId: string, bytes: Uint8Array, request: ThumbnailRequest = {}): Promise<{ updatedAt: Date }> {
	const { db, blobs, logger } = services;
	const access = await resolveCanvasAccess(db, actor, canvasId, request.shareToken);
	await requireEditable(db, access);
	const mimeType = await checkThumbnail(bytes);
	const key = thumbnailKey(access.canvas.id);
	await blobs.put(key, bytes, mimeType);
	const updatedAt = new Date();
	const updated = await db
		.update(canvases)
		.set({ thumbnailKey: key, thumbnailUpdatedAt: updatedAt })
		.where(eq(canvases.id, access.canvas.id))
		.returning({ id: canvases.id });
	if (updated.length === 0) {
		// Deleted while the bytes were on their way: nothing may keep them.
		await deleteThumbnails(services, [key]);
		logger.info({ canvasId }, 'thumbnail of a canvas deleted meanwhile discarded');
		throw new AppError('NOT_FOUND', 'Canvas was not found.');
	}
	return { updatedAt };
}

/** Removes the canvas's thumbnail (its page was emptied): the dashboard shows the placeholder again. Editors only, as for saving. */
export async function clearThumbnail(services: Services, actor: Actor, canvasId: string, request: ThumbnailRequest = {}): Promise<void> {
	const { db } = services;
	const access = await resolveCanvasAccess(db, actor, canvasId, request.shareToken);
	await requireEditable(db, access);
	const [previous] = await db.select({ key: canvases.thumbnailKey }).from(canvases).where(eq(canvases.id, access.canvas.id));
	if (!previous?.key) return;
	await db.update(canvases).set({ thumbnailKey: null, thumbnailUpdatedAt: null }).where(eq(canvases.id, access.canvas.id));
	await deleteThumbnails(services, [previous.key]);
}

export interface OpenedThumbnail {
	/** When it was uploaded: its version, for ETags. */
	updatedAt: Date;
	/** Its bytes and (sniffed) type; NOT_FOUND when the stored object has gone meanwhile. */
	read(): Promise<{ bytes: Uint8Array; mimeType: string }>;
}

/** The canvas's thumbnail, for anyone who may open the canvas; NOT_FOUND when it has none (yet). */
export async function openThumbnail(services: Services, actor: Actor, canvasId: string, request: ThumbnailRequest = {}): Promise<OpenedThumbnail> {
	const { db, blobs } = services;
	const access = await resolveCanvasAccess(db, actor, canvasId, request.shareToken);
	const [row] = await db.select({ key: canvases.thumbnailKey, updatedAt: canvases.thumbnailUpdatedAt }).from(canvases).where(eq(canvases.id, access.canvas.id));
	if (!row?.key || !row.updatedAt) throw noThumbnail();
	const key = row.key;
	return {
		updatedAt: row.updatedAt,
		async read() {
			const stored = await blobs.get(key);
			if (!stored) throw noThumbnail();
			const bytes = await readBlob(stored);
			const type = await fileTypeFromBuffer(bytes);
			if (!type || !THUMBNAIL_TYPES.has(type.mime)) throw noThumbnail();
			return { bytes, mimeType: type.mime };
		}
	};
}

export interface ThumbnailState {
	/** A thumbnail is stored. */
	exists: boolean;
	/** There is none, or the canvas was edited after it was made: an editor opening it should make one. */
	stale: boolean;
}

/** Whether a canvas's thumbnail needs making, from its summary's times. */
export function thumbnailState(canvas: { updatedAt: Date; thumbnailUpdatedAt: Date | null }): ThumbnailState {
	const exists = canvas.thumbnailUpdatedAt !== null;
	return { exists, stale: !exists || canvas.updatedAt.getTime() > canvas.thumbnailUpdatedAt!.getTime() };
}

/** The thumbnail state of a canvas someone was already given access to (the share-link page). */
export async function thumbnailStateOf(db: Queryable, access: CanvasAccess): Promise<ThumbnailState> {
	const [row] = await db
		.select({ updatedAt: canvases.updatedAt, thumbnailUpdatedAt: canvases.thumbnailUpdatedAt })
		.from(canvases)
		.where(eq(canvases.id, access.canvas.id));
	return row ? thumbnailState(row) : { exists: false, stale: false };
}

/**
 * Deletes the stored thumbnails of canvases that are gone (call it after the delete committed). A
 * failure is logged, not thrown: the canvas is already deleted, and an orphaned object harms no one.
 */
export async function deleteThumbnails(services: Pick<Services, 'blobs' | 'logger'>, keys: readonly (string | null)[]): Promise<void> {
	await Promise.all(
		keys
			.filter((key): key is string => key !== null)
			.map((key) => services.blobs.delete(key).catch((error: unknown) => services.logger.warn({ err: error, key }, 'could not delete a thumbnail')))
	);
}

async function checkThumbnail(bytes: Uint8Array): Promise<string> {
	if (bytes.byteLength > MAX_THUMBNAIL_BYTES) {
		throw new AppError('PAYLOAD_TOO_LARGE', `A thumbnail may be at most ${MAX_THUMBNAIL_BYTES / 1000} KB; this one is ${Math.ceil(bytes.byteLength / 1000)} KB.`, {
			limit: MAX_THUMBNAIL_BYTES
		});
	}
	const type = await fileTypeFromBuffer(bytes);
	if (!type || !THUMBNAIL_TYPES.has(type.mime)) {
		throw new AppError('UNSUPPORTED_MEDIA_TYPE', `A thumbnail must be a WebP or PNG image${type ? `, not ${type.mime}` : ''}.`);
	}
	let size: { width?: number; height?: number };
	try {
		size = imageSize(bytes);
	} catch {
		throw new AppError('INVALID_INPUT', 'The thumbnail is not a readable image.', { field: 'body' });
	}
	const { width = 0, height = 0 } = size;
	if (width < 1 || height < 1 || width > MAX_THUMBNAIL_SIDE || height > MAX_THUMBNAIL_SIDE) {
		throw new AppError('INVALID_INPUT', `A thumbnail may be at most ${MAX_THUMBNAIL_SIDE}×${MAX_THUMBNAIL_SIDE} pixels; this one is ${width}×${height}.`, {
			field: 'dimensions'
		});
	}
	return type.mime;
}

function noThumbnail(): AppError {
	return new AppError('NOT_FOUND', 'This canvas has no thumbnail yet.');
}
