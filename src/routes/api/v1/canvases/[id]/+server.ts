import * as canvases from '$lib/server/canvases';
import * as trash from '$lib/server/trash';
import * as library from '$lib/server/library';
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

/** Renames the canvas (`title`), files it (`folderId`, null for none), or both. */
export const PATCH: RequestHandler = api(async (event) => {
	const actor = callerActor(event);
	const maxTitleLength = runtime().config.MAX_TITLE_LENGTH;
	const input = await readJson(event, canvases.updateCanvasRequestSchema(maxTitleLength));
	const canvas = await library.updateCanvas(event.locals.db, actor, event.params.id, input, { maxTitleLength });
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
