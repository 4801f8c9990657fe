// The pictures in pushed messages. An inline one (a data: URL, Anthropic base64) is checked like an
// upload (type by content, SVG sanitised, the configured and the plan's size limits) and becomes an
// asset of the canvas, counted against the team's storage; identical pictures in one request share
// one asset. A link (http(s)) is kept as it is: the server never fetches it (no requests to
// addresses a program chose).
import { createHash, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Transaction } from '../db/index.ts';
import { assetBlobs, assets, type PlanId } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { Services } from '../services.ts';
import { blobKey } from '../assets/assets.ts';
import { checkUpload, type CheckedFile } from '../assets/file-types.ts';
import { assertStorageAvailable } from '../assets/storage-quota.ts';
import { fileTooLarge } from '../assets/upload-limits.ts';
import { formatBytes } from '../../format-bytes.ts';
import { invalid, type ImageSource, type NormalizedMessage } from './message-formats.ts';
import type { StoredImage, StoredPart } from './message-rows.ts';

/** The inline pictures of a request, checked, by content: stored once each. */
export interface CheckedImages {
	bySha: Map<string, { file: CheckedFile; assetId: string }>;
	/** Per message, per image part in order: the content's sha256, or the link. */
	sources: (string | { url: string })[][];
	bytes: number;
}

/** Checks every inline picture (PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE or INVALID_INPUT naming where it is). */
export async function checkImages(messages: NormalizedMessage[], limits: { maxImageBytes: number; planFileBytes: number; plan: PlanId }): Promise<CheckedImages> {
	const bySha = new Map<string, { file: CheckedFile; assetId: string }>();
	const sources: CheckedImages['sources'] = [];
	for (const message of messages) {
		const own: (string | { url: string })[] = [];
		for (const part of message.parts) {
			if (part.type !== 'image') continue;
			if (part.image.kind === 'link') {
				own.push({ url: part.image.url });
				continue;
			}
			const bytes = decodeInline(part.image, part.path);
			if (bytes.byteLength > limits.planFileBytes) {
				const refusal = fileTooLarge(limits.plan);
				throw new AppError(refusal.code, `${part.path}: this image is ${formatBytes(bytes.byteLength)}. ${refusal.message}`, { ...refusal.details, field: part.path });
			}
			if (bytes.byteLength > limits.maxImageBytes) {
				throw new AppError(
					'PAYLOAD_TOO_LARGE',
					`${part.path}: an image may be at most ${formatBytes(limits.maxImageBytes)}; this one is ${formatBytes(bytes.byteLength)}.`,
					{
						limit: 'conversationImageBytes',
						allowed: limits.maxImageBytes,
						field: part.path
					}
				);
			}
			let file: CheckedFile;
			try {
				file = await checkUpload(bytes);
			} catch (error) {
				if (!(error instanceof AppError)) throw error;
				throw new AppError(error.code, `${part.path}: ${error.message}`, { ...error.details, field: part.path });
			}
			const sha256 = createHash('sha256').update(file.bytes).digest('hex');
			if (!bySha.has(sha256)) bySha.set(sha256, { file, assetId: randomUUID() });
			own.push(sha256);
		}
		sources.push(own);
	}
	const bytes = [...bySha.values()].reduce((sum, image) => sum + image.file.bytes.byteLength, 0);
	return { bySha, sources, bytes };
}

/** Puts the bytes of each picture whose blob is not stored yet (before any row points at them); answers those that were. */
export async function storeImageBytes(services: Pick<Services, 'db' | 'blobs'>, images: CheckedImages): Promise<Set<string>> {
	const known = new Set<string>();
	for (const [sha256, image] of images.bySha) {
		const [row] = await services.db.select({ sha256: assetBlobs.sha256 }).from(assetBlobs).where(eq(assetBlobs.sha256, sha256));
		if (row) known.add(sha256);
		else await services.blobs.put(blobKey(sha256), image.file.bytes, image.file.mimeType);
	}
	return known;
}

/**
 * Writes the asset rows of the pictures for `canvasId`, within the team's storage (LIMIT_EXCEEDED
 * otherwise; takes the team's limit lock, so call it in the transaction that stores the messages).
 */
export async function insertImageAssets(
	tx: Transaction,
	services: Pick<Services, 'blobs'>,
	target: { canvasId: string; teamId: string; uploadedBy: string | null },
	images: CheckedImages,
	known: Set<string>
): Promise<void> {
	if (images.bySha.size === 0) return;
	await assertStorageAvailable(tx, target.teamId, images.bytes);
	for (const [sha256, image] of images.bySha) {
		const { file } = image;
		const created = await tx
			.insert(assetBlobs)
			.values({ sha256, storageKey: blobKey(sha256), mimeType: file.mimeType, bytes: file.bytes.byteLength })
			.onConflictDoNothing()
			.returning({ sha256: assetBlobs.sha256 });
		// The row was there when we looked but has been collected since: its bytes may be gone too.
		if (known.has(sha256) && created.length > 0) await services.blobs.put(blobKey(sha256), file.bytes, file.mimeType);
		await tx.insert(assets).values({
			id: image.assetId,
			canvasId: target.canvasId,
			sha256,
			mimeType: file.mimeType,
			bytes: file.bytes.byteLength,
			width: file.width ?? null,
			height: file.height ?? null,
			fileName: null,
			uploadedBy: target.uploadedBy
		});
	}
}

/** A message's parts as kept: each image part pointing at its stored asset or its link. */
export function storedParts(message: NormalizedMessage, sources: (string | { url: string })[], images: CheckedImages): StoredPart[] {
	let next = 0;
	return message.parts.map((part): StoredPart => {
		if (part.type !== 'image') return part;
		const source = sources[next++];
		if (typeof source !== 'string') return { type: 'image', image: { url: source.url } };
		const { file, assetId } = images.bySha.get(source)!;
		const image: StoredImage = { assetId, mediaType: file.mimeType, width: file.width ?? null, height: file.height ?? null, bytes: file.bytes.byteLength };
		return { type: 'image', image };
	});
}

/** The bytes of an inline picture; INVALID_INPUT when they are not base64 (or percent-encoded data). */
function decodeInline(image: Extract<ImageSource, { kind: 'inline' }>, path: string): Uint8Array {
	if (image.percentEncoded !== undefined) {
		try {
			return new TextEncoder().encode(decodeURIComponent(image.percentEncoded));
		} catch {
			throw invalid(path, 'the data: URL is not readable');
		}
	}
	const payload = image.base64.replace(/\s+/g, '');
	if (!payload || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(payload)) throw invalid(path, 'the image data is not base64');
	const bytes = new Uint8Array(Buffer.from(payload, 'base64'));
	if (bytes.byteLength === 0) throw invalid(path, 'the image is empty');
	return bytes;
}
