import { error } from '@sveltejs/kit';
import * as usage from '$lib/server/ai/usage';
import { AppError } from '$lib/server/errors';
import { actorOf } from '$lib/server/http/actor';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent, url }) => {
	const { team } = await parent();
	try {
		return { usage: await usage.usageReport(locals.db, actorOf(locals), team.id, { month: url.searchParams.get('month') || undefined }) };
	} catch (caught) {
		if (caught instanceof AppError) error(caught.status, caught.message);
		throw caught;
	}
};
