import * as moderation from '$lib/server/moderation';
import { api, readJson, userActor } from '$lib/server/http/api';
import type { RequestHandler } from './$types';

/** `{ reason }` hides a publication (instance administrators only; 404 for anyone else); its team is shown the reason. */
export const POST: RequestHandler = api(async (event) => {
	const { actor } = userActor(event);
	await moderation.requireInstanceAdmin(event.locals.db, actor);
	const { reason } = await readJson(event, moderation.moderationReasonRequestSchema);
	await moderation.hide(event.locals.db, actor, event.params.id, reason);
	return new Response(null, { status: 204 });
});
