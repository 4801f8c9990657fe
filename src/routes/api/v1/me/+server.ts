import * as accountSettings from '$lib/server/account-settings';
import { api, readJson, requireUser } from '$lib/server/http/api';
import { passwordCheck, sessionHolder } from '$lib/server/http/account-requests';
import * as teams from '$lib/server/teams';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = api(async (event) => {
	const user = requireUser(event);
	const [account, memberOf] = await Promise.all([accountSettings.getAccount(event.locals.db, user.id), teams.listForUser(event.locals.db, user.id)]);
	return Response.json({ user: accountJson(account), teams: memberOf });
});

/** Changes the name and/or avatar colour. */
export const PATCH: RequestHandler = api(async (event) => {
	const user = requireUser(event);
	const input = await readJson(event, accountSettings.updateProfileSchema);
	return Response.json({ user: accountJson(await accountSettings.updateProfile(event.locals.db, user.id, input)) });
});

/** Deletes the account (409 naming the teams it would orphan). */
export const DELETE: RequestHandler = api(async (event) => {
	const holder = sessionHolder(event);
	const input = await readJson(event, accountSettings.deleteAccountSchema);
	await accountSettings.deleteAccount(event.locals.services, holder, input, passwordCheck(event));
	return new Response(null, { status: 204 });
});

function accountJson({ createdAt: _createdAt, ...account }: accountSettings.Account) {
	return account;
}
