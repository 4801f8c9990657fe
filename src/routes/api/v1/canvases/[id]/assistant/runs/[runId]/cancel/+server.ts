// POST: stops a queued or running run at once; nothing is charged.
import type { RequestHandler } from './$types';
import { api, uuidParam } from '$lib/server/http/api.ts';
import { assistant, requesterOf } from '$lib/server/http/assistant-requests.ts';

export const POST: RequestHandler = api(async (event) => {
	const run = await assistant().cancel(requesterOf(event), uuidParam(event, 'id'), uuidParam(event, 'runId'));
	return Response.json({ run });
});
