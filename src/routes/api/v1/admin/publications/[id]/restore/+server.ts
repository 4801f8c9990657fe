import * as moderation from '$lib/server/moderation';
import { api, userActor } from '$lib/server/http/api';
import type { RequestHandler } from './$types';

/** Makes a hidden publication visible again (instance administrators only; 404 for anyone else). */
export const POST: RequestHandler = api(async (event) => {
	const { actor } = userActor(event);
	await moderation.restore(event.locals.db, actor, event.params.id);
	return new Response(null, { status: 204 });
});
