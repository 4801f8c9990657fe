import * as teamAiSettings from '$lib/server/ai/team-ai-settings';
import { api, readJson, userActor } from '$lib/server/http/api';
import { runtime } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

/**
 * One real, minimal request to the provider: the saved settings, or unsaved ones in the body
 * (`{ provider?, baseUrl?, models?, apiKey? }`, each falling back to the saved value). Always 200:
 * `{ ok: true, model, latencyMs }` or `{ ok: false, reason }`.
 */
export const POST: RequestHandler = api(async (event) => {
	const { actor } = userActor(event);
	const hasBody = Number(event.request.headers.get('content-length') ?? '0') > 0 || event.request.headers.has('transfer-encoding');
	const input = hasBody ? await readJson(event, teamAiSettings.testConnectionSchema) : undefined;
	return Response.json(await teamAiSettings.testConnection(event.locals.db, runtime().config, actor, event.params.teamId, input));
});
