import { requireTeamRole } from '$lib/server/access';
import * as modelTiers from '$lib/server/ai/model-tiers';
import { api, callerActor, readQuery } from '$lib/server/http/api';
import { runtime } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

/** `?teamId=`: the assistant's model tiers for that team (members; 404 otherwise) → `{ configured, ownKey, tiers }`. */
export const GET: RequestHandler = api(async (event) => {
	const actor = callerActor(event);
	const { teamId } = readQuery(event, modelTiers.modelTiersQuerySchema);
	await requireTeamRole(event.locals.db, actor, teamId, 'team.view');
	return Response.json(await modelTiers.teamModelTiers(event.locals.db, runtime().config, teamId));
});
