import { redirect } from '@sveltejs/kit';
import * as accounts from '$lib/server/accounts';
import { clearSessionCookie } from '$lib/server/http/session-cookie';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async () => redirect(303, '/');

export const actions: Actions = {
	default: async ({ locals, cookies }) => {
		if (locals.session) await accounts.signOut(locals.services, locals.session.id);
		clearSessionCookie(cookies);
		redirect(303, '/login');
	}
};
