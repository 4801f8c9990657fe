// Teams and memberships as seen by a user.
import { asc, desc, eq } from 'drizzle-orm';
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
