import * as canvases from '$lib/server/canvases';
import { api, caller } from '$lib/server/http/api';
import { canvasJson } from '$lib/server/http/canvas-json';
import { runtime } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = api(async (event) => {
	const { actor, context } = caller(event);
	const copy = await canvases.duplicate(event.locals.services, actor, event.params.id, { maxTitleLength: runtime().config.MAX_TITLE_LENGTH, ...context });
	return Response.json(canvasJson(copy), { status: 201 });
});
