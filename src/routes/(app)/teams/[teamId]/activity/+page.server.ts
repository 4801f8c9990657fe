import { error } from '@sveltejs/kit';
import * as audit from '$lib/server/audit';
import * as canvases from '$lib/server/canvases';
import { AppError } from '$lib/server/errors';
import { actorOf } from '$lib/server/http/actor';
import * as teams from '$lib/server/teams';
import type { PageServerLoad } from './$types';

const PAGE_SIZE = 50;

export const load: PageServerLoad = async ({ locals, parent, url }) => {
	const { team, teams: myTeams } = await parent();
	const actor = actorOf(locals);
	const before = Number(url.searchParams.get('before')) || undefined;
	let rows;
	try {
		rows = await audit.listForTeam(locals.db, actor, team.id, { limit: PAGE_SIZE, before });
	} catch (caught) {
		if (caught instanceof AppError) error(caught.status, caught.message);
		throw caught;
	}
	const [members, list] = await Promise.all([teams.listMembers(locals.db, actor, team.id), canvases.listForTeam(locals.db, actor, team.id)]);
	return {
		before: before ?? null,
		pageSize: PAGE_SIZE,
		entries: rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() })),
		next: rows.length === PAGE_SIZE ? rows[rows.length - 1].id : null,
		names: {
			teamId: team.id,
			users: Object.fromEntries(members.map((member) => [member.userId, member.name])),
			canvases: Object.fromEntries(list.map((canvas) => [canvas.id, canvas.title])),
			teams: Object.fromEntries(myTeams.map((other) => [other.id, other.name]))
		}
	};
};
