import * as library from '$lib/server/library';
import { api, callerActor, readJson } from '$lib/server/http/api';
import { folderJson } from '$lib/server/http/folder-json';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = api(async (event) => {
	const folders = await library.listFolders(event.locals.db, callerActor(event), event.params.teamId);
	return Response.json({ folders: folders.map(folderJson) });
});

export const POST: RequestHandler = api(async (event) => {
	const actor = callerActor(event);
	const { name } = await readJson(event, library.folderRequestSchema);
	const folder = await library.createFolder(event.locals.db, actor, event.params.teamId, name);
	return Response.json(folderJson(folder), { status: 201 });
});
