import * as accountSettings from '$lib/server/account-settings';
import { api, requireUser } from '$lib/server/http/api';
import { providerLinkUrl, providerSettings } from '$lib/server/http/account-requests';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = api(async (event) => {
	const user = requireUser(event);
	const linked = await accountSettings.listLinkedProviders(event.locals.db, user.id, providerSettings());
	return Response.json({
		providers: linked.providers.map((link) => ({ ...link, linkUrl: link.configured ? providerLinkUrl(link.provider) : null })),
		linkRefusal: linked.linkRefusal
	});
});
