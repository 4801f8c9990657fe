import * as canvases from '$lib/server/canvases';
import { api, readJson, userActor } from '$lib/server/http/api';
import { canvasJson } from '$lib/server/http/canvas-json';
import type { RequestHandler } from './$types';

/** `{ teamId }`: the caller must administer both teams. */
export const POST: RequestHandler = api(async (event) => {
	const { actor, context } = userActor(event);
	const { teamId } = await readJson(event, canvases.moveCanvasRequestSchema);
	const moved = await canvases.move(event.locals.services, actor, event.params.id, teamId, context);
	return Response.json(canvasJson(moved));
});
