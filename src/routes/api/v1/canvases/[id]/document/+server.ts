import * as canvases from '$lib/server/canvases';
import { api, requireUser } from '$lib/server/http/api';
import { runtime } from '$lib/server/runtime';
import { documentName } from '$lib/document-names';
import type { RequestHandler } from './$types';

/** The canvas content: tldraw records keyed by id, as collaborators currently see them. */
export const GET: RequestHandler = api(async (event) => {
	const user = requireUser(event);
	const canvas = await canvases.get(event.locals.db, { kind: 'user', userId: user.id }, event.params.id);
	const document = await runtime().collaboration.readDocument(documentName('canvas', canvas.id));
	return Response.json({ id: canvas.id, title: canvas.title, ...document });
});
