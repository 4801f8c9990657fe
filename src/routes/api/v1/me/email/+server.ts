import * as emailVerification from '$lib/server/auth/email-verification';
import { accountEmailOptions } from '$lib/server/auth/account-emails';
import { api, readJson, requireUser } from '$lib/server/http/api';
import type { RequestHandler } from './$types';

/** Starts an email change: the link goes to the new address; the account keeps its address until it is used. */
export const POST: RequestHandler = api(async (event) => {
	const user = requireUser(event);
	const input = await readJson(event, emailVerification.emailChangeSchema);
	const pending = await emailVerification.requestEmailChange(event.locals.services, accountEmailOptions(), { userId: user.id, ip: event.getClientAddress(), ...input });
	return Response.json(pending, { status: 202 });
});
