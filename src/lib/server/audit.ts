// The audit log: who (a person, an API key, the assistant or Easel itself) changed membership,
// roles, invitations, share links, canvases and API keys in a team.
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Queryable } from './db/index.ts';
import { apiKeys, auditLog, users, type AuditActorKind } from './db/schema.ts';
import { requireTeamRole, type Actor, type TeamActor } from './access.ts';
import { parsePage } from './paging.ts';

export type AuditAction =
	| 'team.create'
	| 'team.rename'
	| 'team.delete'
	/** Moved to the trash by an owner (restorable for TRASH_RETENTION_DAYS); `team.delete` is for good. */
	| 'team.trash'
	| 'team.restore'
	| 'member.join'
	| 'member.leave'
	| 'member.role_change'
	| 'member.remove'
	| 'team.transfer_ownership'
	| 'invitation.create'
	| 'invitation.revoke'
	| 'share_link.create'
	| 'share_link.revoke'
	| 'canvas.create'
	/** Deleted for good: from the trash, directly by an admin, or by the purge (`details.purged`). */
	| 'canvas.delete'
	| 'canvas.trash'
	| 'canvas.restore'
	| 'canvas.move'
	| 'canvas.remix'
	| 'canvas.import'
	| 'ai_settings.update'
	| 'publication.publish'
	| 'publication.unpublish'
	| 'publication.hide'
	| 'publication.restore'
	| 'team.publish_role'
	| 'api_key.create'
	| 'api_key.revoke'
	/** A key's first use from a network address it was never used from (the entry's `ip`). */
	| 'api_key.use_new_address'
	/** Team single sign-on: a domain added (details.verified says whether at once), verified, removed; required on or off. */
	| 'sso.domain_add'
	| 'sso.domain_verify'
	| 'sso.domain_remove'
	| 'sso.required';

/**
 * Who an entry is by: any actor with a standing (`actor`), or, as most call sites say it, a person's
 * id (`actorId`; null when unknown).
 */
export type AuditBy = { actor: TeamActor; actorId?: never } | { actorId: string | null; actor?: never };

export type AuditEntry = AuditBy & {
	teamId: string;
	action: AuditAction;
	targetType: 'team' | 'user' | 'invitation' | 'share_link' | 'canvas' | 'api_key';
	targetId?: string | null;
	details?: Record<string, unknown>;
	ip?: string | null;
};

export async function record(db: Queryable, entry: AuditEntry): Promise<void> {
	const { actor, actorId, ...rest } = entry;
	await db.insert(auditLog).values({
		...rest,
		...(actor ? actorColumns(actor) : { actorKind: 'user', actorId: actorId ?? null, actorRef: null }),
		targetId: entry.targetId ?? null,
		ip: entry.ip ?? null
	});
}

/** How an actor is stored: a person by their id (the foreign key), the others by kind and reference. */
function actorColumns(actor: TeamActor): { actorKind: AuditActorKind; actorId: string | null; actorRef: string | null } {
	switch (actor.kind) {
		case 'user':
			return { actorKind: 'user', actorId: actor.userId, actorRef: null };
		case 'apiKey':
			return { actorKind: 'apiKey', actorId: null, actorRef: actor.keyId };
		case 'assistant':
			return { actorKind: 'assistant', actorId: null, actorRef: actor.runId };
		case 'system':
			return { actorKind: 'system', actorId: null, actorRef: actor.reason };
	}
}

/**
 * The name the activity log shows: the person's name, the API key's name (`actorKind` says it is
 * a key), or what the other kinds are called.
 */
export function actorName(kind: AuditActorKind, userName: string | null, keyName: string | null): string | null {
	switch (kind) {
		case 'user':
			return userName;
		case 'apiKey':
			return keyName ?? 'An API key';
		case 'assistant':
			return 'AI assistant';
		case 'system':
			return 'Easel';
	}
}

export interface AuditRow {
	id: number;
	action: string;
	targetType: string;
	targetId: string | null;
	details: Record<string, unknown> | null;
	ip: string | null;
	createdAt: Date;
	actorKind: AuditActorKind;
	/** The person, when the actor is one. */
	actorId: string | null;
	/** The API key's id, the assistant run's id or the system's reason, for the other kinds. */
	actorRef: string | null;
	/** Who to show: a person's name (null once their account is gone), the API key's name, "AI assistant", "Easel". */
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
	const rows = await db
		.select({
			id: auditLog.id,
			action: auditLog.action,
			targetType: auditLog.targetType,
			targetId: auditLog.targetId,
			details: auditLog.details,
			ip: auditLog.ip,
			createdAt: auditLog.createdAt,
			actorKind: auditLog.actorKind,
			actorId: auditLog.actorId,
			actorRef: auditLog.actorRef,
			userName: actors.name,
			keyName: apiKeys.name,
			targetName: targets.name
		})
		.from(auditLog)
		.leftJoin(actors, eq(actors.id, auditLog.actorId))
		.leftJoin(apiKeys, and(eq(auditLog.actorKind, 'apiKey'), eq(sql`${apiKeys.id}::text`, auditLog.actorRef)))
		.leftJoin(targets, and(eq(auditLog.targetType, 'user'), eq(sql`${targets.id}::text`, auditLog.targetId)))
		.where(and(eq(auditLog.teamId, teamId), before ? lt(auditLog.id, before) : undefined))
		.orderBy(desc(auditLog.id))
		.limit(limit);
	return rows.map(({ userName, keyName, ...row }) => ({ ...row, actorName: actorName(row.actorKind, userName, keyName) }));
}
