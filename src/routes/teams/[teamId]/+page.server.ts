import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { can } from '$lib/server/access';
import * as canvases from '$lib/server/canvases';
import { AppError } from '$lib/server/errors';
import { formFailure, formValues, parseForm } from '$lib/server/http/forms';
import { runtime } from '$lib/server/runtime';
import type { Actions, PageServerLoad } from './$types';

const signInAgain = () => formFailure(new AppError('UNAUTHENTICATED', 'Sign in again.'), {});

export const load: PageServerLoad = async ({ locals, parent }) => {
	const { team, teams } = await parent();
	const list = await canvases.listForTeam(locals.db, { kind: 'user', userId: locals.user!.id }, team.id);
	return {
		canCreate: can(team.role, 'canvas.create'),
		canEdit: can(team.role, 'canvas.rename'),
		canDuplicate: can(team.role, 'canvas.duplicate'),
		// "Move to team…" lists the other teams the user administers (moving needs admin on both sides).
		moveTargets: can(team.role, 'canvas.move')
			? teams.filter((other) => other.id !== team.id && can(other.role, 'canvas.move')).map(({ id, name }) => ({ id, name }))
			: [],
		canvases: list.map((canvas) => ({ ...canvas, createdAt: canvas.createdAt.toISOString(), updatedAt: canvas.updatedAt.toISOString() })),
		maxTitleLength: runtime().config.MAX_TITLE_LENGTH
	};
};

const idSchema = z.object({ canvasId: z.string() });

export const actions: Actions = {
	create: async ({ request, locals, params }) => {
		if (!locals.user) return signInAgain();
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
		if (!locals.user) return signInAgain();
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
		if (!locals.user) return signInAgain();
		const data = await request.formData();
		const values = formValues(data);
		try {
			const { canvasId } = parseForm(data, idSchema);
			await canvases.remove(locals.db, { kind: 'user', userId: locals.user.id }, canvasId, runtime().collaboration);
			return { deleted: canvasId };
		} catch (error) {
			return formFailure(error, values);
		}
	},
	duplicate: async ({ request, locals }) => {
		if (!locals.user) return signInAgain();
		const data = await request.formData();
		const values = formValues(data);
		try {
			const { canvasId } = parseForm(data, idSchema);
			const { collaboration, config } = runtime();
			const copy = await canvases.duplicate(locals.db, { kind: 'user', userId: locals.user.id }, canvasId, collaboration, config.MAX_TITLE_LENGTH);
			return { duplicated: { id: copy.id, title: copy.title } };
		} catch (error) {
			return formFailure(error, values);
		}
	},
	move: async ({ request, locals, getClientAddress }) => {
		if (!locals.user) return signInAgain();
		const data = await request.formData();
		const values = formValues(data);
		try {
			const { canvasId, teamId } = parseForm(data, idSchema.extend({ teamId: z.string({ error: 'Choose a team.' }).min(1, { error: 'Choose a team.' }) }));
			const moved = await canvases.move(locals.db, { kind: 'user', userId: locals.user.id }, canvasId, teamId, runtime().collaboration, { ip: getClientAddress() });
			return { moved: { id: moved.id, title: moved.title, teamId: moved.teamId } };
		} catch (error) {
			return formFailure(error, values);
		}
	}
};
