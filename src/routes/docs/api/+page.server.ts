import { apiReference } from '$lib/server/api-contract/reference';
import { runtime } from '$lib/server/runtime';
import type { PageServerLoad } from './$types';

/** The API reference, rendered from the OpenAPI document; public, the same for everyone. */
export const load: PageServerLoad = async ({ locals, setHeaders }) => {
	setHeaders({ 'cache-control': locals.user ? 'private, no-cache' : 'public, max-age=300', vary: 'cookie' });
	return { reference: apiReference(runtime().config.publicOrigin) };
};
