import * as passwordReset from '$lib/server/auth/password-reset';
import { accountEmailOptions } from '$lib/server/auth/account-emails';
import { formFailure, formValues, parseForm } from '$lib/server/http/forms';
import { runtime } from '$lib/server/runtime';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async () => ({ sendsEmail: Boolean(runtime().config.SMTP_URL) });

export const actions: Actions = {
	/** The same answer whether or not the address has an account (the work happens after it). */
	default: async ({ request, locals, getClientAddress }) => {
		const data = await request.formData();
		const values = formValues(data);
		try {
			const { email } = parseForm(data, passwordReset.passwordResetRequestSchema);
			passwordReset.requestPasswordReset(locals.services, accountEmailOptions(), { email, ip: getClientAddress() });
			return { requestedFor: email, values };
		} catch (error) {
			return formFailure(error, values);
		}
	}
};
