import * as accounts from '$lib/server/accounts';
import { startSession } from '$lib/server/auth/sessions';
import { sessionOrigin } from '$lib/server/http/session-cookie';
import { api, readJson } from '$lib/server/http/api';
import { runtime } from '$lib/server/runtime';
import * as emailVerification from '$lib/server/auth/email-verification';
import { accountEmailOptions } from '$lib/server/auth/account-emails';
import type { RequestHandler } from './$types';

/** Creates an account and returns a session token for `Authorization: Bearer`. */
export const POST: RequestHandler = api(async (event) => {
	const input = await readJson(event, accounts.signUpSchema);
	const { signUpThrottle, config } = runtime();
	const user = await accounts.register(event.locals.db, signUpThrottle, { ip: event.getClientAddress(), ...input });
	const { token, session } = await startSession(event.locals.db, user.id, config.SESSION_DAYS, sessionOrigin(event));
	void emailVerification.sendAfterSignUp(event.locals.services, accountEmailOptions(), user);
	return Response.json(
		{ user: { id: user.id, email: user.email, name: user.name }, personalTeamId: user.personalTeamId, token, expiresAt: session.expiresAt },
		{ status: 201 }
	);
});
