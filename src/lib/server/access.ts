// Who may do what: permissions as data, one `can()` question, and the one canvas access resolver.
import { and, eq } from 'drizzle-orm';
import type { Queryable } from './db/index.ts';
import { canvases, memberships, type Role } from './db/schema.ts';
import { AppError } from './errors.ts';

export type { Role };

export const ROLE_PERMISSIONS = {
	'canvas.view': ['owner', 'admin', 'editor', 'viewer'],
	'canvas.edit': ['owner', 'admin', 'editor'],
	'canvas.create': ['owner', 'admin', 'editor'],
	'canvas.rename': ['owner', 'admin', 'editor'],
	'canvas.delete': ['owner', 'admin', 'editor'],
	'team.view': ['owner', 'admin', 'editor', 'viewer']
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof ROLE_PERMISSIONS;

export function can(role: Role | null | undefined, action: Action): boolean {
	return role != null && (ROLE_PERMISSIONS[action] as readonly Role[]).includes(role);
}

/** Who is asking. Share links and guests join this union in later work. */
export type Actor = { kind: 'user'; userId: string };

export interface CanvasAccess {
	canvas: { id: string; teamId: string; title: string };
	role: Role;
	canEdit: boolean;
}

/**
 * What `actor` may do to canvas `canvasId`. A canvas the actor cannot see is NOT_FOUND, never
 * FORBIDDEN, so ids from other teams reveal nothing.
 */
export async function resolveCanvasAccess(db: Queryable, actor: Actor, canvasId: string): Promise<CanvasAccess> {
	if (!isUuid(canvasId)) throw new AppError('NOT_FOUND', 'Canvas was not found.');
	const [row] = await db
		.select({ id: canvases.id, teamId: canvases.teamId, title: canvases.title, role: memberships.role })
		.from(canvases)
		.innerJoin(memberships, and(eq(memberships.teamId, canvases.teamId), eq(memberships.userId, actor.userId)))
		.where(eq(canvases.id, canvasId));
	if (!row || !can(row.role, 'canvas.view')) throw new AppError('NOT_FOUND', 'Canvas was not found.');
	const { role, ...canvas } = row;
	return { canvas, role, canEdit: can(role, 'canvas.edit') };
}

/** Asserts `action` on a canvas, answering NOT_FOUND when the actor cannot even see it. */
export async function requireCanvasPermission(
	db: Queryable,
	actor: Actor,
	canvasId: string,
	action: Action
): Promise<CanvasAccess> {
	const access = await resolveCanvasAccess(db, actor, canvasId);
	if (!can(access.role, action)) {
		throw new AppError('FORBIDDEN', `Your role (${access.role}) may not ${describeAction(action)}.`);
	}
	return access;
}

/** The actor's role in a team, or NOT_FOUND when they are not a member. */
export async function requireTeamRole(db: Queryable, actor: Actor, teamId: string, action: Action): Promise<Role> {
	if (!isUuid(teamId)) throw new AppError('NOT_FOUND', 'Team was not found.');
	const [row] = await db
		.select({ role: memberships.role })
		.from(memberships)
		.where(and(eq(memberships.teamId, teamId), eq(memberships.userId, actor.userId)));
	if (!row) throw new AppError('NOT_FOUND', 'Team was not found.');
	if (!can(row.role, action)) {
		throw new AppError('FORBIDDEN', `Your role (${row.role}) may not ${describeAction(action)}.`);
	}
	return row.role;
}

function describeAction(action: Action): string {
	const [noun, verb] = action.split('.');
	return `${verb} this ${noun}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: string): boolean {
	return UUID.test(value);
}
