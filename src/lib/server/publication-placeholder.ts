// The neutral picture a publication shows (and gives link previews) while it has no preview of its
// own: a 1200×630 PNG, light grey with a faint dotted grid like an empty canvas, made once in memory.
import { createHash } from 'node:crypto';
import { encodePng } from './png-encoder.ts';

export const PLACEHOLDER_WIDTH = 1200;
export const PLACEHOLDER_HEIGHT = 630;

let made: { bytes: Uint8Array; mimeType: 'image/png'; etag: string } | undefined;

export function placeholderPreview(): { bytes: Uint8Array; mimeType: 'image/png'; etag: string } {
	if (made) return made;
	const dot = [206, 212, 218];
	const paper = [241, 243, 245];
	const bytes = encodePng(PLACEHOLDER_WIDTH, PLACEHOLDER_HEIGHT, 3, (x, y) => (x % 24 === 12 && y % 24 === 12 ? dot : paper), { level: 9 });
	made = { bytes, mimeType: 'image/png', etag: `"placeholder-${createHash('sha256').update(bytes).digest('base64url').slice(0, 16)}"` };
	return made;
}
