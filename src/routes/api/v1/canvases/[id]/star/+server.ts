import * as library from '$lib/server/library';
import { api, userActor } from '$lib/server/http/api';
import type { RequestHandler } from './$types';

/** Stars the canvas for the signed-in person (an API key has no stars). */
export const PUT: RequestHandler = api(async (event) => {
	const { actor } = userActor(event);
	await library.star(event.locals.db, actor, event.params.id);
	return new Response(null, { status: 204 });
});

export const DELETE: RequestHandler = api(async (event) => {
	const { actor } = userActor(event);
	await library.unstar(event.locals.db, actor, event.params.id);
	return new Response(null, { status: 204 });
});
