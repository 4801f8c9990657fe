import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import * as teams from '$lib/server/teams';
import { formAction } from '$lib/server/http/forms';
import type { Actions } from './$types';

export const actions: Actions = {
	rename: formAction(z.object({ name: teams.teamNameSchema }), async ({ name }, { event, actor, context }) => {
		await teams.rename(event.locals.db, actor, event.params.teamId, name, context);
		return { renamed: name };
	}),
	/** Deletes the team and its canvases (the owner types the name to confirm); open canvases close. */
	delete: formAction(z.object({ confirmName: z.string({ error: 'Type the team name to confirm.' }) }), async ({ confirmName }, { event, actor, services }) => {
		await teams.remove(services, actor, event.params.teamId, confirmName);
		redirect(303, '/');
	}),
	/** The caller leaves the team (also used from the members page). */
	leave: formAction(z.object({}), async (_, { event, actor, services, context }) => {
		await teams.removeMember(services, actor, event.params.teamId, actor.userId, context);
		redirect(303, '/');
	})
};
