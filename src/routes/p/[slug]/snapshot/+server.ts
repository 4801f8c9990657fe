import { error } from '@sveltejs/kit';
import { PUBLISHED_PAGE_CACHE } from '$lib/server/http/published-pages';
import * as publications from '$lib/server/publications';
import type { RequestHandler } from './$types';

const GONE = 'This canvas is not published.';

/** `{ records, schema }`: the frozen version the published page's viewer loads (over HTTP, no socket); 404 once unpublished or hidden. */
export const GET: RequestHandler = async ({ locals, params, request }) => {
	const page = await publications.findPublicPage(locals.db, params.slug);
	if (!page) error(404, GONE);
	// A version never changes: its id is the validator.
	const etag = `"${page.versionId}"`;
	const headers = { ...PUBLISHED_PAGE_CACHE, etag };
	if (
		request.headers
			.get('if-none-match')
			?.split(',')
			.some((tag) => tag.trim().replace(/^W\//, '') === etag)
	)
		return new Response(null, { status: 304, headers });
	const snapshot = await publications.publicSnapshot(locals.db, page);
	if (!snapshot) error(404, GONE);
	return Response.json(snapshot, { headers });
};
