import * as invitations from '$lib/server/invitations';
import { api, userActor } from '$lib/server/http/api';
import { runtime } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

/** Joins the team of the invitation whose token is in the path. */
export const POST: RequestHandler = api(async (event) => {
	const { actor, context } = userActor(event);
	const result = await invitations.accept(event.locals.db, actor.userId, event.params.key, context);
	if (result.roleChanged) runtime().collaboration.closeConnections({ teamId: result.teamId, userId: actor.userId }, 'ACCESS_CHANGED');
	return Response.json(result);
});
