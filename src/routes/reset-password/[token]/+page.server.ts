import { error, fail, redirect } from '@sveltejs/kit';
import * as passwordReset from '$lib/server/auth/password-reset';
import { startSession } from '$lib/server/auth/sessions';
import { AppError } from '$lib/server/errors';
import { setFlashNotice } from '$lib/server/http/flash-notice';
import { formFailure, parseForm } from '$lib/server/http/forms';
import { sessionOrigin, setSessionCookie } from '$lib/server/http/session-cookie';
import { runtime } from '$lib/server/runtime';
import * as teamSso from '$lib/server/auth/team-sso';
import { users } from '$lib/server/db/schema';
import { eq } from 'drizzle-orm';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, setHeaders }) => {
	// The token is in the URL: never send it on to other sites.
	setHeaders({ 'referrer-policy': 'no-referrer' });
	const link = await passwordReset.describeResetLink(locals.db, params.token);
	if (!link) error(410, passwordReset.LINK_GONE_MESSAGE);
	return { email: link.email };
};

export const actions: Actions = {
	/** Sets the new password, ends every session of the account, and signs this browser in afresh. */
	default: async (event) => {
		const { request, locals, params, cookies } = event;
		const data = await request.formData();
		let userId: string;
		try {
			const { password } = parseForm(data, passwordReset.passwordResetFormSchema);
			({ userId } = await passwordReset.resetPassword(locals.services, { token: params.token, password }));
		} catch (caught) {
			if (caught instanceof AppError && caught.code === 'GONE') return fail(410, { gone: true, error: caught.message, values: {} });
			return formFailure(caught, {});
		}
		// A member whose team requires single sign-on has a new password but signs in through SSO: a
		// reset must not be a way around it.
		const [user] = await locals.db.select({ id: users.id, email: users.email, name: users.name }).from(users).where(eq(users.id, userId));
		const ssoPath = await ssoRequiredPath(locals.db, user);
		if (ssoPath) redirect(303, ssoPath);
		const { token, session } = await startSession(locals.db, userId, runtime().config.SESSION_DAYS, sessionOrigin(event, 'reset'));
		setSessionCookie(cookies, token, session.expiresAt);
		setFlashNotice(cookies, 'password-changed');
		redirect(303, '/');
	}
};

/** Where a member who must use single sign-on goes instead of being signed in; null for everyone else. */
async function ssoRequiredPath(db: App.Locals['db'], user: { id: string; email: string; name: string }): Promise<string | null> {
	try {
		await teamSso.assertSignInAllowed(db, teamSso.ssoSetupOf(runtime().config), user, 'password');
		return null;
	} catch (caught) {
		if (caught instanceof AppError && caught.code === 'SSO_REQUIRED') return teamSso.ssoStartPath(user.email);
		throw caught;
	}
}
