import * as teamAiSettings from '$lib/server/ai/team-ai-settings';
import { api, readJson, userActor } from '$lib/server/http/api';
import { runtime } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

/** The team's own AI provider settings (admins): never the key, only `hasKey` and `keyHint`. */
export const GET: RequestHandler = api(async (event) => {
	const { actor } = userActor(event);
	return Response.json(await teamAiSettings.getAiSettings(event.locals.db, actor, event.params.teamId));
});

/** Replaces them: `{ provider, baseUrl, models: { fast, balanced, best }, apiKey?, clearKey?, allowGuestAi? }`; a missing key keeps the saved one. */
export const PUT: RequestHandler = api(async (event) => {
	const { actor, context } = userActor(event);
	const input = await readJson(event, teamAiSettings.saveAiSettingsSchema);
	return Response.json(await teamAiSettings.saveAiSettings(event.locals.db, runtime().config, actor, event.params.teamId, input, context));
});
