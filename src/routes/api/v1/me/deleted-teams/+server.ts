import * as trash from '$lib/server/trash';
import { api, userActor } from '$lib/server/http/api';
import { deletedTeamJson } from '$lib/server/http/trash-json';
import type { RequestHandler } from './$types';

/** The teams in the trash the caller owns (and so may restore). */
export const GET: RequestHandler = api(async (event) => {
	const { actor } = userActor(event);
	return Response.json({ teams: (await trash.listDeletedTeams(event.locals.db, actor)).map(deletedTeamJson) });
});
