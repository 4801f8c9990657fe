// POST: code per node from the canvas's diagram → 202 { run }; the run's files arrive as nodes finish.
import type { RequestHandler } from './$types';
import { api, readJson, uuidParam } from '$lib/server/http/api.ts';
import { assistant, requesterOf } from '$lib/server/http/assistant-requests.ts';
import { codeGeneration } from '$lib/server/ai/code-generation.ts';
import { z } from 'zod';

export const POST: RequestHandler = api(async (event) => {
	const canvasId = uuidParam(event, 'id');
	// The work kind validates the fields (against the canvas's graph); here only that it is an object.
	const body = await readJson(event, z.record(z.string(), z.unknown(), { error: 'Send a JSON object: { shapeIds, tier?, language? }.' }));
	const started = await assistant().startWork(requesterOf(event), canvasId, codeGeneration, body);
	return Response.json(started, { status: 202 });
});
