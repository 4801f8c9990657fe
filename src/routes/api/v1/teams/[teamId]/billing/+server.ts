import * as billing from '$lib/server/billing';
import * as credits from '$lib/server/credits';
import { requireTeamRole } from '$lib/server/access';
import { api, userActor } from '$lib/server/http/api';
import type { RequestHandler } from './$types';

/** Plan, status, seats used/bought, limits, credit balance and renewal date (owners). */
export const GET: RequestHandler = api(async (event) => {
	const { actor } = userActor(event);
	const teamId = event.params.teamId;
	await requireTeamRole(event.locals.db, actor, teamId, 'team.billing');
	const [plan, seatsUsed, balance] = await Promise.all([
		billing.teamPlan(event.locals.db, teamId),
		billing.seatsUsed(event.locals.db, teamId),
		credits.currentBalance(event.locals.db, teamId)
	]);
	return Response.json({
		plan: plan.plan,
		status: plan.status,
		seats: { used: seatsUsed, bought: plan.limits.seats },
		limits: plan.limits,
		credits: { balance },
		renewsAt: plan.currentPeriodEnd?.toISOString() ?? null,
		graceUntil: plan.graceUntil?.toISOString() ?? null
	});
});
