// POST { prompt, sketch, frameId?, variations?, strength? } → 202 { job }: pictures of a sketch,
// made by an image worker; the job's result frame (when frameId names a sketch frame) shows it live.
import type { RequestHandler } from './$types';
import { api, callerActor, uuidParam } from '$lib/server/http/api.ts';
import { imageJobs, readImageRequest } from '$lib/server/http/image-requests.ts';

export const POST: RequestHandler = api(async (event) => {
	const canvasId = uuidParam(event, 'id');
	const actor = callerActor(event);
	const job = await imageJobs().submit(actor, canvasId, await readImageRequest(event));
	return Response.json({ job }, { status: 202 });
});
