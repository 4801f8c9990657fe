// GET → the picture: a playground guest's job's images (a canvas's are assets, at /api/v1/assets/:id).
import type { RequestHandler } from './$types';
import { AppError } from '$lib/server/errors.ts';
import { api } from '$lib/server/http/api.ts';
import { guestIdOf, imageJobs } from '$lib/server/http/image-requests.ts';

export const GET: RequestHandler = api(async (event) => {
	const index = Number(event.params.index);
	if (!Number.isInteger(index) || index < 0 || index > 3) throw new AppError('NOT_FOUND', 'This job has no such image.');
	const image = await imageJobs().guestImage(event.params.id, index, guestIdOf(event));
	return new Response(image.bytes as Uint8Array<ArrayBuffer>, {
		headers: { 'content-type': image.mimeType, 'cache-control': 'private, max-age=86400', 'x-content-type-options': 'nosniff' }
	});
});
