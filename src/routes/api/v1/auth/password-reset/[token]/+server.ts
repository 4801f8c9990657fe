import * as passwordReset from '$lib/server/auth/password-reset';
import { api, readJson } from '$lib/server/http/api';
import type { RequestHandler } from './$types';

/** Sets the new password; every session of the account ends (sign in again with the new password). */
export const POST: RequestHandler = api(async (event) => {
	const { password } = await readJson(event, passwordReset.passwordResetSchema);
	await passwordReset.resetPassword(event.locals.services, { token: event.params.token, password });
	return new Response(null, { status: 204 });
});
