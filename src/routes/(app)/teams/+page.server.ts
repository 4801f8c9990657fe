import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import * as teams from '$lib/server/teams';
import * as trash from '$lib/server/trash';
import { actorOf, userOf } from '$lib/server/http/actor';
import { formAction } from '$lib/server/http/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	const [myTeams, deletedTeams] = await Promise.all([teams.listForUser(locals.db, userOf(locals).id), trash.listDeletedTeams(locals.db, actorOf(locals))]);
	return {
		teams: myTeams,
		retentionDays: trash.TRASH_RETENTION_DAYS,
		// Teams in the trash the user owns, which they may restore until the purge.
		deletedTeams: deletedTeams.map((team) => ({
			id: team.id,
			name: team.name,
			deletedAt: team.deletedAt.toISOString(),
			purgeAt: team.purgeAt.toISOString(),
			deletedByName: team.deletedBy?.name ?? null
		}))
	};
};

export const actions: Actions = {
	/** Creates a team owned by the caller and opens it. */
	create: formAction(z.object({ name: teams.teamNameSchema }), async ({ name }, { event, actor, context }) => {
		const created = await teams.create(event.locals.db, actor, name, context);
		redirect(303, `/teams/${created.id}`);
	}),
	/** Brings a deleted team back (its owners) and opens it. */
	restore: formAction(z.object({ teamId: z.string({ error: 'Choose a team.' }) }), async ({ teamId }, { actor, services, context }) => {
		const restored = await trash.restoreTeam(services, actor, teamId, context);
		redirect(303, `/teams/${restored.id}`);
	})
};
