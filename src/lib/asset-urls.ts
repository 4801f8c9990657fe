// How a canvas's asset records point at the asset store, for the browser, the server's validation
// and the copies made by duplicate and remix alike: an uploaded image's `props.src` is
// `/api/v1/assets/<asset id>` (relative, so a canvas moves between hosts unchanged).

export const ASSET_PATH_PREFIX = '/api/v1/assets/';

const ASSET_SRC = /^\/api\/v1\/assets\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** The `src` an asset record gets for a stored asset. */
export function assetSrc(assetId: string): string {
	return `${ASSET_PATH_PREFIX}${assetId}`;
}

/** The stored asset a `src` points at, or null when it points elsewhere (a legacy inline `data:` image, nothing). */
export function assetIdOfSrc(src: unknown): string | null {
	if (typeof src !== 'string') return null;
	const match = ASSET_SRC.exec(src);
	return match ? match[1].toLowerCase() : null;
}

/** The stored assets a canvas's records use (asset records whose `props.src` points at the store). */
export function assetIdsInRecords(records: Iterable<unknown>): string[] {
	const ids = new Set<string>();
	for (const record of records) {
		const id = assetIdOfRecord(record);
		if (id) ids.add(id);
	}
	return [...ids];
}

/** The stored asset an asset record points at, or null. */
export function assetIdOfRecord(record: unknown): string | null {
	if (!record || typeof record !== 'object') return null;
	const { typeName, props } = record as { typeName?: unknown; props?: { src?: unknown } };
	return typeName === 'asset' ? assetIdOfSrc(props?.src) : null;
}
