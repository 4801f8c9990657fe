import { invalidateSession } from '$lib/server/auth/sessions';
import { api, requireUser } from '$lib/server/http/api';
import { runtime } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

/** Ends the calling session and closes the sockets it opened. */
export const POST: RequestHandler = api(async (event) => {
	requireUser(event);
	const session = event.locals.session!;
	await invalidateSession(event.locals.db, session.id);
	runtime().collaboration.closeConnections({ sessionId: session.id }, 'UNAUTHENTICATED');
	return new Response(null, { status: 204 });
});
