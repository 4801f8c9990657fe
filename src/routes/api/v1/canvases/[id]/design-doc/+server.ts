// POST: makes a design document from the canvas's diagram → 202 { run } (the assistant's run
// resource; its `files` hold the Markdown inline and the PNG/PDF by URL once done).
import type { RequestHandler } from './$types';
import { z } from 'zod';
import { api, readJson, uuidParam } from '$lib/server/http/api.ts';
import { assistant, requesterOf } from '$lib/server/http/assistant-requests.ts';
import { designDocWork } from '$lib/server/ai/design-doc.ts';

export const POST: RequestHandler = api(async (event) => {
	const canvasId = uuidParam(event, 'id');
	// The work definition validates the fields (format, tier, parentMessageId); readJson only bounds and parses the body.
	const body = await readJson(event, z.record(z.string(), z.unknown()));
	const started = await assistant().startWork(requesterOf(event), canvasId, designDocWork, body);
	return Response.json(started, { status: 202 });
});
