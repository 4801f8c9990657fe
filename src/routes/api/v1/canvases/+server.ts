import * as canvases from '$lib/server/canvases';
import * as library from '$lib/server/library';
import * as teams from '$lib/server/teams';
import { api, caller, callerActor, readJson, readQuery } from '$lib/server/http/api';
import { canvasJson, libraryCanvasJson } from '$lib/server/http/canvas-json';
import { runtime } from '$lib/server/runtime';
import { z } from 'zod';
import type { RequestHandler } from './$types';

const listQuerySchema = library.libraryQuerySchema.extend({ teamId: z.string().optional() });

/** Lists or searches a team's canvases (`?teamId=`, default: the personal team; `q`, `sort`, `folderId`, `starred`). */
export const GET: RequestHandler = api(async (event) => {
	const actor = callerActor(event);
	const { teamId: requestedTeamId, ...query } = readQuery(event, listQuerySchema);
	const teamId = requestedTeamId ?? (await teams.defaultTeamId(event.locals.db, actor));
	const found = await library.listLibrary(event.locals.db, actor, teamId, query);
	return Response.json({ canvases: found.canvases.map((canvas) => libraryCanvasJson(canvas, Boolean(query.q))), truncated: found.truncated });
});

export const POST: RequestHandler = api(async (event) => {
	const { actor, context } = caller(event);
	const input = await readJson(event, canvases.createCanvasRequestSchema(runtime().config.MAX_TITLE_LENGTH));
	const teamId = input.teamId ?? (await teams.defaultTeamId(event.locals.db, actor));
	const canvas = await canvases.create(event.locals.db, actor, { teamId, title: input.title }, { maxTitleLength: runtime().config.MAX_TITLE_LENGTH, ...context });
	return Response.json(canvasJson(canvas), { status: 201 });
});
