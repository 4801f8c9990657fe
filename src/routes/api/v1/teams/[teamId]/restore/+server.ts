import * as trash from '$lib/server/trash';
import { api, userActor } from '$lib/server/http/api';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = api(async (event) => {
	const { actor, context } = userActor(event);
	return Response.json(await trash.restoreTeam(event.locals.services, actor, event.params.teamId, context));
});
