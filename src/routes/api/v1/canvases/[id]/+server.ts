import * as canvases from '$lib/server/canvases';
import * as trash from '$lib/server/trash';
import { api, caller, callerActor, readJson, readQuery } from '$lib/server/http/api';
import { canvasJson } from '$lib/server/http/canvas-json';
import { trashedCanvasRefJson } from '$lib/server/http/trash-json';
import { runtime } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = api(async (event) => {
	const actor = callerActor(event);
	const canvas = await canvases.get(event.locals.db, actor, event.params.id);
	return Response.json({ ...canvasJson(canvas), role: canvas.access.role, canEdit: canvas.access.canEdit });
});

export const PATCH: RequestHandler = api(async (event) => {
	const actor = callerActor(event);
	const { title } = await readJson(event, canvases.renameCanvasRequestSchema(runtime().config.MAX_TITLE_LENGTH));
	const canvas = await canvases.rename(event.locals.db, actor, event.params.id, title, { maxTitleLength: runtime().config.MAX_TITLE_LENGTH });
	return Response.json(canvasJson(canvas));
});

/** To the team's trash (200 with when it is purged), or with `?permanent=true` deleted for good (204). */
export const DELETE: RequestHandler = api(async (event) => {
	const { actor, context } = caller(event);
	const { permanent } = readQuery(event, trash.deleteCanvasQuerySchema);
	if (permanent === 'true') {
		await trash.deleteCanvasForever(event.locals.services, actor, event.params.id, context);
		return new Response(null, { status: 204 });
	}
	const trashed = await trash.moveCanvasToTrash(event.locals.services, actor, event.params.id, context);
	return Response.json({ canvas: trashedCanvasRefJson(trashed) });
});
