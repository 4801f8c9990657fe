// GET: a run's status, cost, usage and changes.
import type { RequestHandler } from './$types';
import { api, uuidParam } from '$lib/server/http/api.ts';
import { assistant, requesterOf } from '$lib/server/http/assistant-requests.ts';

export const GET: RequestHandler = api(async (event) => {
	const run = await assistant().get(requesterOf(event), uuidParam(event, 'id'), uuidParam(event, 'runId'));
	return Response.json({ run });
});
