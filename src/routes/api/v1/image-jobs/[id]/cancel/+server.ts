// POST → { job }: cancels a job that has not finished; its credits go back.
import type { RequestHandler } from './$types';
import { api } from '$lib/server/http/api.ts';
import { guestIdOf, imageJobs, jobReader } from '$lib/server/http/image-requests.ts';

export const POST: RequestHandler = api(async (event) => {
	const job = await imageJobs().cancel(jobReader(event), event.params.id, guestIdOf(event));
	return Response.json({ job });
});
