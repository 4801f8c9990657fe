import * as accountSettings from '$lib/server/account-settings';
import { api } from '$lib/server/http/api';
import { sessionHolder } from '$lib/server/http/account-requests';
import type { RequestHandler } from './$types';

/** Signs out one session (this one too, when named). */
export const DELETE: RequestHandler = api(async (event) => {
	await accountSettings.endSession(event.locals.services, sessionHolder(event), event.params.id);
	return new Response(null, { status: 204 });
});
