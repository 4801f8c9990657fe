import { api, requireUser } from '$lib/server/http/api';
import * as teams from '$lib/server/teams';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = api(async (event) => {
	const user = requireUser(event);
	return Response.json({ user, teams: await teams.listForUser(event.locals.db, user.id) });
});
