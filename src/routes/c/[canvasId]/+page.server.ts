import { error, redirect } from '@sveltejs/kit';
import * as canvases from '$lib/server/canvases';
import { AppError } from '$lib/server/errors';
import { formFailure, formValues, parseForm } from '$lib/server/http/forms';
import { runtime } from '$lib/server/runtime';
import { userColor } from '$lib/user-color';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => {
	if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
	try {
		const canvas = await canvases.get(locals.db, { kind: 'user', userId: locals.user.id }, params.canvasId);
		return {
			canvas: { id: canvas.id, title: canvas.title, teamId: canvas.teamId },
			role: canvas.access.role,
			canEdit: canvas.access.canEdit,
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
