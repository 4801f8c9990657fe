import * as emailVerification from '$lib/server/auth/email-verification';
import { accountEmailOptions } from '$lib/server/auth/account-emails';
import { api, requireUser } from '$lib/server/http/api';
import type { RequestHandler } from './$types';

/** Mails a new link verifying the signed-in person's address. */
export const POST: RequestHandler = api(async (event) => {
	const user = requireUser(event);
	const sent = await emailVerification.resendVerification(event.locals.services, accountEmailOptions(), { userId: user.id, ip: event.getClientAddress() });
	return Response.json(sent, { status: 202 });
});
