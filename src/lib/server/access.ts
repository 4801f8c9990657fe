// Who may do what: permissions as data, one `can()` question, and the one canvas access resolver
// that pages, API routes and the collaboration server all ask.
import { and, eq } from 'drizzle-orm';
import type { Queryable } from './db/index.ts';
import { canvases, memberships, shareLinks, type Role, type ShareAccess, type ShareAudience } from './db/schema.ts';
import { AppError } from './errors.ts';
import * as billing from './billing.ts';
import { hashSecretToken, looksLikeSecretToken } from './secret-tokens.ts';

export type { Role };

const EVERYONE = ['owner', 'admin', 'editor', 'viewer'] as const;
const EDITORS = ['owner', 'admin', 'editor'] as const;
const ADMINS = ['owner', 'admin'] as const;
const OWNERS = ['owner'] as const;

export const ROLE_PERMISSIONS = {
	'canvas.view': EVERYONE,
	'canvas.edit': EDITORS,
	'canvas.create': EDITORS,
	'canvas.rename': EDITORS,
	'canvas.delete': EDITORS,
	'canvas.duplicate': EDITORS,
	'canvas.share': ADMINS,
	'canvas.move': ADMINS,
	'history.save': EDITORS,
	'history.restore': EDITORS,
	'history.manage': ADMINS,
	'team.view': EVERYONE,
	'team.members': ADMINS,
	'team.invite': ADMINS,
	'team.audit': ADMINS,
	'team.rename': OWNERS,
	'team.delete': OWNERS,
	'team.billing': OWNERS
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof ROLE_PERMISSIONS;

export function can(role: Role | null | undefined, action: Action): boolean {
	return role != null && (ROLE_PERMISSIONS[action] as readonly Role[]).includes(role);
}

export const ROLE_RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2, owner: 3 };

/** Editors and above take a paid seat; viewers are free. */
export function takesSeat(role: Role): boolean {
	return ROLE_RANK[role] >= ROLE_RANK.editor;
}

/** Who is asking: a signed-in user, or someone without an account (share links only). */
export type UserActor = { kind: 'user'; userId: string };
export type Actor = UserActor | { kind: 'anonymous' };

export const ANONYMOUS: Actor = { kind: 'anonymous' };

export interface CanvasAccess {
	canvas: { id: string; teamId: string; title: string };
	/** The actor's role in the canvas's team, null when access comes only from a share link. */
	role: Role | null;
	/** The share link that grants (or adds to) access, when one was presented and is valid. */
	link: { id: string; access: ShareAccess; audience: ShareAudience; expiresAt: Date | null } | null;
	canEdit: boolean;
	/** Why editing is off although role or link would allow it. */
	readOnlyReason: 'plan_limit' | null;
}

/**
 * What `actor` may do to canvas `canvasId`: the best of their team role and a share link token.
 * A canvas the actor cannot see is NOT_FOUND, never FORBIDDEN, so ids from other teams reveal
 * nothing; an expired or revoked link is GONE; a team-only link without a team session asks to sign in.
 */
export async function resolveCanvasAccess(db: Queryable, actor: Actor, canvasId: string, shareToken?: string): Promise<CanvasAccess> {
	if (!isUuid(canvasId)) throw canvasNotFound();
	const [canvas] = await db.select({ id: canvases.id, teamId: canvases.teamId, title: canvases.title }).from(canvases).where(eq(canvases.id, canvasId));
	if (!canvas) throw canvasNotFound();
	const role = actor.kind === 'user' ? await teamRole(db, actor.userId, canvas.teamId) : null;

	let link: CanvasAccess['link'] = null;
	if (shareToken) {
		const found = await findShareLink(db, shareToken);
		if (found && found.canvasId === canvas.id) {
			if (!found.usable) {
				if (!role) throw new AppError('GONE', 'This link is no longer valid. Ask the canvas owner for a new one.');
			} else if (found.audience === 'team' && !role) {
				if (actor.kind === 'anonymous') {
					throw new AppError('UNAUTHENTICATED', 'This link is for team members: sign in to open it.');
				}
			} else {
				link = { id: found.id, access: found.access, audience: found.audience, expiresAt: found.expiresAt };
			}
		}
	}
	if (!role && !link) throw canvasNotFound();
	const mayEdit = can(role, 'canvas.edit') || link?.access === 'edit';
	const overLimit = mayEdit && (await billing.isCanvasOverLimit(db, canvas.teamId, canvas.id));
	return { canvas, role, link, canEdit: mayEdit && !overLimit, readOnlyReason: overLimit ? 'plan_limit' : null };
}

