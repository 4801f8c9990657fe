// Copies of a canvas's assets for another canvas (duplicate, remix): the copy gets asset rows of its
// own pointing at the same stored blobs (nothing is uploaded twice), and its asset records point at
// them. An asset is then reachable exactly through the canvas (or publication) that holds it.
import { and, eq, inArray } from 'drizzle-orm';
import type { Queryable } from '../db/index.ts';
import { assets } from '../db/schema.ts';
import { assetIdOfRecord, assetSrc } from '../../asset-urls.ts';

/**
 * `records` (a canvas's tldraw records by id) as they must be in canvas `toCanvasId`: every asset
 * record that points at a stored asset of the source gets a new asset row on `toCanvasId` and points
 * at it. An asset whose row is gone (collected) keeps its src and shows as missing, as it did before;
 * so does one that belongs to another canvas than `fromCanvasId`, when given. Run it in the
 * transaction that creates the copy.
 */
export async function copyCanvasAssets(
	db: Queryable,
	input: { records: Record<string, unknown>; toCanvasId: string; copiedBy: string | null; fromCanvasId?: string }
): Promise<Record<string, unknown>> {
	const sourceIds = [
		...new Set(
			Object.values(input.records)
				.map(assetIdOfRecord)
				.filter((id): id is string => id !== null)
		)
	];
	if (sourceIds.length === 0) return input.records;
	const sources = await db
		.select()
		.from(assets)
		.where(input.fromCanvasId ? and(inArray(assets.id, sourceIds), eq(assets.canvasId, input.fromCanvasId)) : inArray(assets.id, sourceIds));
	const copies = new Map<string, string>();
	for (const source of sources) {
		const [copy] = await db
			.insert(assets)
			.values({
				canvasId: input.toCanvasId,
				sha256: source.sha256,
				mimeType: source.mimeType,
				bytes: source.bytes,
				width: source.width,
				height: source.height,
				fileName: source.fileName,
				uploadedBy: input.copiedBy
			})
			.returning({ id: assets.id });
		copies.set(source.id, copy.id);
	}
	const result: Record<string, unknown> = {};
	for (const [key, record] of Object.entries(input.records)) {
		const sourceId = assetIdOfRecord(record);
		const copyId = sourceId && copies.get(sourceId);
		if (!copyId) {
			result[key] = record;
			continue;
		}
		const asset = record as { props: Record<string, unknown> };
		result[key] = { ...asset, props: { ...asset.props, src: assetSrc(copyId) } };
	}
	return result;
}
