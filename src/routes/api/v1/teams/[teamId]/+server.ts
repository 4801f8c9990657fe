import * as teams from '$lib/server/teams';
import { api, callerActor, readJson, userActor } from '$lib/server/http/api';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = api(async (event) => {
	const actor = callerActor(event);
	return Response.json(await teams.get(event.locals.db, actor, event.params.teamId));
});

export const PATCH: RequestHandler = api(async (event) => {
	const { actor, context } = userActor(event);
	const { name } = await readJson(event, teams.teamNameRequestSchema);
	await teams.rename(event.locals.db, actor, event.params.teamId, name, context);
	return Response.json(await teams.get(event.locals.db, actor, event.params.teamId));
});

/** Deleting a team needs its exact name: `{ "confirmName": "<team name>" }`. */
export const DELETE: RequestHandler = api(async (event) => {
	const { actor } = userActor(event);
	const { confirmName } = await readJson(event, teams.deleteTeamRequestSchema);
	await teams.remove(event.locals.services, actor, event.params.teamId, confirmName);
	return new Response(null, { status: 204 });
});
