import { error, fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { can } from '$lib/server/access';
import * as canvases from '$lib/server/canvases';
import * as teams from '$lib/server/teams';
import { formFailure, formValues, parseForm } from '$lib/server/http/forms';
import { runtime } from '$lib/server/runtime';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => {
	if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
	const actor = { kind: 'user' as const, userId: locals.user.id };
	const myTeams = await teams.listForUser(locals.db, locals.user.id);
	const team = myTeams.find((candidate) => candidate.id === params.teamId);
	if (!team) error(404, 'Team not found');
	const list = await canvases.listForTeam(locals.db, actor, team.id);
	return {
		team,
		teams: myTeams,
		canCreate: can(team.role, 'canvas.create'),
		canEdit: can(team.role, 'canvas.rename'),
		canvases: list.map((canvas) => ({ ...canvas, createdAt: canvas.createdAt.toISOString(), updatedAt: canvas.updatedAt.toISOString() })),
		maxTitleLength: runtime().config.MAX_TITLE_LENGTH
	};
};

const idSchema = z.object({ canvasId: z.string() });

export const actions: Actions = {
	create: async ({ request, locals, params }) => {
		if (!locals.user) return fail(401, { error: 'Sign in again.', values: {} });
		const data = await request.formData();
		const values = formValues(data);
		let created;
		try {
			const { title } = parseForm(data, z.object({ title: canvases.optionalTitleSchema(runtime().config.MAX_TITLE_LENGTH) }));
			created = await canvases.create(locals.db, { kind: 'user', userId: locals.user.id }, { teamId: params.teamId, title });
		} catch (error) {
			return formFailure(error, values);
		}
		redirect(303, `/c/${created.id}`);
	},
	rename: async ({ request, locals }) => {
		if (!locals.user) return fail(401, { error: 'Sign in again.', values: {} });
		const data = await request.formData();
		const values = formValues(data);
		try {
			const { canvasId, title } = parseForm(data, idSchema.extend({ title: canvases.titleSchema(runtime().config.MAX_TITLE_LENGTH) }));
			await canvases.rename(locals.db, { kind: 'user', userId: locals.user.id }, canvasId, title);
			return { renamed: canvasId };
		} catch (error) {
			return formFailure(error, values);
		}
	},
	delete: async ({ request, locals }) => {
		if (!locals.user) return fail(401, { error: 'Sign in again.', values: {} });
		const data = await request.formData();
		const values = formValues(data);
		try {
			const { canvasId } = parseForm(data, idSchema);
			await canvases.remove(locals.db, { kind: 'user', userId: locals.user.id }, canvasId, runtime().collaboration);
			return { deleted: canvasId };
		} catch (error) {
			return formFailure(error, values);
		}
	}
};
