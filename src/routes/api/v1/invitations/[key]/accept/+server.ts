import * as invitations from '$lib/server/invitations';
import { api, userActor } from '$lib/server/http/api';
import { afterMembershipChange } from '$lib/server/http/membership-changes';
import type { RequestHandler } from './$types';

/** Joins the team of the invitation whose token is in the path. */
export const POST: RequestHandler = api(async (event) => {
	const { actor, context } = userActor(event);
	const result = await invitations.accept(event.locals.db, actor.userId, event.params.key, context);
	if (result.joined || result.roleChanged) await afterMembershipChange(result.teamId, [actor.userId]);
	return Response.json(result);
});
