import { redirect } from '@sveltejs/kit';
import * as emailVerification from '$lib/server/auth/email-verification';
import { accountEmailOptions } from '$lib/server/auth/account-emails';
import { formFailure } from '$lib/server/http/forms';
import { runtime } from '$lib/server/runtime';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
	const state = await emailVerification.verificationState(locals.db, locals.user.id);
	return { email: locals.user.email, ...state, sendsEmail: Boolean(runtime().config.SMTP_URL) };
};

export const actions: Actions = {
	/** Mails a new verification link (the app's banner posts here too). */
	resend: async ({ locals, url, getClientAddress, setHeaders }) => {
		if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
		try {
			const { email } = await emailVerification.resendVerification(locals.services, accountEmailOptions(), { userId: locals.user.id, ip: getClientAddress() });
			return { sentTo: email };
		} catch (error) {
			return formFailure(error, {}, setHeaders);
		}
	}
};
