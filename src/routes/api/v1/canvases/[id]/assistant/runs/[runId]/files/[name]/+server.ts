// GET: a binary file a design-document run made (its PDF), for whoever may open the canvas.
import type { RequestHandler } from './$types';
import { api, uuidParam } from '$lib/server/http/api.ts';
import { assistant, requesterOf } from '$lib/server/http/assistant-requests.ts';
import { attachmentNamed } from '$lib/server/http/content-disposition.ts';

export const GET: RequestHandler = api(async (event) => {
	const { file, body } = await assistant().file(requesterOf(event), uuidParam(event, 'id'), uuidParam(event, 'runId'), event.params.name);
	return new Response(body, {
		headers: {
			'content-type': file.mimeType,
			'content-length': String(file.bytes),
			'content-disposition': attachmentNamed(file.name),
			'cache-control': 'private, no-store',
			'x-content-type-options': 'nosniff'
		}
	});
});
