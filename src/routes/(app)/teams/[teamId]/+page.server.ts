import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { can } from '$lib/server/access';
import * as canvases from '$lib/server/canvases';
import * as trash from '$lib/server/trash';
import { actorOf } from '$lib/server/http/actor';
import { formAction } from '$lib/server/http/forms';
import { runtime } from '$lib/server/runtime';
import { THUMBNAILS_DEPENDENCY } from '$lib/canvas/canvas-thumbnails';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent, depends }) => {
	// A canvas page invalidates this after uploading a thumbnail on its way out, so the new picture shows.
	depends(THUMBNAILS_DEPENDENCY);
	const { team, teams } = await parent();
	const list = await canvases.listForTeam(locals.db, actorOf(locals), team.id);
	return {
		canCreate: can(team.role, 'canvas.create'),
		canEdit: can(team.role, 'canvas.rename'),
		canDuplicate: can(team.role, 'canvas.duplicate'),
		// "Move to team…" lists the other teams the user administers (moving needs admin on both sides).
		moveTargets: can(team.role, 'canvas.move')
			? teams.filter((other) => other.id !== team.id && can(other.role, 'canvas.move')).map(({ id, name }) => ({ id, name }))
			: [],
		canvases: list.map((canvas) => ({
			...canvas,
			createdAt: canvas.createdAt.toISOString(),
			updatedAt: canvas.updatedAt.toISOString(),
			thumbnailUpdatedAt: canvas.thumbnailUpdatedAt?.getTime() ?? null
		})),
		maxTitleLength: runtime().config.MAX_TITLE_LENGTH,
		// Exports from a card draw the canvas with tldraw in the browser.
		licenseKey: runtime().config.TLDRAW_LICENSE_KEY ?? ''
	};
};

const idSchema = z.object({ canvasId: z.string() });
const maxTitleLength = () => runtime().config.MAX_TITLE_LENGTH;

export const actions: Actions = {
	create: formAction(
		(data) => z.object({ title: canvases.optionalTitleSchema(maxTitleLength()) }).parse(Object.fromEntries(data)),
		async ({ title }, { event, actor }) => {
			const created = await canvases.create(
				event.locals.db,
				actor,
				{ teamId: event.params.teamId, title },
				{ maxTitleLength: maxTitleLength(), ip: event.getClientAddress() }
			);
			redirect(303, `/c/${created.id}`);
		}
	),
	rename: formAction(
		(data) => idSchema.extend({ title: canvases.titleSchema(maxTitleLength()) }).parse(Object.fromEntries(data)),
		async ({ canvasId, title }, { event, actor }) => {
			await canvases.rename(event.locals.db, actor, canvasId, title, { maxTitleLength: maxTitleLength() });
			return { renamed: canvasId };
		}
	),
	/** Moves the canvas to the team's trash (restorable for 30 days); `restore` is the notice's Undo. */
	delete: formAction(idSchema, async ({ canvasId }, { event, actor, services }) => {
		const trashed = await trash.moveCanvasToTrash(services, actor, canvasId, { ip: event.getClientAddress() });
		return { deleted: canvasId, trashed: { id: trashed.id, title: trashed.title } };
	}),
	restore: formAction(idSchema, async ({ canvasId }, { actor, services, context }) => {
		const restored = await trash.restoreCanvas(services, actor, canvasId, context);
		return { restored: { id: restored.id, title: restored.title } };
	}),
	duplicate: formAction(idSchema, async ({ canvasId }, { event, actor, services }) => {
		const copy = await canvases.duplicate(services, actor, canvasId, { maxTitleLength: maxTitleLength(), ip: event.getClientAddress() });
		return { duplicated: { id: copy.id, title: copy.title } };
	}),
	move: formAction(
		idSchema.extend({ teamId: z.string({ error: 'Choose a team.' }).min(1, { error: 'Choose a team.' }) }),
		async ({ canvasId, teamId }, { actor, services, context }) => {
			const moved = await canvases.move(services, actor, canvasId, teamId, context);
			return { moved: { id: moved.id, title: moved.title, teamId: moved.teamId } };
		}
	)
};
