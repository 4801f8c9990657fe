// GET → { job }: state, place in the queue, ETA, progress, the pictures when done, or why it failed.
import type { RequestHandler } from './$types';
import { api } from '$lib/server/http/api.ts';
import { guestIdOf, imageJobs, jobReader } from '$lib/server/http/image-requests.ts';

export const GET: RequestHandler = api(async (event) => {
	const job = await imageJobs().get(jobReader(event), event.params.id, guestIdOf(event));
	return Response.json({ job }, { headers: { 'cache-control': 'no-store' } });
});
