import * as invitations from '$lib/server/invitations';
import { api, userActor } from '$lib/server/http/api';
import type { RequestHandler } from './$types';

/** Revokes the invitation with this id. */
export const DELETE: RequestHandler = api(async (event) => {
	const { actor, context } = userActor(event);
	await invitations.revoke(event.locals.db, actor, event.params.key, context);
	return new Response(null, { status: 204 });
});
