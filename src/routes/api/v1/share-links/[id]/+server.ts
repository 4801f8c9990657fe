import * as sharing from '$lib/server/sharing';
import { api, userActor } from '$lib/server/http/api';
import { runtime } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

/** Revokes a share link; sockets opened through it are closed at once. */
export const DELETE: RequestHandler = api(async (event) => {
	const { actor, context } = userActor(event);
	const link = await sharing.revokeLink(event.locals.db, actor, event.params.id, context);
	runtime().collaboration.closeConnections({ shareLinkId: link.id }, 'ACCESS_CHANGED');
	return new Response(null, { status: 204 });
});
