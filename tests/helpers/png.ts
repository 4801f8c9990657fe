// Just enough PNG for tests: encode an RGBA picture, decode 8-bit RGB/RGBA non-interlaced ones (what
// Chromium's canvas writes) to look at their pixels.
import { inflateSync } from 'node:zlib';
import { PNG_SIGNATURE as SIGNATURE, encodePng as encodeWith } from '../../src/lib/server/png-encoder.ts';

export interface Picture {
	width: number;
	height: number;
	/** 4 bytes a pixel, row by row. */
	rgba: Uint8Array;
}

/** A PNG of one colour (`rgba` 0–255 each). */
export function solidPng(width: number, height: number, [r, g, b, a]: [number, number, number, number]): Uint8Array {
	const rgba = new Uint8Array(width * height * 4);
	for (let i = 0; i < rgba.length; i += 4) rgba.set([r, g, b, a], i);
	return encodePng({ width, height, rgba });
}

/** A PNG of an RGBA picture. */
export function encodePng({ width, height, rgba }: Picture): Uint8Array {
	return encodeWith(width, height, 4, (x, y) => rgba.subarray((y * width + x) * 4, (y * width + x) * 4 + 4));
}

export function decodePng(bytes: Uint8Array): Picture {
	const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	if (!buffer.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG');
	let offset = 8;
	let width = 0;
	let height = 0;
	let channels = 0;
	const data: Buffer[] = [];
	while (offset < buffer.length) {
		const length = buffer.readUInt32BE(offset);
		const type = buffer.toString('ascii', offset + 4, offset + 8);
		const body = buffer.subarray(offset + 8, offset + 8 + length);
		if (type === 'IHDR') {
			width = body.readUInt32BE(0);
			height = body.readUInt32BE(4);
			const [depth, colourType, , , interlace] = body.subarray(8, 13);
			if (depth !== 8 || interlace !== 0 || (colourType !== 6 && colourType !== 2)) throw new Error(`unsupported PNG (depth ${depth}, colour type ${colourType})`);
			channels = colourType === 6 ? 4 : 3;
		} else if (type === 'IDAT') data.push(body);
		offset += 12 + length;
	}
	const raw = inflateSync(Buffer.concat(data));
	const stride = width * channels;
	const pixels = Buffer.alloc(stride * height);
	for (let y = 0; y < height; y++) {
		const filter = raw[y * (stride + 1)];
		const row = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
		for (let x = 0; x < stride; x++) {
			const left = x >= channels ? pixels[y * stride + x - channels] : 0;
			const up = y > 0 ? pixels[(y - 1) * stride + x] : 0;
			const upLeft = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
			const predictor = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter];
			if (predictor === undefined) throw new Error(`bad PNG filter ${filter}`);
			pixels[y * stride + x] = (row[x] + predictor) & 0xff;
		}
	}
	if (channels === 4) return { width, height, rgba: new Uint8Array(pixels) };
	const rgba = new Uint8Array(width * height * 4);
	for (let i = 0; i < width * height; i++) rgba.set([pixels[i * 3], pixels[i * 3 + 1], pixels[i * 3 + 2], 255], i * 4);
	return { width, height, rgba };
}

function paeth(a: number, b: number, c: number): number {
	const p = a + b - c;
	const pa = Math.abs(p - a);
	const pb = Math.abs(p - b);
	const pc = Math.abs(p - c);
	return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** How many pixels are close to `[r, g, b]` (each channel within `tolerance`). */
export function countPixels(picture: Picture, [r, g, b]: [number, number, number], tolerance = 24): number {
	let count = 0;
	for (let i = 0; i < picture.rgba.length; i += 4) {
		if (Math.abs(picture.rgba[i] - r) <= tolerance && Math.abs(picture.rgba[i + 1] - g) <= tolerance && Math.abs(picture.rgba[i + 2] - b) <= tolerance) count++;
	}
	return count;
}

/** How many different colours the picture has. */
export function distinctColours(picture: Picture): number {
	const seen = new Set<number>();
	for (let i = 0; i < picture.rgba.length; i += 4) seen.add(((picture.rgba[i] << 16) | (picture.rgba[i + 1] << 8) | picture.rgba[i + 2]) >>> 0);
	return seen.size;
}
