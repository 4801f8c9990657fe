import * as teamSso from '$lib/server/auth/team-sso';
import { api, readJson, userActor } from '$lib/server/http/api';
import { runtime } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

/** The team's single sign-on settings (owners). */
export const GET: RequestHandler = api(async (event) => {
	const { actor } = userActor(event);
	return Response.json(await teamSso.getSettings(event.locals.db, teamSso.ssoSetupOf(runtime().config), actor, event.params.teamId));
});

/** Replaces them: `{ required, domains }`. */
export const PUT: RequestHandler = api(async (event) => {
	const { actor, context } = userActor(event);
	const input = await readJson(event, teamSso.saveSsoSettingsSchema);
	return Response.json(await teamSso.saveSettings(event.locals.db, teamSso.ssoSetupOf(runtime().config), actor, event.params.teamId, input, context));
});
