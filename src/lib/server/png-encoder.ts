// The one PNG encoder: pictures the server makes itself (the publication placeholder) and the test
// helpers' images. 8 bits a channel, no filter, no interlace; zlib does the compression.
import { crc32, deflateSync } from 'node:zlib';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One chunk: length, type, data, CRC of type and data. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.byteLength);
	const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const checksum = Buffer.alloc(4);
	checksum.writeUInt32BE(crc32(typed));
	return Buffer.concat([length, typed, checksum]);
}

/** The IHDR chunk's data for an 8-bit RGB (3 channels) or RGBA (4) picture. */
export function pngHeader(width: number, height: number, channels: 3 | 4): Buffer {
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header.set([8, channels === 4 ? 6 : 2, 0, 0, 0], 8); // depth, colour type, deflate, no filter method, no interlace
	return header;
}

export interface PngOptions {
	/** zlib's level (default zlib's own). */
	level?: number;
	/** Ancillary chunks to add before IEND, as [type, data]. */
	extraChunks?: [string, Uint8Array][];
}

/** A PNG whose pixel at (x, y) is `pixelAt(x, y)`: `channels` values 0–255. */
export function encodePng(width: number, height: number, channels: 3 | 4, pixelAt: (x: number, y: number) => ArrayLike<number>, options: PngOptions = {}): Uint8Array {
	const stride = width * channels + 1; // each row starts with its filter byte, 0 (none)
	const raw = Buffer.alloc(stride * height);
	for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw.set(pixelAt(x, y), y * stride + 1 + x * channels);
	const pixels = deflateSync(raw, options.level === undefined ? {} : { level: options.level });
	const extra = (options.extraChunks ?? []).map(([type, data]) => pngChunk(type, data));
	return new Uint8Array(
		Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', pngHeader(width, height, channels)), pngChunk('IDAT', pixels), ...extra, pngChunk('IEND', Buffer.alloc(0))])
	);
}
