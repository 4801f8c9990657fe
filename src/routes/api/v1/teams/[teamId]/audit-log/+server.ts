import * as audit from '$lib/server/audit';
import { api, callerActor, readQuery } from '$lib/server/http/api';
import { pageSchema } from '$lib/server/paging';
import { auditJson } from '$lib/server/http/json';
import type { RequestHandler } from './$types';

/** Newest first; `?limit=` (≤ 200) and `?before=<id>` page back. */
export const GET: RequestHandler = api(async (event) => {
	const actor = callerActor(event);
	const page = readQuery(event, pageSchema);
	const rows = await audit.listForTeam(event.locals.db, actor, event.params.teamId, page);
	return Response.json({ entries: rows.map(auditJson), next: rows.length === page.limit ? rows[rows.length - 1].id : null });
});
