import { redirect } from '@sveltejs/kit';
import * as accounts from '$lib/server/accounts';
import { startSession } from '$lib/server/auth/sessions';
import { signInProviders } from '$lib/server/auth/identity-providers';
import { formFailure, formValues, parseForm } from '$lib/server/http/forms';
import { sessionOrigin, setSessionCookie } from '$lib/server/http/session-cookie';
import { safeNextPath } from '$lib/next-path';
import { runtime } from '$lib/server/runtime';
import * as emailVerification from '$lib/server/auth/email-verification';
import { accountEmailOptions } from '$lib/server/auth/account-emails';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	if (locals.user) redirect(303, safeNextPath(url.searchParams.get('next')));
	return { providers: signInProviders(runtime().config) };
};

export const actions: Actions = {
	default: async ({ request, cookies, locals, url, getClientAddress, setHeaders }) => {
		const data = await request.formData();
		const values = formValues(data, 'password');
		try {
			const input = parseForm(data, accounts.signUpSchema);
			const { signUpThrottle, config } = runtime();
			const user = await accounts.register(locals.db, signUpThrottle, { ip: getClientAddress(), ...input });
			const { token, session } = await startSession(locals.db, user.id, config.SESSION_DAYS, sessionOrigin({ request, getClientAddress }));
			setSessionCookie(cookies, token, session.expiresAt);
			void emailVerification.sendAfterSignUp(locals.services, accountEmailOptions(), user);
		} catch (error) {
			return formFailure(error, values, setHeaders);
		}
		redirect(303, safeNextPath(url.searchParams.get('next')));
	}
};
