import type { RequestEvent } from '@sveltejs/kit';
import * as thumbnails from '$lib/server/thumbnails';
import { AppError } from '$lib/server/errors';
import { api } from '$lib/server/http/api';
import { readBodyBytes } from '$lib/server/http/body-bytes';
import { SHARE_TOKEN_HEADER } from '$lib/document-state';
import type { Actor } from '$lib/server/access';
import type { RequestHandler } from './$types';

const UPLOAD_TYPES = ['image/webp', 'image/png'];

/** Who asks: a session or API key, or a guest presenting its share link as `Easel-Share-Token`. */
function callerOf(event: RequestEvent): { actor: Actor; request: thumbnails.ThumbnailRequest } {
	if (event.locals.bearerProblem) throw event.locals.bearerProblem;
	const shareToken = event.request.headers.get(SHARE_TOKEN_HEADER)?.trim().slice(0, 200) || undefined;
	return { actor: event.locals.actor, request: { shareToken } };
}

/** The canvas's thumbnail (WebP or PNG), revalidated by ETag; 404 while it has none. */
export const GET: RequestHandler = api(async (event) => {
	const { actor, request } = callerOf(event);
	const thumbnail = await thumbnails.openThumbnail(event.locals.services, actor, event.params.id, request);
	const etag = `"${thumbnail.updatedAt.getTime()}"`;
	const headers = { etag, 'cache-control': 'private, max-age=60', vary: 'cookie, authorization, easel-share-token' };
	if (matchesEtag(event.request.headers.get('if-none-match'), etag)) return new Response(null, { status: 304, headers });
	const { bytes, mimeType } = await thumbnail.read();
	return new Response(bytes as Uint8Array<ArrayBuffer>, {
		headers: {
			...headers,
			'content-type': mimeType,
			'content-length': String(bytes.byteLength),
			'content-disposition': 'inline; filename="thumbnail"',
			'x-content-type-options': 'nosniff'
		}
	});
});

/** Replaces the thumbnail with the body: a WebP or PNG the browser rendered, sent as it is. */
export const PUT: RequestHandler = api(async (event) => {
	const { actor, request } = callerOf(event);
	const contentType = (event.request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
	if (!UPLOAD_TYPES.includes(contentType)) {
		throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the thumbnail as its bytes with Content-Type: image/webp or image/png.');
	}
	const bytes = await readBodyBytes(event.request, thumbnails.MAX_THUMBNAIL_BYTES, 'A thumbnail');
	await thumbnails.saveThumbnail(event.locals.services, actor, event.params.id, bytes, request);
	return new Response(null, { status: 204 });
});

/** Removes the thumbnail (the canvas's page is empty): the dashboard shows the placeholder again. */
export const DELETE: RequestHandler = api(async (event) => {
	const { actor, request } = callerOf(event);
	await thumbnails.clearThumbnail(event.locals.services, actor, event.params.id, request);
	return new Response(null, { status: 204 });
});

function matchesEtag(header: string | null, etag: string): boolean {
	if (!header) return false;
	return header.split(',').some((candidate) => {
		const value = candidate.trim();
		return value === '*' || value === etag || value === `W/${etag}`;
	});
}
