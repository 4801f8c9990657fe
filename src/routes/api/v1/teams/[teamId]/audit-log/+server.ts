import * as audit from '$lib/server/audit';
import { api, userActor } from '$lib/server/http/api';
import { auditJson } from '$lib/server/http/json';
import type { RequestHandler } from './$types';

/** Newest first; `?limit=` (≤ 200) and `?before=<id>` page back. */
export const GET: RequestHandler = api(async (event) => {
	const { actor } = userActor(event);
	const limit = Number(event.url.searchParams.get('limit') ?? '50') || 50;
	const before = Number(event.url.searchParams.get('before') ?? '') || undefined;
	const rows = await audit.listForTeam(event.locals.db, actor, event.params.teamId, { limit, before });
	return Response.json({ entries: rows.map(auditJson), next: rows.length === limit ? rows[rows.length - 1].id : null });
});
