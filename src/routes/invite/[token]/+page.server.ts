import { error, fail, redirect } from '@sveltejs/kit';
import { AppError } from '$lib/server/errors';
import * as invitations from '$lib/server/invitations';
import { formFailure } from '$lib/server/http/forms';
import { actorOf } from '$lib/server/http/actor';
import * as teams from '$lib/server/teams';
import type { Actions, PageServerLoad } from './$types';

const PROBLEMS = {
	expired: 'This invitation has expired.',
	revoked: 'This invitation was withdrawn.',
	used: 'This invitation has already been used.'
} as const;

export const load: PageServerLoad = async ({ locals, params, setHeaders }) => {
	// The token is in the URL: never send it on to other sites.
	setHeaders({ 'referrer-policy': 'no-referrer' });
	let preview;
	try {
		preview = await invitations.preview(locals.db, params.token);
	} catch (caught) {
		if (caught instanceof AppError) error(caught.status, caught.message);
		throw caught;
	}
	if (preview.problem) error(410, `${PROBLEMS[preview.problem]} Ask ${preview.invitedBy ?? 'the person who invited you'} for a new one.`);
	const membership = locals.user ? (await teams.listForUser(locals.db, locals.user.id)).find((team) => team.id === preview.teamId) : undefined;
	return {
		invitation: { teamName: preview.teamName, role: preview.role, invitedBy: preview.invitedBy },
		membership: membership ? { teamId: membership.id, role: membership.role } : null,
		next: `/invite/${params.token}`
	};
};

export const actions: Actions = {
	/** Joins the team and opens it. */
	default: async ({ locals, params, getClientAddress }) => {
		if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(`/invite/${params.token}`)}`);
		let joined;
		try {
			joined = await invitations.accept(locals.services, actorOf(locals), params.token, { ip: getClientAddress() });
		} catch (caught) {
			if (!(caught instanceof AppError)) throw caught;
			return caught.code === 'GONE' ? fail(410, { error: caught.message, values: {} }) : formFailure(caught, {});
		}
		redirect(303, `/teams/${joined.teamId}`);
	}
};
