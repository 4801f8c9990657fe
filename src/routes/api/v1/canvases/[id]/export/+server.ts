import { AppError } from '$lib/server/errors';
import { api } from '$lib/server/http/api';
import { contentDisposition } from '$lib/server/http/content-disposition';
import { assetRequester } from '$lib/server/http/uploads';
import { runtime } from '$lib/server/runtime';
import * as tldrawFiles from '$lib/server/tldraw-files';
import type { RequestHandler } from './$types';

/**
 * The canvas as it is now, for whoever may open it (a share link in Easel-Share-Token): `?format=tldr`
 * (the default) a .tldr file with its pictures inlined, `?format=json` its records for programs.
 */
export const GET: RequestHandler = api(async (event) => {
	const format = event.url.searchParams.get('format') || 'tldr';
	if (format !== 'tldr' && format !== 'json') throw new AppError('INVALID_INPUT', 'format must be tldr or json.', { field: 'format' });
	const { actor, shareToken } = assetRequester(event);
	const exported = await tldrawFiles.exportCanvas(event.locals.services, actor, event.params.id, { shareToken });
	const origin = runtime().config.publicOrigin;
	const headers = { 'cache-control': 'private, no-store', 'x-content-type-options': 'nosniff' };
	if (format === 'json') return Response.json(tldrawFiles.withAbsoluteAssetUrls(exported, origin), { headers });
	return new Response(tldrawFiles.tldrawFileStream(event.locals.services, exported, origin), {
		headers: { ...headers, 'content-type': 'application/json', 'content-disposition': contentDisposition('attachment', exported.canvas.title, 'tldr', 'canvas') }
	});
});
