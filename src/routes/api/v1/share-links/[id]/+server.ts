import * as sharing from '$lib/server/sharing';
import { api, userActor } from '$lib/server/http/api';
import type { RequestHandler } from './$types';

/** Revokes a share link; sockets opened through it are closed at once. */
export const DELETE: RequestHandler = api(async (event) => {
	const { actor, context } = userActor(event);
	await sharing.revokeLink(event.locals.services, actor, event.params.id, context);
	return new Response(null, { status: 204 });
});
