import * as teams from '$lib/server/teams';
import { api, readJson, userActor, uuidParam } from '$lib/server/http/api';
import type { RequestHandler } from './$types';

/** `{ role }`: open sockets of that member are re-authorised with the new role at once. */
export const PATCH: RequestHandler = api(async (event) => {
	const { actor, context } = userActor(event);
	const { teamId } = event.params;
	const userId = uuidParam(event, 'userId');
	const { role } = await readJson(event, teams.changeRoleRequestSchema);
	const result = await teams.changeRole(event.locals.services, actor, teamId, userId, role, context);
	return Response.json({ userId, ...result });
});

/** Removes a member (or leaves, for your own id); their open sockets on the team's canvases close. */
export const DELETE: RequestHandler = api(async (event) => {
	const { actor, context } = userActor(event);
	const { teamId } = event.params;
	const userId = uuidParam(event, 'userId');
	await teams.removeMember(event.locals.services, actor, teamId, userId, context);
	return new Response(null, { status: 204 });
});
