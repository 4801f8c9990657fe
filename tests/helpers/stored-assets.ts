// Stored assets for tests that don't go through the upload route: the blob row and its bytes in the
// blob store (`blobs/<sha256>`), an asset row on a canvas, and the tldraw records that show it.
import { createHash } from 'node:crypto';
import type { Queryable } from '../../src/lib/server/db/index.ts';
import { assetBlobs, assets } from '../../src/lib/server/db/schema.ts';
import type { BlobStore } from '../../src/lib/server/assets/blob-store.ts';
import { assetSrc } from '../../src/lib/asset-urls.ts';

/** A 1×1 PNG; `variant` changes its bytes (and so its sha-256) without making it invalid. */
export function tinyPng(variant = 0): Uint8Array {
	const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
	// Bytes after IEND are ignored by decoders.
	return new Uint8Array(Buffer.concat([png, Buffer.from(`variant ${variant}`)]));
}

export interface StoredTestAsset {
	id: string;
	sha256: string;
	storageKey: string;
	/** The asset record's `props.src`. */
	src: string;
	bytes: number;
}

/** Stores `bytes` as an asset of `canvasId`, as an upload would (a blob stored once per content). */
export async function storeTestAsset(
	db: Queryable,
	blobs: BlobStore,
	canvasId: string,
	bytes: Uint8Array,
	mimeType = 'image/png',
	/** `recordedBytes`: the size the asset row claims (to fill a team's storage without writing that much). */
	options: { createdAt?: Date; uploadedBy?: string | null; recordedBytes?: number } = {}
): Promise<StoredTestAsset> {
	const sha256 = createHash('sha256').update(bytes).digest('hex');
	const storageKey = `blobs/${sha256}`;
	await blobs.put(storageKey, bytes, mimeType);
	await db.insert(assetBlobs).values({ sha256, storageKey, mimeType, bytes: bytes.byteLength }).onConflictDoNothing();
	const [row] = await db
		.insert(assets)
		.values({
			canvasId,
			sha256,
			mimeType,
			bytes: options.recordedBytes ?? bytes.byteLength,
			width: 1,
			height: 1,
			fileName: 'test.png',
			uploadedBy: options.uploadedBy ?? null,
			...(options.createdAt ? { createdAt: options.createdAt } : {})
		})
		.returning({ id: assets.id });
	return { id: row.id, sha256, storageKey, src: assetSrc(row.id), bytes: bytes.byteLength };
}

/** A tldraw image asset record (`asset:<name>`) whose content is `src`. */
export function imageAsset(id: string, src: string | null, props: Record<string, unknown> = {}) {
	return {
		id,
		typeName: 'asset',
		type: 'image',
		meta: {},
		props: { w: 1, h: 1, name: 'test.png', isAnimated: false, mimeType: 'image/png', src, ...props }
	};
}

/** An image shape on the first page showing asset `assetId`. */
export function imageShape(id: string, assetId: string, overrides: Record<string, unknown> = {}) {
	return {
		id,
		typeName: 'shape',
		type: 'image',
		x: 100,
		y: 100,
		rotation: 0,
		index: 'a2',
		parentId: 'page:page',
		isLocked: false,
		opacity: 1,
		meta: {},
		...overrides,
		props: { w: 100, h: 100, playing: true, url: '', assetId, crop: null, flipX: false, flipY: false, altText: '' }
	};
}
