import * as usage from '$lib/server/ai/usage';
import { api, readQuery, userActor } from '$lib/server/http/api';
import type { RequestHandler } from './$types';

/** A month's AI usage of the team (`?month=YYYY-MM`, UTC; default this month): totals, by member, tier and day, and the balance (owners and admins). */
export const GET: RequestHandler = api(async (event) => {
	const { actor } = userActor(event);
	const { month } = readQuery(event, usage.usageQuerySchema);
	return Response.json(await usage.usageReport(event.locals.db, actor, event.params.teamId, { month }));
});
