import * as passwordReset from '$lib/server/auth/password-reset';
import { accountEmailOptions } from '$lib/server/auth/account-emails';
import { api, readJson } from '$lib/server/http/api';
import type { RequestHandler } from './$types';

/** 202 whatever happens next (no account, budget spent, no email configured): only bad syntax is refused. */
export const POST: RequestHandler = api(async (event) => {
	const { email } = await readJson(event, passwordReset.passwordResetRequestSchema);
	passwordReset.requestPasswordReset(event.locals.services, accountEmailOptions(), { email, ip: event.getClientAddress() });
	return Response.json({ message: passwordReset.RESET_REQUESTED_MESSAGE }, { status: 202 });
});
