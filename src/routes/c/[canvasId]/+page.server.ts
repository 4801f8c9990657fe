import { error, redirect } from '@sveltejs/kit';
import { can } from '$lib/server/access';
import * as billing from '$lib/server/billing';
import * as canvases from '$lib/server/canvases';
import { AppError } from '$lib/server/errors';
import { formFailure, formValues, parseForm } from '$lib/server/http/forms';
import { PLANS, upgradeFor } from '$lib/server/plans';
import { runtime } from '$lib/server/runtime';
import * as teams from '$lib/server/teams';
import { userColor } from '$lib/user-color';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => {
	if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
	try {
		const canvas = await canvases.get(locals.db, { kind: 'user', userId: locals.user.id }, params.canvasId);
		const [myTeams, { limits }] = await Promise.all([
			teams.listForUser(locals.db, locals.user.id),
			billing.teamPlan(locals.db, canvas.teamId),
			teams.touchMembership(locals.db, canvas.teamId, locals.user.id)
		]);
		return {
			canvas: { id: canvas.id, title: canvas.title, teamId: canvas.teamId },
			role: canvas.access.role,
			canEdit: canvas.access.canEdit,
			canShare: can(canvas.access.role, 'canvas.share'),
			// Saving and restoring versions write the canvas, so a read-only (over-plan) one offers neither.
			history: {
				save: can(canvas.access.role, 'history.save') && canvas.access.canEdit,
				restore: can(canvas.access.role, 'history.restore') && canvas.access.canEdit,
				manage: can(canvas.access.role, 'history.manage'),
				billing: can(canvas.access.role, 'team.billing')
			},
			plan: { name: PLANS[limits.plan].name, historyDays: limits.historyDays, upgrade: upgradeFor(limits.plan)?.name ?? null },
			// A canvas beyond the plan's canvas limit (after a downgrade) is read-only until the team is back within it.
			planLimit:
				canvas.access.readOnlyReason === 'plan_limit'
					? { plan: PLANS[limits.plan].name, canvases: limits.canvases, upgrade: upgradeFor(limits.plan)?.name ?? null }
					: null,
			teams: myTeams,
			me: { id: locals.user.id, name: locals.user.name, color: userColor(locals.user.id) },
			licenseKey: runtime().config.TLDRAW_LICENSE_KEY ?? '',
			maxTitleLength: runtime().config.MAX_TITLE_LENGTH
		};
	} catch (caught) {
		if (caught instanceof AppError) error(caught.status, caught.message);
		throw caught;
	}
};

export const actions: Actions = {
	rename: async ({ request, locals, params }) => {
		if (!locals.user) redirect(303, '/login');
		const data = await request.formData();
		try {
			const { title } = parseForm(data, z.object({ title: canvases.titleSchema(runtime().config.MAX_TITLE_LENGTH) }));
			const canvas = await canvases.rename(locals.db, { kind: 'user', userId: locals.user.id }, params.canvasId, title);
			return { title: canvas.title };
		} catch (caught) {
			return formFailure(caught, formValues(data));
		}
	}
};
