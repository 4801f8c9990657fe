// The server renderer's view of the asset store: the bytes of an asset (`/api/v1/assets/<id>`) that the
// render page asks for, read straight from the database and the blob store (the page has no session).
import { and, eq } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import { assetBlobs, assets } from '../db/schema.ts';
import { readBlob, type BlobStore } from '../assets/blob-store.ts';
import type { AssetLoader } from './chromium-renderer.ts';

/** Reads assets from `db` and the blob store `blobs()` returns (looked up per call: the runtime may swap it). */
export function storedAssetLoader(db: Database, blobs: () => BlobStore): AssetLoader {
	return async (assetId, canvasId) => {
		const [row] = await db
			.select({ mimeType: assets.mimeType, storageKey: assetBlobs.storageKey })
			.from(assets)
			.innerJoin(assetBlobs, eq(assetBlobs.sha256, assets.sha256))
			.where(canvasId ? and(eq(assets.id, assetId), eq(assets.canvasId, canvasId)) : eq(assets.id, assetId))
			.limit(1);
		if (!row) return null;
		const blob = await blobs().get(row.storageKey);
		return blob ? { bytes: await readBlob(blob), mimeType: row.mimeType } : null;
	};
}
