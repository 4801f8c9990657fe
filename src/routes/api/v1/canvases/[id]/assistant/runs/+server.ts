// POST: starts an assistant run on the canvas (the chat panel uses this too) → 202 { run }.
import type { RequestHandler } from './$types';
import { api, readJson, uuidParam } from '$lib/server/http/api.ts';
import { assistant, requesterOf, startRunSchema } from '$lib/server/http/assistant-requests.ts';

export const POST: RequestHandler = api(async (event) => {
	const canvasId = uuidParam(event, 'id');
	const body = await readJson(event, startRunSchema);
	const started = await assistant().start(requesterOf(event), canvasId, {
		prompt: body.prompt,
		tier: body.tier,
		parentMessageId: body.parentMessageId,
		retryMessageId: body.retryMessageId,
		focus: body.context
	});
	return Response.json(started, { status: 202 });
});
