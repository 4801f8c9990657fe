import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import * as teams from '$lib/server/teams';
import { userOf } from '$lib/server/http/actor';
import { formAction } from '$lib/server/http/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => ({ teams: await teams.listForUser(locals.db, userOf(locals).id) });

export const actions: Actions = {
	/** Creates a team owned by the caller and opens it. */
	create: formAction(z.object({ name: teams.teamNameSchema }), async ({ name }, { event, actor, context }) => {
		const created = await teams.create(event.locals.db, actor, name, context);
		redirect(303, `/teams/${created.id}`);
	})
};
