import * as accountSettings from '$lib/server/account-settings';
import { api, requireUser, uuidParam } from '$lib/server/http/api';
import type { RequestHandler } from './$types';

/** Unlinks a provider account (409 when it is the last way to sign in). */
export const DELETE: RequestHandler = api(async (event) => {
	const user = requireUser(event);
	await accountSettings.unlinkProvider(event.locals.db, user.id, uuidParam(event, 'id'));
	return new Response(null, { status: 204 });
});
