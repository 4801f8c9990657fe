import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import * as teams from '$lib/server/teams';
import { AppError } from '$lib/server/errors';
import { formFailure, formValues, parseForm } from '$lib/server/http/forms';
import { runtime } from '$lib/server/runtime';
import { discardCanvasDocuments } from '$lib/server/documents/canvas-documents';
import { afterMembershipChange } from '$lib/server/http/membership-changes';
import type { Actions } from './$types';

const signInAgain = () => formFailure(new AppError('UNAUTHENTICATED', 'Sign in again.'), {});

export const actions: Actions = {
	rename: async ({ request, locals, params, getClientAddress }) => {
		if (!locals.user) return signInAgain();
		const data = await request.formData();
		try {
			const { name } = parseForm(data, z.object({ name: teams.teamNameSchema }));
			await teams.rename(locals.db, { kind: 'user', userId: locals.user.id }, params.teamId, name, { ip: getClientAddress() });
			return { renamed: name };
		} catch (error) {
			return formFailure(error, formValues(data));
		}
	},
	/** Deletes the team and its canvases (the owner types the name to confirm); open canvases close. */
	delete: async ({ request, locals, params }) => {
		if (!locals.user) return signInAgain();
		const data = await request.formData();
		try {
			const { confirmName } = parseForm(data, z.object({ confirmName: z.string({ error: 'Type the team name to confirm.' }) }));
			const { canvasIds } = await teams.remove(locals.db, { kind: 'user', userId: locals.user.id }, params.teamId, confirmName);
			await discardCanvasDocuments(runtime().collaboration, canvasIds);
		} catch (error) {
			return formFailure(error, formValues(data));
		}
		redirect(303, '/');
	},
	/** The caller leaves the team (also used from the members page). */
	leave: async ({ locals, params, getClientAddress }) => {
		if (!locals.user) return signInAgain();
		try {
			await teams.removeMember(locals.db, { kind: 'user', userId: locals.user.id }, params.teamId, locals.user.id, { ip: getClientAddress() });
			await afterMembershipChange(params.teamId, [locals.user.id]);
		} catch (error) {
			return formFailure(error, {});
		}
		redirect(303, '/');
	}
};
