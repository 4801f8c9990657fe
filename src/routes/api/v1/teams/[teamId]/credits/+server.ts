import * as credits from '$lib/server/credits';
import { requireTeamRole } from '$lib/server/access';
import { api, readQuery, userActor } from '$lib/server/http/api';
import { pageSchema } from '$lib/server/paging';
import type { RequestHandler } from './$types';

/** Credit ledger rows, newest first; `?limit=` (≤ 200) and `?before=<id>` page back (owners). */
export const GET: RequestHandler = api(async (event) => {
	const { actor } = userActor(event);
	await requireTeamRole(event.locals.db, actor, event.params.teamId, 'team.billing');
	const page = readQuery(event, pageSchema);
	await credits.ensureMonthlyGrant(event.locals.db, event.params.teamId);
	const rows = await credits.ledger(event.locals.db, event.params.teamId, page);
	return Response.json({
		balance: await credits.balance(event.locals.db, event.params.teamId),
		entries: rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() })),
		next: rows.length === page.limit ? rows[rows.length - 1].id : null
	});
});
