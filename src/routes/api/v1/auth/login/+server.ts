import * as accounts from '$lib/server/accounts';
import { startSession } from '$lib/server/auth/sessions';
import { ssoSetupOf } from '$lib/server/auth/team-sso';
import { sessionOrigin } from '$lib/server/http/session-cookie';
import { api, readJson } from '$lib/server/http/api';
import { runtime } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

/** Exchanges email + password for a session token; SSO_REQUIRED (with `details.ssoUrl`) when the person's team wants single sign-on. */
export const POST: RequestHandler = api(async (event) => {
	const input = await readJson(event, accounts.signInSchema);
	const { loginThrottle, config } = runtime();
	const user = await accounts.signIn(event.locals.db, loginThrottle, { ip: event.getClientAddress(), ...input }, ssoSetupOf(config));
	const { token, session } = await startSession(event.locals.db, user.id, config.SESSION_DAYS, sessionOrigin(event));
	return Response.json({ user, token, expiresAt: session.expiresAt });
});
