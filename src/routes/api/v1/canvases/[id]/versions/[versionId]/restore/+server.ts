import * as history from '$lib/server/history';
import { api, callerActor } from '$lib/server/http/api';
import { versionJson } from '$lib/server/http/json';
import type { RequestHandler } from './$types';

/** Restores the version as a forward change every collaborator sees; answers with the `restore` version. */
export const POST: RequestHandler = api(async (event) => {
	const actor = callerActor(event);
	const marker = await history.restore(event.locals.services, actor, event.params.id, event.params.versionId);
	return Response.json(versionJson(marker), { status: 201 });
});
