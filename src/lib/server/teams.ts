// Teams and memberships as seen by a user.
import { and, asc, desc, eq } from 'drizzle-orm';
import type { Queryable } from './db/index.ts';
import { memberships, teams, type Role } from './db/schema.ts';

export interface TeamSummary {
	id: string;
	name: string;
	personal: boolean;
	role: Role;
}

/** The teams a user belongs to, personal team first. */
export async function listForUser(db: Queryable, userId: string): Promise<TeamSummary[]> {
	return db
		.select({ id: teams.id, name: teams.name, personal: teams.personal, role: memberships.role })
		.from(memberships)
		.innerJoin(teams, eq(teams.id, memberships.teamId))
		.where(eq(memberships.userId, userId))
		.orderBy(desc(teams.personal), asc(teams.name));
}

/** Records that a member used a team now (shown on the members page). */
export async function touchMembership(db: Queryable, teamId: string, userId: string): Promise<void> {
	await db
		.update(memberships)
		.set({ lastActiveAt: new Date() })
		.where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)));
}
