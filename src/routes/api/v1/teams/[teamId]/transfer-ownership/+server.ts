import * as teams from '$lib/server/teams';
import { api, readJson, userActor } from '$lib/server/http/api';
import type { RequestHandler } from './$types';

/** `{ userId }` becomes an owner; the caller becomes an admin. */
export const POST: RequestHandler = api(async (event) => {
	const { actor, context } = userActor(event);
	const { userId } = await readJson(event, teams.transferOwnershipRequestSchema);
	await teams.transferOwnership(event.locals.services, actor, event.params.teamId, userId, context);
	return Response.json({ members: (await teams.listMembers(event.locals.db, actor, event.params.teamId)).length });
});
