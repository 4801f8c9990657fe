import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { can } from '$lib/server/access';
import { actorOf } from '$lib/server/http/actor';
import { formAction } from '$lib/server/http/forms';
import * as trash from '$lib/server/trash';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent }) => {
	const { team } = await parent();
	const canvases = await trash.listTrash(locals.db, actorOf(locals), team.id);
	return {
		retentionDays: trash.TRASH_RETENTION_DAYS,
		canRestore: can(team.role, 'canvas.restore'),
		canDeleteForever: can(team.role, 'canvas.delete_forever'),
		canvases: canvases.map((canvas) => ({
			id: canvas.id,
			title: canvas.title,
			deletedAt: canvas.deletedAt.toISOString(),
			purgeAt: canvas.purgeAt.toISOString(),
			deletedByName: canvas.deletedBy?.name ?? null
		}))
	};
};

const idSchema = z.object({ canvasId: z.string({ error: 'Choose a canvas.' }) });

export const actions: Actions = {
	/** Back to the library; with `open` (from the canvas page's notice) straight to the canvas. */
	restore: formAction(idSchema.extend({ open: z.string().optional() }), async ({ canvasId, open }, { actor, services, context }) => {
		const restored = await trash.restoreCanvas(services, actor, canvasId, context);
		if (open) redirect(303, `/c/${restored.id}`);
		return { restored: { id: restored.id, title: restored.title } };
	}),
	deleteForever: formAction(idSchema, async ({ canvasId }, { actor, services, context }) => {
		const deleted = await trash.deleteCanvasForever(services, actor, canvasId, context);
		return { deletedForever: deleted.title };
	})
};
