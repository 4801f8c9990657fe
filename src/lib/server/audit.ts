// The audit log: who changed membership, roles, invitations and share links in a team.
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Queryable } from './db/index.ts';
import { auditLog, users } from './db/schema.ts';
import { requireTeamRole, type Actor } from './access.ts';
import { parsePage } from './paging.ts';

export type AuditAction =
	| 'team.create'
	| 'team.rename'
	| 'team.delete'
	| 'member.join'
	| 'member.leave'
	| 'member.role_change'
	| 'member.remove'
	| 'team.transfer_ownership'
	| 'invitation.create'
	| 'invitation.revoke'
	| 'share_link.create'
	| 'share_link.revoke'
	| 'canvas.move';

export interface AuditEntry {
	teamId: string;
	actorId: string | null;
	action: AuditAction;
	targetType: 'team' | 'user' | 'invitation' | 'share_link' | 'canvas';
	targetId?: string | null;
	details?: Record<string, unknown>;
	ip?: string | null;
}

export async function record(db: Queryable, entry: AuditEntry): Promise<void> {
	await db.insert(auditLog).values({ ...entry, targetId: entry.targetId ?? null, ip: entry.ip ?? null });
}

export interface AuditRow {
	id: number;
	action: string;
	targetType: string;
	targetId: string | null;
	details: Record<string, unknown> | null;
	ip: string | null;
	createdAt: Date;
	actorId: string | null;
	actorName: string | null;
	/** The name of the user the entry is about (role changes, removals), when it is one. */
	targetName: string | null;
}

const actors = alias(users, 'actors');
const targets = alias(users, 'targets');

/** Newest first; `before` (an id) pages back. Admins and owners only. */
export async function listForTeam(db: Queryable, actor: Actor, teamId: string, page: { limit?: number; before?: number } = {}): Promise<AuditRow[]> {
	await requireTeamRole(db, actor, teamId, 'team.audit');
	const { limit, before } = parsePage(page);
	return db
		.select({
			id: auditLog.id,
			action: auditLog.action,
			targetType: auditLog.targetType,
			targetId: auditLog.targetId,
			details: auditLog.details,
			ip: auditLog.ip,
			createdAt: auditLog.createdAt,
			actorId: auditLog.actorId,
			actorName: actors.name,
			targetName: targets.name
		})
		.from(auditLog)
		.leftJoin(actors, eq(actors.id, auditLog.actorId))
		.leftJoin(targets, and(eq(auditLog.targetType, 'user'), eq(sql`${targets.id}::text`, auditLog.targetId)))
		.where(and(eq(auditLog.teamId, teamId), before ? lt(auditLog.id, before) : undefined))
		.orderBy(desc(auditLog.id))
		.limit(limit);
}
