import { error } from '@sveltejs/kit';
import { PUBLISHED_PAGE_CACHE } from '$lib/server/http/published-pages';
import * as publications from '$lib/server/publications';
import type { RequestHandler } from './$types';

/** The published canvas's picture (Open Graph image): the stored preview, or a neutral placeholder; 404 once unpublished or hidden. */
export const GET: RequestHandler = async ({ locals, params, request }) => {
	const image = await publications.publicPreview(locals.services, params.slug);
	if (!image) error(404, 'This canvas is not published.');
	const headers = {
		...PUBLISHED_PAGE_CACHE,
		etag: image.etag,
		'content-type': image.mimeType,
		'content-disposition': 'inline; filename="preview"',
		'content-security-policy': "default-src 'none'"
	};
	if (
		request.headers
			.get('if-none-match')
			?.split(',')
			.some((tag) => tag.trim() === image.etag)
	)
		return new Response(null, { status: 304, headers });
	return new Response(image.bytes as Uint8Array<ArrayBuffer>, { headers: { ...headers, 'content-length': String(image.bytes.byteLength) } });
};
