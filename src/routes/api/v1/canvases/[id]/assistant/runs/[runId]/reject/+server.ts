// POST { changeIds? } (or no body): rejects the run's changes (all when omitted) → { rejected, refused }.
import type { RequestHandler } from './$types';
import { api, readJson, uuidParam } from '$lib/server/http/api.ts';
import { assistant, requesterOf, reviewSchema } from '$lib/server/http/assistant-requests.ts';

export const POST: RequestHandler = api(async (event) => {
	const { changeIds } = event.request.headers.has('content-type') ? await readJson(event, reviewSchema) : { changeIds: undefined };
	const result = await assistant().review(requesterOf(event), uuidParam(event, 'id'), uuidParam(event, 'runId'), 'reject', changeIds);
	return Response.json(result);
});
