// The pictures inside an imported .tldr file: each image asset inlined as a `data:` URL is checked
// like an upload (type by content, SVG sanitised, the plan's per-file limit) and becomes an asset of
// the new canvas, its record pointing at `/api/v1/assets/<id>`. A canvas takes content from nowhere
// else: remote image URLs, another canvas's asset paths and inline videos become empty placeholders
// (the shape keeps its place and size; a remote URL is kept in the asset's `meta.importedFrom`).
import { createHash, randomUUID } from 'node:crypto';
import type { TLAsset, TLRecord } from '@tldraw/tlschema';
import { AppError } from '../errors.ts';
import type { PlanId } from '../db/schema.ts';
import { checkUpload, type CheckedFile } from '../assets/file-types.ts';
import { fileTooLarge } from '../assets/upload-limits.ts';
import { assetSrc } from '../../asset-urls.ts';
import { invalidRecord } from './read-file.ts';

/** One stored asset the import creates (identical pictures in one file share it). */
export interface ImportedImage {
	assetId: string;
	sha256: string;
	file: CheckedFile;
	fileName: string | null;
}

const DATA_URL = /^data:([^,]*),/i;
const REMOTE_URL = /^https?:\/\//i;
const MAX_KEPT_URL_LENGTH = 2000;

/**
 * The records with every image and video asset's src rewritten as above, and the images to store.
 * PAYLOAD_TOO_LARGE for a picture past the plan's per-file limit, UNSUPPORTED_MEDIA_TYPE (or
 * INVALID_INPUT) for one that is not an image Easel accepts, each naming the picture.
 */
export async function extractEmbeddedImages(
	records: Record<string, TLRecord>,
	limits: { fileBytes: number; plan: PlanId }
): Promise<{ records: Record<string, TLRecord>; images: ImportedImage[] }> {
	const bySha = new Map<string, ImportedImage>();
	const result: Record<string, TLRecord> = {};
	for (const [id, record] of Object.entries(records)) {
		if (record.typeName !== 'asset' || (record.type !== 'image' && record.type !== 'video')) {
			result[id] = record;
			continue;
		}
		const asset = record as TLAsset & { props: { src: string | null; name: string } };
		const src = asset.props.src;
		if (!src) {
			result[id] = record;
			continue;
		}
		if (asset.type === 'image' && DATA_URL.test(src)) {
			const image = await checkedImage(asset, src, limits);
			const known = bySha.get(image.sha256);
			if (!known) bySha.set(image.sha256, image);
			result[id] = { ...asset, props: { ...asset.props, src: assetSrc((known ?? image).assetId) } } as TLRecord;
			continue;
		}
		const meta = REMOTE_URL.test(src) && src.length <= MAX_KEPT_URL_LENGTH ? { ...asset.meta, importedFrom: src } : asset.meta;
		result[id] = { ...asset, meta, props: { ...asset.props, src: null } } as TLRecord;
	}
	return { records: result, images: [...bySha.values()] };
}

async function checkedImage(asset: TLAsset & { props: { name: string } }, src: string, limits: { fileBytes: number; plan: PlanId }): Promise<ImportedImage> {
	const name = `“${String(asset.props.name || asset.id).slice(0, 80)}”`;
	const bytes = decodeDataUrl(src);
	if (!bytes) throw invalidRecord(asset, 'its image is not a readable data: URL');
	if (bytes.byteLength > limits.fileBytes) {
		const refusal = fileTooLarge(limits.plan);
		throw new AppError(refusal.code, `The image ${name} in this file is too large. ${refusal.message}`, { ...refusal.details, recordId: asset.id });
	}
	let file: CheckedFile;
	try {
		file = await checkUpload(bytes);
	} catch (error) {
		if (!(error instanceof AppError)) throw error;
		throw new AppError(error.code, `The image ${name} in this file can't be imported. ${error.message}`, { ...error.details, recordId: asset.id });
	}
	return {
		assetId: randomUUID(),
		sha256: createHash('sha256').update(file.bytes).digest('hex'),
		file,
		fileName: typeof asset.props.name === 'string' && asset.props.name.trim() ? asset.props.name.trim().slice(0, 200) : null
	};
}

/** The bytes of a `data:` URL, base64 or percent-encoded; null when it is neither. */
function decodeDataUrl(src: string): Uint8Array | null {
	const header = DATA_URL.exec(src);
	if (!header) return null;
	const payload = src.slice(header[0].length);
	if (/;base64$/i.test(header[1])) {
		if (/[^A-Za-z0-9+/=\s_-]/.test(payload)) return null;
		return new Uint8Array(Buffer.from(payload, 'base64'));
	}
	try {
		return new TextEncoder().encode(decodeURIComponent(payload));
	} catch {
		return null;
	}
}
