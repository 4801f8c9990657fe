// POST → { job }: cancels a job that has not finished; its credits go back.
import type { RequestHandler } from './$types';
import { api } from '$lib/server/http/api.ts';
import { guestIdOf, imageJobs } from '$lib/server/http/image-requests.ts';

export const POST: RequestHandler = api(async (event) => {
	const job = await imageJobs().cancel(event.locals.actor, event.params.id, guestIdOf(event));
	return Response.json({ job });
});