/**
 * The one editability question every writer of a canvas asks (rename, restore, named versions, form
 * actions; the socket uses `canEdit` itself): role or link must allow editing and the canvas must
 * be within its team's plan. Over the plan it is LIMIT_EXCEEDED naming the limit, as everywhere else.
 */
export async function requireEditable(db: Queryable, access: CanvasAccess): Promise<void> {
	if (access.canEdit) return;
	if (access.readOnlyReason === 'plan_limit') throw await billing.canvasReadOnlyError(db, access.canvas.teamId);
	throw access.role ? forbidden(access.role, 'canvas.edit') : new AppError('FORBIDDEN', 'This link only lets you view the canvas.');
}

/** Asserts a team-role `action` on a canvas, answering NOT_FOUND when the actor cannot even see it. */
export async function requireCanvasPermission(db: Queryable, actor: Actor, canvasId: string, action: Action): Promise<CanvasAccess & { role: Role }> {
	const access = await resolveCanvasAccess(db, actor, canvasId);
	if (!access.role) throw canvasNotFound();
	if (!can(access.role, action)) throw forbidden(access.role, action);
	return access as CanvasAccess & { role: Role };
}

/** The actor's role in a team, or NOT_FOUND when they are not a member; FORBIDDEN when the role may not `action`. */
export async function requireTeamRole(db: Queryable, actor: Actor, teamId: string, action: Action): Promise<Role> {
	if (!isUuid(teamId)) throw new AppError('NOT_FOUND', 'Team was not found.');
	const role = actor.kind === 'user' ? await teamRole(db, actor.userId, teamId) : null;
	if (!role) throw new AppError('NOT_FOUND', 'Team was not found.');
	if (!can(role, action)) throw forbidden(role, action);
	return role;
}

export async function teamRole(db: Queryable, userId: string, teamId: string): Promise<Role | null> {
	const [row] = await db
		.select({ role: memberships.role })
		.from(memberships)
		.where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)));
	return row?.role ?? null;
}

export interface FoundShareLink {
	id: string;
	canvasId: string;
	access: ShareAccess;
	audience: ShareAudience;
	expiresAt: Date | null;
	/** Not revoked and not expired. */
	usable: boolean;
}

/** Looks a share link up by its token (hashed); null when no such link exists. */
export async function findShareLink(db: Queryable, token: string): Promise<FoundShareLink | null> {
	if (!looksLikeSecretToken(token)) return null;
	const [row] = await db
		.select({
			id: shareLinks.id,
			canvasId: shareLinks.canvasId,
			access: shareLinks.access,
			audience: shareLinks.audience,
			expiresAt: shareLinks.expiresAt,
			revokedAt: shareLinks.revokedAt
		})
		.from(shareLinks)
		.where(eq(shareLinks.tokenHash, hashSecretToken(token)));
	if (!row) return null;
	const usable = !row.revokedAt && (!row.expiresAt || row.expiresAt.getTime() > Date.now());
	return { id: row.id, canvasId: row.canvasId, access: row.access, audience: row.audience, expiresAt: row.expiresAt, usable };
}

const ACTION_WORDS: Record<Action, string> = {
	'canvas.view': 'open this canvas',
	'canvas.edit': 'edit this canvas',
	'canvas.create': 'create canvases in this team',
	'canvas.rename': 'rename this canvas',
	'canvas.delete': 'delete this canvas',
	'canvas.duplicate': 'duplicate this canvas',
	'canvas.share': 'manage share links',
	'canvas.move': 'move this canvas',
	'history.save': 'save versions',
	'history.restore': 'restore versions',
	'history.manage': 'rename or delete versions',
	'team.view': 'see this team',
	'team.members': 'manage members',
	'team.invite': 'invite people',
	'team.audit': 'see the activity log',
	'team.rename': 'rename the team',
	'team.delete': 'delete the team',
	'team.billing': 'manage billing'
};

export function forbidden(role: Role, action: Action): AppError {
	return new AppError('FORBIDDEN', `As ${article(role)} ${role} you may not ${ACTION_WORDS[action]}.`, { role, action });
}

function article(word: string): string {
	return /^[aeiou]/.test(word) ? 'an' : 'a';
}

function canvasNotFound(): AppError {
	return new AppError('NOT_FOUND', 'Canvas was not found.');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: string): boolean {
	return UUID.test(value);
}
