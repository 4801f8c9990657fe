import { ANONYMOUS } from '$lib/server/access';
import * as canvases from '$lib/server/canvases';
import { api } from '$lib/server/http/api';
import { runtime } from '$lib/server/runtime';
import { DOCUMENT_STATE_TYPE, SHARE_TOKEN_HEADER, encodeUpdateFrames, framedLength } from '$lib/document-state';
import type { RequestHandler } from './$types';

/**
 * The canvas's stored Yjs updates (format: $lib/document-state), for a client to apply before it
 * connects its socket. Once the last byte is handed to the network the document starts loading here,
 * so the socket that follows finds it ready and only syncs the difference.
 */
export const GET: RequestHandler = api(async (event) => {
	const user = event.locals.user;
	const opening = await canvases.openingState(event.locals.db, runtime().collaboration, user ? { kind: 'user', userId: user.id } : ANONYMOUS, event.params.id, {
		shareToken: event.request.headers.get(SHARE_TOKEN_HEADER) ?? undefined,
		clientAddress: event.getClientAddress()
	});
	const pieces = encodeUpdateFrames(opening.updates);
	const body = new ReadableStream<Uint8Array>(
		{
			// Pulled only when the response writer asks for more (it waits for the socket to drain
			// first), so the last pull means the canvas is on its way and decoding here won't stall it.
			pull(controller) {
				const piece = pieces.shift();
				if (piece) return controller.enqueue(piece);
				controller.close();
				opening.startLoading();
			}
		},
		{ highWaterMark: 0 }
	);
	return new Response(body, {
		headers: {
			'content-type': DOCUMENT_STATE_TYPE,
			'content-length': String(framedLength(opening.updates)),
			'cache-control': 'private, no-store',
			'x-content-type-options': 'nosniff'
		}
	});
});
