import * as canvases from '$lib/server/canvases';
import { api } from '$lib/server/http/api';
import { documentStateResponse } from '$lib/server/http/document-state-response';
import { SHARE_TOKEN_HEADER } from '$lib/document-state';
import type { RequestHandler } from './$types';

/**
 * The canvas's stored Yjs updates (format: $lib/document-state), for a client to apply before it
 * connects its socket; the socket that follows finds the document loaded and syncs the difference.
 */
export const GET: RequestHandler = api(async (event) => {
	if (event.locals.bearerProblem) throw event.locals.bearerProblem;
	// A person, an API key, or nobody (a share link's token in the header then admits).
	const opening = await canvases.openingState(event.locals.services, event.locals.actor, event.params.id, {
		shareToken: event.request.headers.get(SHARE_TOKEN_HEADER) ?? undefined,
		clientAddress: event.getClientAddress()
	});
	return documentStateResponse(opening, event.request);
});
