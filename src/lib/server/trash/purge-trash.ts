// The purge: what has been in the trash for TRASH_RETENTION_DAYS is deleted for good. Run by a
// periodic sweep on every instance (server/bootstrap.ts); safe to race with other instances and
// with restores.
import { and, asc, isNotNull, lt } from 'drizzle-orm';
import { systemActor } from '../access.ts';
import { canvases, teams } from '../db/schema.ts';
import type { Services } from '../services.ts';
import { purgeCanvases, purgeTeam } from './delete-forever.ts';
import { purgeCutoff } from './retention.ts';

/** Canvases deleted in one transaction; the sweep goes on until none is due. */
const PURGE_BATCH = 100;

const PURGER = systemActor('trash purge');

/**
 * Deletes for good, as of `now`, the teams (with all their canvases) and then the canvases that went
 * into the trash more than TRASH_RETENTION_DAYS earlier. Answers how many of each.
 */
export async function purgeTrash(services: Services, now = new Date()): Promise<{ teams: number; canvases: number }> {
	const { db } = services;
	const cutoff = purgeCutoff(now);
	let purgedTeams = 0;
	const dueTeams = await db
		.select({ id: teams.id })
		.from(teams)
		.where(and(isNotNull(teams.deletedAt), lt(teams.deletedAt, cutoff)));
	for (const { id } of dueTeams) if (await purgeTeam(services, id, cutoff)) purgedTeams++;

	let purgedCanvases = 0;
	for (;;) {
		const due = await db
			.select({ id: canvases.id })
			.from(canvases)
			.where(and(isNotNull(canvases.deletedAt), lt(canvases.deletedAt, cutoff)))
			.orderBy(asc(canvases.deletedAt))
			.limit(PURGE_BATCH);
		if (due.length === 0) break;
		const purged = await purgeCanvases(
			services,
			due.map((row) => row.id),
			cutoff,
			{ actor: PURGER, details: { purged: true } }
		);
		purgedCanvases += purged;
		// Another instance took this batch: what is left is its to finish (or the next sweep's).
		if (purged === 0) break;
	}
	return { teams: purgedTeams, canvases: purgedCanvases };
}
