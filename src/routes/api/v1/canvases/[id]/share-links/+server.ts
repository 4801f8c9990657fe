import * as sharing from '$lib/server/sharing';
import { api, readJson, userActor } from '$lib/server/http/api';
import { shareLinkJson } from '$lib/server/http/json';
import { runtime } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = api(async (event) => {
	const { actor } = userActor(event);
	const links = await sharing.listLinks(event.locals.db, actor, event.params.id);
	return Response.json({ shareLinks: links.map((link) => shareLinkJson(link)) });
});

/** `{ access: 'view'|'edit', audience: 'anyone'|'team', expiresAt? }` → the link with its `token` and `url` (shown once). */
export const POST: RequestHandler = api(async (event) => {
	const { actor, context } = userActor(event);
	const input = await readJson(event, sharing.createShareLinkSchema);
	const { link, token } = await sharing.createLink(event.locals.db, actor, event.params.id, input, context);
	return Response.json(shareLinkJson(link, { token, url: sharing.shareUrl(runtime().config.publicOrigin, token) }), { status: 201 });
});
