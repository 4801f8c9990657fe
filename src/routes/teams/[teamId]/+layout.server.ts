import { error, redirect } from '@sveltejs/kit';
import { can } from '$lib/server/access';
import * as billing from '$lib/server/billing';
import type { Queryable } from '$lib/server/db';
import { PLANS } from '$lib/server/plans';
import * as teams from '$lib/server/teams';
import type { LayoutServerLoad } from './$types';

/** The team every tab shows, the user's other teams (switcher), and what the user may do here. */
export const load: LayoutServerLoad = async ({ locals, params, url }) => {
	if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
	const myTeams = await teams.listForUser(locals.db, locals.user.id);
	const team = myTeams.find((candidate) => candidate.id === params.teamId);
	if (!team) error(404, 'Team not found');
	await teams.touchMembership(locals.db, team.id, locals.user.id);
	return {
		team,
		teams: myTeams,
		permissions: {
			members: can(team.role, 'team.members'),
			invite: can(team.role, 'team.invite'),
			audit: can(team.role, 'team.audit'),
			rename: can(team.role, 'team.rename'),
			delete: can(team.role, 'team.delete'),
			billing: can(team.role, 'team.billing')
		},
		payment: can(team.role, 'team.billing') ? await paymentProblem(locals.db, team.id) : null
	};
};

/** A failed payment the owner must fix: the plan, and until when its limits are kept. */
async function paymentProblem(db: Queryable, teamId: string): Promise<{ plan: string; graceUntil: string | null; lapsed: boolean } | null> {
	const plan = await billing.teamPlan(db, teamId);
	// A failed invoice sets graceUntil before Stripe moves the subscription to past_due.
	if (plan.plan === 'free' || (plan.status !== 'past_due' && plan.status !== 'unpaid' && !plan.graceUntil)) return null;
	return { plan: PLANS[plan.plan].name, graceUntil: plan.graceUntil?.toISOString() ?? null, lapsed: plan.limits.plan === 'free' };
}
