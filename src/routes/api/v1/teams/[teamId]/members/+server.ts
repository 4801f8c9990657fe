import * as teams from '$lib/server/teams';
import { api, userActor } from '$lib/server/http/api';
import { memberJson } from '$lib/server/http/json';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = api(async (event) => {
	const { actor } = userActor(event);
	const members = await teams.listMembers(event.locals.db, actor, event.params.teamId);
	return Response.json({ members: members.map(memberJson) });
});
