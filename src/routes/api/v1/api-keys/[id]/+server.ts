import * as apiKeys from '$lib/server/api-keys';
import { api, userActor } from '$lib/server/http/api';
import type { RequestHandler } from './$types';

/** Revokes a key: requests with it are refused from now on and the sockets it opened are closed. */
export const DELETE: RequestHandler = api(async (event) => {
	const { actor, context } = userActor(event);
	await apiKeys.revoke(event.locals.services, actor, event.params.id, context);
	return new Response(null, { status: 204 });
});
