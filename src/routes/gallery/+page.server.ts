import { error } from '@sveltejs/kit';
import { AppError, parseInput } from '$lib/server/errors';
import * as gallery from '$lib/server/gallery';
import type { PageServerLoad } from './$types';

const POPULAR_TAGS = 12;
/** The filter bar's tags are at most as old as the page caches may keep it. */
const filterBarTags = gallery.rememberedPopularTags(30_000);

/** The public gallery, server-rendered (no socket); the same page for every signed-out visitor, so caches may keep it briefly. */
export const load: PageServerLoad = async ({ locals, url, setHeaders }) => {
	setHeaders({ 'cache-control': locals.user ? 'private, no-cache' : 'public, max-age=30', vary: 'cookie' });
	const raw = Object.fromEntries([...url.searchParams].filter(([key, value]) => value !== '' && ['q', 'tag', 'sort', 'cursor'].includes(key)));
	try {
		const query = parseInput(gallery.galleryQuerySchema, raw);
		const [page, tags] = await Promise.all([gallery.listGallery(locals.db, query), filterBarTags(locals.db, POPULAR_TAGS)]);
		return {
			query: { q: query.q ?? '', tag: query.tag ?? '', sort: query.sort, paged: query.cursor !== undefined },
			items: page.items.map((item) => ({ ...item, publishedAt: item.publishedAt.toISOString() })),
			nextCursor: page.nextCursor,
			tags
		};
	} catch (caught) {
		if (caught instanceof AppError) error(caught.status, caught.message);
		throw caught;
	}
};
