import * as accountSettings from '$lib/server/account-settings';
import { api } from '$lib/server/http/api';
import { sessionHolder } from '$lib/server/http/account-requests';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = api(async (event) => {
	const sessions = await accountSettings.listSessions(event.locals.db, sessionHolder(event));
	return Response.json({ sessions });
});

/** Signs out every session but this one. */
export const DELETE: RequestHandler = api(async (event) => {
	await accountSettings.endOtherSessions(event.locals.services, sessionHolder(event));
	return new Response(null, { status: 204 });
});
