// Small real image files for tests, made here rather than checked in: PNG (encoded with zlib),
// GIF, JPEG and WebP headers that decoders and sniffers accept, and SVG text.
import { deflateSync } from 'node:zlib';
import { PNG_SIGNATURE, encodePng, pngChunk, pngHeader } from '../../src/lib/server/png-encoder.ts';

/** A real RGBA PNG of `width` × `height` in one colour; `padding` bytes of noise in a private chunk make it larger. */
export function png(width = 2, height = 2, options: { rgba?: [number, number, number, number]; padding?: number } = {}): Uint8Array<ArrayBuffer> {
	const colour = options.rgba ?? [200, 30, 30, 255];
	const extraChunks: [string, Uint8Array][] = [];
	if (options.padding) {
		// A private ancillary chunk of random-looking bytes (decoders skip it).
		const noise = Buffer.alloc(options.padding);
		for (let index = 0; index < noise.length; index++) noise[index] = (index * 2654435761) >>> 24;
		extraChunks.push(['pdDg', noise]);
	}
	return new Uint8Array(encodePng(width, height, 4, () => colour, { extraChunks }));
}

/** A PNG header claiming `width` × `height` (a decompression bomb's shape: tiny file, huge picture). */
export function pngClaiming(width: number, height: number): Uint8Array<ArrayBuffer> {
	return new Uint8Array(
		Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', pngHeader(width, height, 4)), pngChunk('IDAT', deflateSync(Buffer.alloc(64))), pngChunk('IEND', new Uint8Array(0))])
	);
}

/** A 1 × 1 GIF. */
export function gif(): Uint8Array<ArrayBuffer> {
	return new Uint8Array(Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64'));
}

/** A 1 × 1 lossless WebP. */
export function webp(): Uint8Array<ArrayBuffer> {
	return new Uint8Array(Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64'));
}

/** A baseline JPEG's markers with a frame of `width` × `height` (SOI, JFIF, SOF0, EOI). */
export function jpeg(width = 3, height = 2): Uint8Array<ArrayBuffer> {
	const jfif = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
	const sof = [0xff, 0xc0, 0x00, 0x0b, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x01, 0x01, 0x11, 0x00];
	return new Uint8Array([0xff, 0xd8, ...jfif, ...sof, 0xff, 0xd9]);
}

export const text = (value: string) => new TextEncoder().encode(value);
export const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** A minimal ZIP archive (one empty stored file). */
export function zip(): Uint8Array<ArrayBuffer> {
	const name = Buffer.from('a.txt');
	const local = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, name.length, 0, 0, 0]), name]);
	const central = Buffer.concat([
		Buffer.from([
			0x50,
			0x4b,
			0x01,
			0x02,
			20,
			0,
			20,
			0,
			0,
			0,
			0,
			0,
			0,
			0,
			0,
			0,
			0,
			0,
			0,
			0,
			0,
			0,
			0,
			0,
			0,
			0,
			0,
			0,
			name.length,
			0,
			0,
			0,
			0,
			0,
			0,
			0,
			0,
			0,
			0,
			0,
			0,
			0,
			0,
			0,
			0,
			0
		]),
		name
	]);
	const end = Buffer.from([0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 1, 0, 1, 0, central.length, 0, 0, 0, local.length, 0, 0, 0, 0, 0]);
	return new Uint8Array(Buffer.concat([local, central, end]));
}
