import * as assets from '$lib/server/assets/assets';
import { api } from '$lib/server/http/api';
import { assetResponse } from '$lib/server/http/asset-response';
import { assetRequester } from '$lib/server/http/uploads';
import type { RequestHandler } from './$types';

/**
 * An asset's bytes, to whom its canvas admits (a share link in Easel-Share-Token or, for <img>,
 * `?share=`) or anyone when a visible publication shows it; NOT_FOUND otherwise.
 */
export const GET: RequestHandler = api(async (event) => {
	const { actor, shareToken } = assetRequester(event, event.url.searchParams.get('share'));
	const asset = await assets.openAsset(event.locals.services, actor, event.params.assetId, { shareToken });
	return assetResponse(asset, event.request);
});
