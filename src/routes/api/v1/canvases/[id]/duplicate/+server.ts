import * as canvases from '$lib/server/canvases';
import { api, userActor } from '$lib/server/http/api';
import { canvasJson } from '$lib/server/http/canvas-json';
import { runtime } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = api(async (event) => {
	const { actor } = userActor(event);
	const copy = await canvases.duplicate(event.locals.services, actor, event.params.id, runtime().config.MAX_TITLE_LENGTH);
	return Response.json(canvasJson(copy), { status: 201 });
});
