import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import * as teams from '$lib/server/teams';
import { formFailure, formValues, parseForm } from '$lib/server/http/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
	return { teams: await teams.listForUser(locals.db, locals.user.id) };
};

export const actions: Actions = {
	/** Creates a team owned by the caller and opens it. */
	create: async ({ request, locals, getClientAddress }) => {
		if (!locals.user) redirect(303, '/login?next=/teams');
		const data = await request.formData();
		let created;
		try {
			const { name } = parseForm(data, z.object({ name: teams.teamNameSchema }));
			created = await teams.create(locals.db, { kind: 'user', userId: locals.user.id }, name, { ip: getClientAddress() });
		} catch (error) {
			return formFailure(error, formValues(data));
		}
		redirect(303, `/teams/${created.id}`);
	}
};
