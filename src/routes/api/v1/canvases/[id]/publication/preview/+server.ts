import * as publications from '$lib/server/publications';
import { api, callerActor, readBody } from '$lib/server/http/api';
import type { RequestHandler } from './$types';

/** The body is the preview image (image/png or image/webp, at most 2 MB), as the browser rendered the published version. */
export const PUT: RequestHandler = api(async (event) => {
	const actor = callerActor(event);
	const bytes = await readBody(event.request, publications.PREVIEW_MAX_BYTES, publications.previewTooLarge, { drain: true });
	const preview = await publications.setPreview(event.locals.services, actor, event.params.id, bytes);
	return Response.json({ preview });
});
