import * as accountSettings from '$lib/server/account-settings';
import { api, readJson } from '$lib/server/http/api';
import { passwordCheck, sessionHolder } from '$lib/server/http/account-requests';
import type { RequestHandler } from './$types';

/** Changes (or, for a provider-made account, sets) the password; every other session is signed out. */
export const POST: RequestHandler = api(async (event) => {
	const holder = sessionHolder(event);
	const input = await readJson(event, accountSettings.changePasswordSchema);
	await accountSettings.changePassword(event.locals.services, holder, input, passwordCheck(event));
	return new Response(null, { status: 204 });
});
