import * as moderation from '$lib/server/moderation';
import { api, readJson } from '$lib/server/http/api';
import { runtime } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

/** `{ reason }` reports a published canvas to the instance's moderators; anyone may, a few times an hour per address. */
export const POST: RequestHandler = api(async (event) => {
	const { reason } = await readJson(event, moderation.moderationReasonRequestSchema);
	const report = await moderation.report(event.locals.db, event.locals.actor, event.params.id, reason, {
		throttle: runtime().publicationReportThrottle,
		address: event.getClientAddress()
	});
	return Response.json({ report }, { status: 201 });
});
