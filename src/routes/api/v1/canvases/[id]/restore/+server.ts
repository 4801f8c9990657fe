import * as trash from '$lib/server/trash';
import { api, caller } from '$lib/server/http/api';
import { canvasJson } from '$lib/server/http/canvas-json';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = api(async (event) => {
	const { actor, context } = caller(event);
	return Response.json(canvasJson(await trash.restoreCanvas(event.locals.services, actor, event.params.id, context)));
});
