import * as apiKeys from '$lib/server/api-keys';
import { api, readJson, userActor } from '$lib/server/http/api';
import { runtime } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

/** The team's keys, newest first, revoked and expired ones included; never their secrets. Admins and owners. */
export const GET: RequestHandler = api(async (event) => {
	const { actor } = userActor(event);
	const keys = await apiKeys.listForTeam(event.locals.db, actor, event.params.teamId);
	return Response.json({ apiKeys: keys.map(apiKeys.apiKeyJson) } satisfies apiKeys.ApiKeyListJson);
});

/** `{ name, scopes, expiresAt?, canvasIds? }` → 201 `{ apiKey, token }`: the secret is in this answer only. */
export const POST: RequestHandler = api(async (event) => {
	const { actor, context } = userActor(event);
	const input = await readJson(event, apiKeys.createApiKeyRequestSchema);
	const { apiKey, token } = await apiKeys.create(event.locals.db, actor, event.params.teamId, input, { context, maxActiveKeys: runtime().config.API_KEYS_PER_TEAM });
	return Response.json({ apiKey: apiKeys.apiKeyJson(apiKey), token } satisfies apiKeys.CreatedApiKeyJson, { status: 201 });
});
