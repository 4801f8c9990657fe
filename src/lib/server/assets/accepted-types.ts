// The image types uploads may be, and the refusal every content check answers with.
import { AppError } from '../errors.ts';

export const ACCEPTED_MIME_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/svg+xml'] as const;
export type AcceptedMimeType = (typeof ACCEPTED_MIME_TYPES)[number];

/** The file name extension each accepted type is served with. */
export const EXTENSIONS: Record<AcceptedMimeType, string> = {
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'image/gif': 'gif',
	'image/webp': 'webp',
	'image/svg+xml': 'svg'
};

/** Largest picture accepted, in pixels: a small file can decode to gigabytes in every viewer's browser. */
export const MAX_IMAGE_PIXELS = 100_000_000;

/** What an upload's content check lets through: the bytes to store (for SVG, its sanitised form) and their size in pixels. */
export interface CheckedFile {
	mimeType: AcceptedMimeType;
	bytes: Uint8Array;
	width?: number;
	height?: number;
}

/** UNSUPPORTED_MEDIA_TYPE: `reason`, then which types are accepted. */
export function unsupported(reason: string): AppError {
	return new AppError('UNSUPPORTED_MEDIA_TYPE', `${reason} Upload PNG, JPEG, GIF, WebP or SVG images.`, { accepted: [...ACCEPTED_MIME_TYPES] });
}

export function assertPixels(width: number, height: number): void {
	if (width * height > MAX_IMAGE_PIXELS) {
		throw unsupported(`Images are at most ${MAX_IMAGE_PIXELS / 1_000_000} megapixels; this one is ${width} × ${height}.`);
	}
}
