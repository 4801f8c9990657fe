import * as history from '$lib/server/history';
import { api, callerActor, readJson } from '$lib/server/http/api';
import { versionJson } from '$lib/server/http/json';
import type { RequestHandler } from './$types';

/** The version's tldraw records (for preview; nothing changes). */
export const GET: RequestHandler = api(async (event) => {
	const actor = callerActor(event);
	const { version, records } = await history.getRecords(event.locals.db, actor, event.params.id, event.params.versionId);
	return Response.json({ ...versionJson(version), records });
});

/** `{ label }` renames a named version (admins). */
export const PATCH: RequestHandler = api(async (event) => {
	const actor = callerActor(event);
	const { label } = await readJson(event, history.versionLabelRequestSchema);
	return Response.json(versionJson(await history.rename(event.locals.db, actor, event.params.id, event.params.versionId, label)));
});

/** Deletes a named version (admins). */
export const DELETE: RequestHandler = api(async (event) => {
	const actor = callerActor(event);
	await history.remove(event.locals.db, actor, event.params.id, event.params.versionId);
	return new Response(null, { status: 204 });
});
