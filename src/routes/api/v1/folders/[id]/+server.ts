import * as library from '$lib/server/library';
import { api, callerActor, readJson } from '$lib/server/http/api';
import { folderJson } from '$lib/server/http/folder-json';
import type { RequestHandler } from './$types';

export const PATCH: RequestHandler = api(async (event) => {
	const actor = callerActor(event);
	const { name } = await readJson(event, library.folderRequestSchema);
	const folder = await library.renameFolder(event.locals.db, actor, event.params.id, name);
	return Response.json(folderJson(folder));
});

/** Deletes the folder; its canvases go back to the top level of the library. */
export const DELETE: RequestHandler = api(async (event) => {
	await library.deleteFolder(event.locals.db, callerActor(event), event.params.id);
	return new Response(null, { status: 204 });
});
