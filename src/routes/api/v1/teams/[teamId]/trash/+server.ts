import * as trash from '$lib/server/trash';
import { api, callerActor } from '$lib/server/http/api';
import { trashedCanvasJson } from '$lib/server/http/trash-json';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = api(async (event) => {
	const list = await trash.listTrash(event.locals.db, callerActor(event), event.params.teamId);
	return Response.json({ canvases: list.map(trashedCanvasJson) });
});
