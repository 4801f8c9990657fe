// The neutral picture a publication shows (and gives link previews) while it has no preview of its
// own: a 1200×630 PNG, light grey with a faint dotted grid like an empty canvas, made once in memory.
import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

export const PLACEHOLDER_WIDTH = 1200;
export const PLACEHOLDER_HEIGHT = 630;

let made: { bytes: Uint8Array; mimeType: 'image/png'; etag: string } | undefined;

export function placeholderPreview(): { bytes: Uint8Array; mimeType: 'image/png'; etag: string } {
	if (made) return made;
	const bytes = encodePng(PLACEHOLDER_WIDTH, PLACEHOLDER_HEIGHT, (x, y) => (x % 24 === 12 && y % 24 === 12 ? [206, 212, 218] : [241, 243, 245]));
	made = { bytes, mimeType: 'image/png', etag: `"placeholder-${createHash('sha256').update(bytes).digest('base64url').slice(0, 16)}"` };
	return made;
}

function encodePng(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Uint8Array {
	const raw = Buffer.alloc((width * 3 + 1) * height);
	for (let y = 0; y < height; y++) {
		const row = y * (width * 3 + 1);
		raw[row] = 0; // no filter
		for (let x = 0; x < width; x++) raw.set(pixel(x, y), row + 1 + x * 3);
	}
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, no filter, no interlace
	return Buffer.concat([
		Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
		chunk('IHDR', header),
		chunk('IDAT', deflateSync(raw, { level: 9 })),
		chunk('IEND', Buffer.alloc(0))
	]);
}

function chunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const checksum = Buffer.alloc(4);
	checksum.writeUInt32BE(crc32(typed));
	return Buffer.concat([length, typed, checksum]);
}
