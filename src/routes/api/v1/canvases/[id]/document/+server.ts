import * as canvases from '$lib/server/canvases';
import { api, callerActor } from '$lib/server/http/api';
import { documentName } from '$lib/document-names';
import type { RequestHandler } from './$types';

/** The canvas content: tldraw records keyed by id, as collaborators currently see them. */
export const GET: RequestHandler = api(async (event) => {
	const actor = callerActor(event);
	const canvas = await canvases.get(event.locals.db, actor, event.params.id);
	const document = await event.locals.services.collaboration.readDocument(documentName('canvas', canvas.id));
	return Response.json({ id: canvas.id, title: canvas.title, ...document });
});
