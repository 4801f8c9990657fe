import * as canvases from '$lib/server/canvases';
import * as teams from '$lib/server/teams';
import { api, caller, callerActor, readJson } from '$lib/server/http/api';
import { canvasJson } from '$lib/server/http/canvas-json';
import { runtime } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

/** Lists canvases of a team (`?teamId=`, default: the personal team). */
export const GET: RequestHandler = api(async (event) => {
	const actor = callerActor(event);
	const teamId = event.url.searchParams.get('teamId') ?? (await teams.defaultTeamId(event.locals.db, actor));
	const list = await canvases.listForTeam(event.locals.db, actor, teamId);
	return Response.json({ canvases: list.map(canvasJson) });
});

export const POST: RequestHandler = api(async (event) => {
	const { actor, context } = caller(event);
	const input = await readJson(event, canvases.createCanvasRequestSchema(runtime().config.MAX_TITLE_LENGTH));
	const teamId = input.teamId ?? (await teams.defaultTeamId(event.locals.db, actor));
	const canvas = await canvases.create(event.locals.db, actor, { teamId, title: input.title }, { maxTitleLength: runtime().config.MAX_TITLE_LENGTH, ...context });
	return Response.json(canvasJson(canvas), { status: 201 });
});
