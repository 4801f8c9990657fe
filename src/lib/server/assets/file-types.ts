// What an uploaded file is, decided by its content alone (never its name or the Content-Type the
// client sent): PNG, JPEG, GIF and WebP as they are, SVG only after sanitising it; anything else
// is refused with UNSUPPORTED_MEDIA_TYPE naming the accepted types.
import { fileTypeFromBuffer } from 'file-type';
import { imageSize } from 'image-size';
import { AppError } from '../errors.ts';
import { assertPixels, unsupported, type CheckedFile } from './accepted-types.ts';
import { sanitizeSvgOffThread } from './svg-sanitizer.ts';

export { ACCEPTED_MIME_TYPES, EXTENSIONS, MAX_IMAGE_PIXELS, type AcceptedMimeType, type CheckedFile } from './accepted-types.ts';
export { MAX_SVG_BYTES } from './svg-sanitizer.ts';

/**
 * Sniffs `bytes` and returns what to store, or throws UNSUPPORTED_MEDIA_TYPE saying why (INVALID_INPUT
 * for an empty file). Raster images are kept byte for byte after a structural check; SVG is
 * re-written without scripts, event handlers, foreign content or references outside the file.
 */
export async function checkUpload(bytes: Uint8Array): Promise<CheckedFile> {
	if (bytes.byteLength === 0) throw new AppError('INVALID_INPUT', 'The file is empty.');
	const sniffed = await fileTypeFromBuffer(bytes);
	const mime = sniffed?.mime === 'image/apng' ? 'image/png' : sniffed?.mime;
	if (mime === 'image/png' || mime === 'image/jpeg' || mime === 'image/gif' || mime === 'image/webp') return checkRaster(bytes, mime);
	if (mime === undefined || mime === 'application/xml') {
		const svg = await sanitizeSvgOffThread(bytes);
		if (svg) return svg;
	}
	const claimed = sniffed ? undefined : signatureOf(bytes);
	if (claimed) throw unsupported(`The file looks like a ${RASTER_NAMES[claimed]} image but is cut off or damaged.`);
	throw unsupported(sniffed ? `This file is ${describe(sniffed.mime)}, not an image Easel accepts.` : 'This file is not an image Easel accepts.');
}

/** The image type a file's first bytes claim, for files too broken for the sniffer to name. */
function signatureOf(bytes: Uint8Array): keyof typeof RASTER_NAMES | undefined {
	const starts = (...signature: number[]) => signature.every((byte, index) => bytes[index] === byte);
	if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
	if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
	if (starts(0x47, 0x49, 0x46, 0x38)) return 'image/gif';
	if (starts(0x52, 0x49, 0x46, 0x46) && String.fromCharCode(...bytes.subarray(8, 12)) === 'WEBP') return 'image/webp';
	return undefined;
}

function describe(mime: string): string {
	const names: Record<string, string> = { 'application/zip': 'a ZIP archive', 'application/pdf': 'a PDF document', 'application/x-msdownload': 'a Windows program' };
	return names[mime] ?? `of type ${mime}`;
}

const RASTER_NAMES = { 'image/png': 'PNG', 'image/jpeg': 'JPEG', 'image/gif': 'GIF', 'image/webp': 'WebP' } as const;

function checkRaster(bytes: Uint8Array, mimeType: keyof typeof RASTER_NAMES): CheckedFile {
	const damaged = () => unsupported(`The file looks like a ${RASTER_NAMES[mimeType]} image but is cut off or damaged.`);
	if (mimeType === 'image/png' && !pngIsWhole(bytes)) throw damaged();
	if (mimeType === 'image/webp' && !riffIsWhole(bytes)) throw damaged();
	let size: { width?: number; height?: number };
	try {
		size = imageSize(bytes);
	} catch {
		throw damaged();
	}
	const { width, height } = size;
	if (!width || !height || width < 1 || height < 1) throw damaged();
	assertPixels(width, height);
	return { mimeType, bytes, width, height };
}

/** The PNG's chunks, from the header (IHDR first) to its end marker (IEND), all lie within the file. */
function pngIsWhole(bytes: Uint8Array): boolean {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	let offset = 8;
	let first = true;
	while (offset + 12 <= bytes.byteLength) {
		const length = view.getUint32(offset);
		const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
		if (!/^[A-Za-z]{4}$/.test(type) || (first && type !== 'IHDR')) return false;
		offset += 12 + length;
		if (offset > bytes.byteLength) return false;
		if (type === 'IEND') return true;
		first = false;
	}
	return false;
}

/** A WebP's RIFF container is as long as it says. */
function riffIsWhole(bytes: Uint8Array): boolean {
	if (bytes.byteLength < 12) return false;
	const declared = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
	return declared + 8 <= bytes.byteLength;
}
