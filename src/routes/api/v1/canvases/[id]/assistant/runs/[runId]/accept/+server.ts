// POST { changeIds? } (or no body): accepts the run's changes (all when omitted) → { accepted, refused }.
import type { RequestHandler } from './$types';
import { api, readJson, uuidParam } from '$lib/server/http/api.ts';
import { assistant, requesterOf, reviewSchema } from '$lib/server/http/assistant-requests.ts';

export const POST: RequestHandler = api(async (event) => {
	const { changeIds } = event.request.headers.has('content-type') ? await readJson(event, reviewSchema) : { changeIds: undefined };
	const result = await assistant().review(requesterOf(event), uuidParam(event, 'id'), uuidParam(event, 'runId'), 'accept', changeIds);
	return Response.json(result);
});
