// GET → { service: { configured, workers, queued } }: whether this server makes images, and how busy it is.
import type { RequestHandler } from './$types';
import { api } from '$lib/server/http/api.ts';
import { imageJobs } from '$lib/server/http/image-requests.ts';

export const GET: RequestHandler = api(async () => {
	return Response.json({ service: await imageJobs().service() }, { headers: { 'cache-control': 'no-store' } });
});
