import * as invitations from '$lib/server/invitations';
import { api, userActor } from '$lib/server/http/api';
import type { RequestHandler } from './$types';

/** Joins the team of the invitation whose token is in the path. */
export const POST: RequestHandler = api(async (event) => {
	const { actor, context } = userActor(event);
	return Response.json(await invitations.accept(event.locals.services, actor, event.params.key, context));
});
