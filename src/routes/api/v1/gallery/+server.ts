import * as gallery from '$lib/server/gallery';
import { api, readQuery } from '$lib/server/http/api';
import { runtime } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

/** The public gallery as JSON: `?q=&tag=&sort=newest|views|remixes&cursor=&limit=`; no account needed. */
export const GET: RequestHandler = api(async (event) => {
	const query = readQuery(event, gallery.galleryQuerySchema);
	const page = await gallery.listGallery(event.locals.db, query, { origin: runtime().config.publicOrigin });
	return Response.json(
		{
			items: page.items.map((item) => ({ ...item, publishedAt: item.publishedAt.toISOString() })),
			nextCursor: page.nextCursor
		},
		{ headers: { 'cache-control': 'public, max-age=30' } }
	);
});
