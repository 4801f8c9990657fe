import { redirect } from '@sveltejs/kit';
import * as teams from '$lib/server/teams';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	if (!locals.user) return {};
	const [first] = await teams.listForUser(locals.db, locals.user.id);
	if (first) redirect(303, `/teams/${first.id}`);
	return {};
};
