import * as teams from '$lib/server/teams';
import { api, readJson, userActor } from '$lib/server/http/api';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = api(async (event) => {
	const { actor } = userActor(event);
	return Response.json({ teams: await teams.listForUser(event.locals.db, actor.userId) });
});

export const POST: RequestHandler = api(async (event) => {
	const { actor, context } = userActor(event);
	const { name } = await readJson(event, teams.teamNameRequestSchema);
	return Response.json(await teams.create(event.locals.db, actor, name, context), { status: 201 });
});
