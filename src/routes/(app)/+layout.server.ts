// Every page in (app) needs a signed-in user: the one sign-in redirect, back here afterwards. It also
// hands the pages a one-time notice ("Password changed") and whether to ask for email verification.
import { redirect } from '@sveltejs/kit';
import * as emailVerification from '$lib/server/auth/email-verification';
import { takeFlashNotice } from '$lib/server/http/flash-notice';
import { runtime } from '$lib/server/runtime';
import { VERIFY_BANNER_DISMISSED_COOKIE } from '$lib/verify-banner';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ locals, url, cookies }) => {
	if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
	// Only where a link can be mailed, and until the person waves the banner away.
	const askToVerify =
		Boolean(runtime().config.SMTP_URL) &&
		cookies.get(VERIFY_BANNER_DISMISSED_COOKIE) === undefined &&
		!(await emailVerification.isEmailVerified(locals.db, locals.user.id));
	return { notice: takeFlashNotice(cookies), askToVerify };
};
