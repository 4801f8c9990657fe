import { redirect } from '@sveltejs/kit';
import { invalidateSession } from '$lib/server/auth/sessions';
import { clearSessionCookie } from '$lib/server/http/session-cookie';
import { runtime } from '$lib/server/runtime';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async () => redirect(303, '/');

export const actions: Actions = {
	default: async ({ locals, cookies }) => {
		if (locals.session) {
			await invalidateSession(locals.db, locals.session.id);
			runtime().collaboration.closeConnections({ sessionId: locals.session.id }, 'UNAUTHENTICATED');
		}
		clearSessionCookie(cookies);
		redirect(303, '/login');
	}
};
