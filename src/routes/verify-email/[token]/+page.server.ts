import { error, fail, redirect } from '@sveltejs/kit';
import * as emailVerification from '$lib/server/auth/email-verification';
import { accountEmailOptions } from '$lib/server/auth/account-emails';
import { AppError } from '$lib/server/errors';
import { setFlashNotice } from '$lib/server/http/flash-notice';
import { formFailure } from '$lib/server/http/forms';
import type { Actions, PageServerLoad } from './$types';

// Opening the link only shows what it does: mail scanners fetch links, and must not verify anything.
export const load: PageServerLoad = async ({ locals, params, request, setHeaders }) => {
	setHeaders({ 'referrer-policy': 'no-referrer' });
	const link = await emailVerification.describeVerificationLink(locals.db, params.token);
	// After the button's POST the link is used up: the page shows the action's answer instead.
	if (!link && request.method !== 'POST') error(410, emailVerification.VERIFICATION_LINK_GONE_MESSAGE);
	return { link };
};

export const actions: Actions = {
	/** Uses the link; a signed-in browser goes on to the app with a notice, others see the result here. */
	default: async ({ locals, params, cookies }) => {
		let confirmed;
		try {
			confirmed = await emailVerification.confirmEmail(locals.services, accountEmailOptions(), params.token);
		} catch (caught) {
			if (caught instanceof AppError && caught.code === 'GONE') return fail(410, { gone: true, error: caught.message, values: {} });
			return formFailure(caught, {});
		}
		if (locals.user?.id === confirmed.userId) {
			setFlashNotice(cookies, confirmed.previousEmail ? 'email-changed' : 'email-verified');
			redirect(303, '/');
		}
		return { confirmed: { email: confirmed.email, changed: confirmed.previousEmail !== null } };
	}
};
