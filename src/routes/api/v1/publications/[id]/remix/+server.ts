import * as remixes from '$lib/server/remix';
import { api, readJson, userActor } from '$lib/server/http/api';
import { canvasJson } from '$lib/server/http/canvas-json';
import { runtime } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

/** Copies a published canvas into one of the caller's teams: 201 `{ canvas }`. */
export const POST: RequestHandler = api(async (event) => {
	const { actor, context } = userActor(event);
	const { teamId } = await readJson(event, remixes.remixRequestSchema);
	const canvas = await remixes.remix(event.locals.services, actor, event.params.id, teamId, { maxTitleLength: runtime().config.MAX_TITLE_LENGTH, ip: context.ip });
	return Response.json({ canvas: canvasJson(canvas) }, { status: 201 });
});
