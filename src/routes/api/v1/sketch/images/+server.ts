// POST { prompt, sketch, variations?, strength? } → 202 { job }: the /sketch playground, for someone
// without an account (a cookie says which jobs are theirs; a daily limit per network address).
import type { RequestHandler } from './$types';
import { api } from '$lib/server/http/api.ts';
import { ensureGuestId, imageJobs, readImageRequest } from '$lib/server/http/image-requests.ts';

export const POST: RequestHandler = api(async (event) => {
	const body = await readImageRequest(event);
	const job = await imageJobs().submitGuest(ensureGuestId(event), event.getClientAddress(), body);
	return Response.json({ job }, { status: 202 });
});
