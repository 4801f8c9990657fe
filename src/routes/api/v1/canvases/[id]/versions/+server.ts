import * as history from '$lib/server/history';
import { api, callerActor, readJson } from '$lib/server/http/api';
import { versionJson } from '$lib/server/http/json';
import type { RequestHandler } from './$types';

/** Newest first; versions older than the plan keeps are listed with `locked: true`. */
export const GET: RequestHandler = api(async (event) => {
	const actor = callerActor(event);
	const { versions, historyDays } = await history.list(event.locals.db, actor, event.params.id);
	return Response.json({ versions: versions.map(versionJson), historyDays });
});

/** `{ label }` saves the canvas as it is now as a named version. */
export const POST: RequestHandler = api(async (event) => {
	const actor = callerActor(event);
	const { label } = await readJson(event, history.versionLabelRequestSchema);
	const version = await history.saveNamed(event.locals.services, actor, event.params.id, label);
	return Response.json(versionJson(version), { status: 201 });
});
