import { error } from '@sveltejs/kit';
import { can, type UserActor } from '$lib/server/access';
import * as billingOverview from '$lib/server/billing-overview';
import type { Queryable } from '$lib/server/db';
import * as teams from '$lib/server/teams';
import { actorOf, userOf } from '$lib/server/http/actor';
import type { LayoutServerLoad } from './$types';

/** The team every tab shows, the user's other teams (switcher), and what the user may do here. */
export const load: LayoutServerLoad = async ({ locals, params }) => {
	const user = userOf(locals);
	const myTeams = await teams.listForUser(locals.db, user.id);
	const team = myTeams.find((candidate) => candidate.id === params.teamId);
	if (!team) error(404, 'Team not found');
	await teams.touchMembership(locals.db, team.id, user.id);
	return {
		team,
		teams: myTeams,
		permissions: {
			members: can(team.role, 'team.members'),
			invite: can(team.role, 'team.invite'),
			audit: can(team.role, 'team.audit'),
			rename: can(team.role, 'team.rename'),
			delete: can(team.role, 'team.delete'),
			billing: can(team.role, 'team.billing'),
			usage: can(team.role, 'team.usage'),
			ai: can(team.role, 'team.ai'),
			apiKeys: can(team.role, 'team.api_keys')
		},
		payment: await paymentProblem(locals.db, actorOf(locals), team.id)
	};
};

async function paymentProblem(db: Queryable, actor: UserActor, teamId: string) {
	const problem = await billingOverview.paymentProblem(db, actor, teamId);
	return problem && { ...problem, graceUntil: problem.graceUntil?.toISOString() ?? null };
}
