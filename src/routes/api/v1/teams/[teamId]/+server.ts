import * as teams from '$lib/server/teams';
import * as trash from '$lib/server/trash';
import { api, callerActor, readJson, userActor } from '$lib/server/http/api';
import { deletedTeamJson } from '$lib/server/http/trash-json';
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

/** Moves the team to the trash; it needs its exact name: `{ "confirmName": "<team name>" }`. */
export const DELETE: RequestHandler = api(async (event) => {
	const { actor, context } = userActor(event);
	const { confirmName } = await readJson(event, trash.deleteTeamRequestSchema);
	return Response.json({ team: deletedTeamJson(await trash.trashTeam(event.locals.services, actor, event.params.teamId, confirmName, context)) });
});
