import * as publications from '$lib/server/publications';
import { api, callerActor, readJson } from '$lib/server/http/api';
import { publicationJson, publicationRefJson } from '$lib/server/http/publication-json';
import { runtime } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

/** The canvas's publication as its team sees it (moderation included), or 404 when it is not published. */
export const GET: RequestHandler = api(async (event) => {
	const publication = await publications.getPublication(event.locals.db, callerActor(event), event.params.id);
	return Response.json({ publication: publicationJson(publication, runtime().config.publicOrigin) });
});

/** `{ title?, description?, tags? }` publishes the canvas as it is now (201), or republishes it (200, same slug). */
export const POST: RequestHandler = api(async (event) => {
	const actor = callerActor(event);
	const input = await readJson(event, publications.publishInputSchema);
	const { publication, created } = await publications.publish(event.locals.services, actor, event.params.id, input, { ip: event.getClientAddress() });
	return Response.json({ publication: publicationRefJson(publication, runtime().config.publicOrigin) }, { status: created ? 201 : 200 });
});

/** Unpublishes at once (the page answers 404 from now on); the frozen version stays in the canvas's history. */
export const DELETE: RequestHandler = api(async (event) => {
	await publications.unpublish(event.locals.services, callerActor(event), event.params.id, { ip: event.getClientAddress() });
	return new Response(null, { status: 204 });
});
