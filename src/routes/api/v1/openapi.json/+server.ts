import { servedOpenApiDocument } from '$lib/server/api-contract/served-document';
import { api } from '$lib/server/http/api';
import type { RequestHandler } from './$types';

/** The OpenAPI 3.1 document of /api/v1, public; revalidated by ETag. */
export const GET: RequestHandler = api(async (event) => {
	const { json, etag } = servedOpenApiDocument();
	const headers = { etag, 'cache-control': 'public, max-age=300, must-revalidate', 'access-control-allow-origin': '*' };
	const ifNoneMatch = event.request.headers.get('if-none-match');
	if (ifNoneMatch && ifNoneMatch.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag)) return new Response(null, { status: 304, headers });
	return new Response(json, { headers: { ...headers, 'content-type': 'application/json; charset=utf-8' } });
});
