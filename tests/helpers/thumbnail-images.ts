// Real image files made in the test itself (no fixtures to keep): PNGs of any size and colour, and
// the smallest lossless WebP.
import { crc32, deflateSync } from 'node:zlib';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A valid PNG of one colour, `width`×`height` RGB pixels. */
export function solidPng(width: number, height: number, [red, green, blue]: [number, number, number] = [76, 110, 245]): Uint8Array {
	const row = Buffer.alloc(1 + width * 3); // filter byte 0 (none), then the pixels
	for (let x = 0; x < width; x++) row.set([red, green, blue], 1 + x * 3);
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, truecolour, deflate, no filter method, no interlace
	const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
	return new Uint8Array(Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]));
}

/** A 1×1 lossless WebP. */
export function tinyWebp(): Uint8Array {
	return new Uint8Array(Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64'));
}

function chunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const checksum = Buffer.alloc(4);
	checksum.writeUInt32BE(crc32(typed));
	return Buffer.concat([length, typed, checksum]);
}
