import { redirect } from '@sveltejs/kit';
import * as accounts from '$lib/server/accounts';
import { startSession } from '$lib/server/auth/sessions';
import { signInProviders } from '$lib/server/auth/identity-providers';
import { ssoSetupOf } from '$lib/server/auth/team-sso';
import { AppError } from '$lib/server/errors';
import { formFailure, formValues, parseForm } from '$lib/server/http/forms';
import { sessionOrigin, setSessionCookie } from '$lib/server/http/session-cookie';
import { localPath } from '$lib/server/http/sign-in-refusal';
import { safeNextPath } from '$lib/next-path';
import { runtime } from '$lib/server/runtime';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	if (locals.user) redirect(303, safeNextPath(url.searchParams.get('next')));
	return { providers: signInProviders(runtime().config) };
};

export const actions: Actions = {
	default: async ({ request, cookies, locals, url, getClientAddress, setHeaders }) => {
		const data = await request.formData();
		const values = formValues(data, 'password');
		const next = safeNextPath(url.searchParams.get('next'));
		try {
			const input = parseForm(data, accounts.signInSchema);
			const { loginThrottle, config } = runtime();
			const user = await accounts.signIn(locals.db, loginThrottle, { ip: getClientAddress(), ...input }, ssoSetupOf(config));
			const { token, session } = await startSession(locals.db, user.id, config.SESSION_DAYS, sessionOrigin({ request, getClientAddress }));
			setSessionCookie(cookies, token, session.expiresAt);
		} catch (error) {
			// The password was right, but the person's team wants single sign-on: off to it, landing where they meant to.
			if (error instanceof AppError && error.code === 'SSO_REQUIRED' && typeof error.details?.ssoUrl === 'string') {
				const sso = new URL(localPath(error.details.ssoUrl), url);
				sso.searchParams.set('next', next);
				redirect(303, `${sso.pathname}${sso.search}`);
			}
			return formFailure(error, values, setHeaders);
		}
		redirect(303, next);
	}
};
