import * as accounts from '$lib/server/accounts';
import { api, requireUser } from '$lib/server/http/api';
import type { RequestHandler } from './$types';

/** Ends the calling session and closes the sockets it opened. */
export const POST: RequestHandler = api(async (event) => {
	requireUser(event);
	await accounts.signOut(event.locals.services, event.locals.session!.id);
	return new Response(null, { status: 204 });
});
