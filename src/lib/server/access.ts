// Who may do what: permissions as data, one `can()` question, and the one canvas access resolver
// that pages, API routes and the collaboration server all ask.
import { and, eq, isNull } from 'drizzle-orm';
import type { Queryable } from './db/index.ts';
import { canvases, memberships, shareLinks, teams, type Role, type ShareAccess, type ShareAudience } from './db/schema.ts';
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
	/** Moving a canvas to its team's trash (restorable for TRASH_RETENTION_DAYS). */
	'canvas.delete': EDITORS,
	/** Bringing a canvas back from the trash. */
	'canvas.restore': EDITORS,
	/** Deleting a canvas for good, from the trash or directly: its documents, history and thumbnail. */
	'canvas.delete_forever': ADMINS,
	'canvas.duplicate': EDITORS,
	'canvas.share': ADMINS,
	'canvas.move': ADMINS,
	/** Publishing to the gallery; a team whose `publish_role` is 'admin' narrows it to admins (publications.ts). */
	'canvas.publish': EDITORS,
	/** Creating, renaming and deleting the team's library folders, and filing canvases in them (viewers see them). */
	'folder.manage': EDITORS,
	'history.save': EDITORS,
	'history.restore': EDITORS,
	'history.manage': ADMINS,
	'team.view': EVERYONE,
	'team.members': ADMINS,
	'team.invite': ADMINS,
	'team.audit': ADMINS,
	/** The team's own AI provider settings (bring your own key) and whether edit-link guests may use AI. */
	'team.ai': ADMINS,
	/** Who may publish the team's canvases (the team's `publish_role`). */
	'team.publishing': ADMINS,
	'team.rename': OWNERS,
	'team.delete': OWNERS,
	'team.billing': OWNERS,
	/** The team's email domains and whether members with addresses on them must sign in through single sign-on. */
	'team.sso': OWNERS,
	'team.usage': ADMINS,
	/** Creating, listing and revoking the team's API keys. */
	'team.api_keys': ADMINS,
	/** Pushing conversations onto a canvas and appending or streaming their messages. */
	'conversation.write': EDITORS,
	/**
	 * Starting assistant, design-document and code runs on the team's credits. Viewers may ask too
	 * (their runs answer but get no editing tools); for API keys it is the `assistant:run` scope.
	 */
	'assistant.run': EVERYONE,
	/** Live sketch: turning a sketch into pictures on the team's credits (who may draw may ask). */
	'image.generate': EDITORS
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

/** A person with an account. Functions that record who did something personally take this type. */
export type UserActor = { kind: 'user'; userId: string };

/**
 * What an API key may do, as data: scope → the actions it allows, in the key's own team only. Actions
 * that change who is in a team, its billing or its sharing are in no scope: they need a person.
 */
export const API_KEY_SCOPES = {
	'team:read': ['team.view'],
	'canvases:read': ['team.view', 'canvas.view'],
	'canvases:write': [
		'team.view',
		'canvas.view',
		'canvas.edit',
		'canvas.create',
		'canvas.rename',
		'canvas.delete',
		'canvas.restore',
		'canvas.duplicate',
		'history.save',
		'history.restore',
		'canvas.publish',
		'folder.manage'
	],
	'conversations:write': ['team.view', 'canvas.view', 'conversation.write'],
	'assistant:run': ['team.view', 'canvas.view', 'assistant.run'],
	'images:write': ['team.view', 'canvas.view', 'image.generate'],
	'audit:read': ['team.view', 'team.audit']
} as const satisfies Record<string, readonly Action[]>;
export type ApiKeyScope = keyof typeof API_KEY_SCOPES;

/** The scopes a key may be given, in the order forms list them. */
export const API_KEY_SCOPE_NAMES = Object.keys(API_KEY_SCOPES) as ApiKeyScope[];

/**
 * A team's API key (`easel_…`); it acts in `teamId` only, within its scopes, and when `canvasIds`
 * is set only on those canvases (creating canvases is then refused).
 */
export type ApiKeyActor = { kind: 'apiKey'; keyId: string; teamId: string; scopes: readonly ApiKeyScope[]; canvasIds?: readonly string[] | null };

/** What the assistant may do in its run's team, at most (and never more than the person it acts for). */
export const ASSISTANT_ACTIONS = ['team.view', 'canvas.view', 'canvas.edit', 'history.save'] as const satisfies readonly Action[];

/** The AI assistant during one run, in the run's team; `onBehalfOf` is the user who asked, when a person did. */
export type AssistantActor = { kind: 'assistant'; runId: string; teamId: string; onBehalfOf?: string };

// A symbol, not a string: a system actor cannot come out of JSON or a form, only from `systemActor()`
// (server code). Symbol.for, like AppError's brand, so the bundled and unbundled copies agree.
const SYSTEM_ACTOR: unique symbol = Symbol.for('easel.SystemActor');

/** Easel itself (sweepers, webhooks, maintenance): may do whatever the calling server code asks. */
export type SystemActor = { kind: 'system'; reason: string; readonly [SYSTEM_ACTOR]: true };

/** Who is asking: a person, an API key, the assistant, Easel itself, or someone without an account (share links only). */
export type Actor = UserActor | ApiKeyActor | AssistantActor | SystemActor | { kind: 'anonymous' };

/** Every actor that can hold permissions in a team. */
export type TeamActor = Exclude<Actor, { kind: 'anonymous' }>;

export const ANONYMOUS: Actor = { kind: 'anonymous' };

/** The person behind an actor, for "created by" and "uploaded by" columns: a user's id; null for a key, the assistant or Easel (the audit log names those). */
export function personId(actor: Actor): string | null {
	return actor.kind === 'user' ? actor.userId : null;
}

/** The system actor, for work Easel does on its own; `reason` says which (it is what the audit log shows). */
export function systemActor(reason: string): SystemActor {
	return { kind: 'system', reason, [SYSTEM_ACTOR]: true };
}

function isSystemActor(actor: Actor): actor is SystemActor {
	return actor.kind === 'system' && (actor as SystemActor)[SYSTEM_ACTOR] === true;
}

const ACTIONS = Object.keys(ROLE_PERMISSIONS) as Action[];

/** What an actor holds in one team: a member's role and what it allows, or the actions of a key, a run or the system. */
export interface TeamStanding {
	/** Who holds it, for messages. */
	holder: TeamActor['kind'];
	/** The role a person holds in the team; null for API keys, the assistant and the system, which hold actions, not roles. */
	role: Role | null;
	actions: readonly Action[];
	/** An API key limited to some canvases (it may not create canvases whatever its scopes). */
	limitedToCanvases?: boolean;
}

/**
 * The actor's standing in `teamId`, or null when it has none there (not a member, another team's key
 * or run, anonymous) or the team is in the trash: then it is gone for everyone, its keys included.
 */
export async function teamStanding(db: Queryable, actor: Actor, teamId: string): Promise<TeamStanding | null> {
	if (!isUuid(teamId)) return null;
	switch (actor.kind) {
		case 'user': {
			const role = await teamRole(db, actor.userId, teamId);
			return role ? { holder: 'user', role, actions: ACTIONS.filter((action) => can(role, action)) } : null;
		}
		case 'apiKey': {
			if (actor.teamId !== teamId || !(await isLiveTeam(db, teamId))) return null;
			// Scopes may come from stored rows: one this version does not know grants nothing.
			const granted = new Set(actor.scopes.flatMap((scope): readonly Action[] => (Object.hasOwn(API_KEY_SCOPES, scope) ? API_KEY_SCOPES[scope] : [])));
			// A key limited to some canvases cannot make new ones (they would be outside its list).
			if (actor.canvasIds) granted.delete('canvas.create');
			return { holder: 'apiKey', role: null, actions: ACTIONS.filter((action) => granted.has(action)), limitedToCanvases: Boolean(actor.canvasIds) };
		}
		case 'assistant': {
			if (actor.teamId !== teamId) return null;
			let actions: readonly Action[] = ASSISTANT_ACTIONS;
			if (actor.onBehalfOf) {
				// The assistant never does more than the person who asked may (and nothing once they left).
				const role = await teamRole(db, actor.onBehalfOf, teamId);
				if (!role) return null;
				actions = actions.filter((action) => can(role, action));
			} else if (!(await isLiveTeam(db, teamId))) return null;
			return { holder: 'assistant', role: null, actions };
		}
		case 'system': {
			if (!isSystemActor(actor)) return null;
			return (await isLiveTeam(db, teamId)) ? { holder: 'system', role: null, actions: ACTIONS } : null;
		}
		default:
			return null;
	}
}

/** Whether the team exists and is not in the trash. */
async function isLiveTeam(db: Queryable, teamId: string): Promise<boolean> {
	const [team] = await db
		.select({ id: teams.id })
		.from(teams)
		.where(and(eq(teams.id, teamId), isNull(teams.deletedAt)));
	return team !== undefined;
}

/** The one question about a standing (a member's role or a key's, a run's or the system's actions). */
export function permits(standing: TeamStanding | null | undefined, action: Action): boolean {
	return standing != null && standing.actions.includes(action);
}

export interface CanvasAccess {
	canvas: { id: string; teamId: string; title: string };
	/** The actor's role in the canvas's team; null when access comes only from a share link, or the actor is not a person. */
	role: Role | null;
	/** What the actor holds in the canvas's team (role or granted actions); null when access comes only from a share link. */
	standing: TeamStanding | null;
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
 * A canvas in the trash, or in a team in the trash, is NOT_FOUND to everyone and everything that
 * asks here (pages, API, sockets, server-side writers); its links, revoked when it was trashed, are GONE.
 * Only the trash itself (trash/) looks at trashed canvases.
 */
export async function resolveCanvasAccess(db: Queryable, actor: Actor, canvasId: string, shareToken?: string): Promise<CanvasAccess> {
	if (!isUuid(canvasId)) throw canvasNotFound();
	const [canvas] = await db
		.select({ id: canvases.id, teamId: canvases.teamId, title: canvases.title, deletedAt: canvases.deletedAt, teamDeletedAt: teams.deletedAt })
		.from(canvases)
		.innerJoin(teams, eq(teams.id, canvases.teamId))
		.where(eq(canvases.id, canvasId));
	if (!canvas) throw canvasNotFound();
	if (canvas.deletedAt || canvas.teamDeletedAt) {
		const link = shareToken ? await findShareLink(db, shareToken) : null;
		if (link?.canvasId === canvas.id) throw new AppError('GONE', 'This link is no longer valid. Ask the canvas owner for a new one.');
		throw canvasNotFound();
	}
	// A key limited to some canvases has no standing on the others: they are not found, as another team's.
	const outsideKeyCanvases = actor.kind === 'apiKey' && actor.canvasIds != null && !actor.canvasIds.includes(canvas.id);
	let standing = outsideKeyCanvases ? null : await teamStanding(db, actor, canvas.teamId);
	// A standing that may not view canvases (an API key with only team or audit scopes) opens none:
	// refused naming what it lacks, unless a share link admits it as it admits anyone.
	if (standing && !permits(standing, 'canvas.view')) {
		if (!shareToken) throw forbiddenTo(standing, 'canvas.view');
		standing = null;
	}
	const role = standing?.role ?? null;

	let link: CanvasAccess['link'] = null;
	if (shareToken) {
		const found = await findShareLink(db, shareToken);
		if (found && found.canvasId === canvas.id) {
			if (!found.usable) {
				if (!standing) throw new AppError('GONE', 'This link is no longer valid. Ask the canvas owner for a new one.');
			} else if (found.audience === 'team' && !standing) {
				if (actor.kind === 'anonymous') {
					throw new AppError('UNAUTHENTICATED', 'This link is for team members: sign in to open it.');
				}
			} else {
				link = { id: found.id, access: found.access, audience: found.audience, expiresAt: found.expiresAt };
			}
		}
	}
	if (!standing && !link) throw canvasNotFound();
	const mayEdit = permits(standing, 'canvas.edit') || link?.access === 'edit';
	const overLimit = mayEdit && (await billing.isCanvasOverLimit(db, canvas.teamId, canvas.id));
	return {
		canvas: { id: canvas.id, teamId: canvas.teamId, title: canvas.title },
		role,
		standing,
		link,
		canEdit: mayEdit && !overLimit,
		readOnlyReason: overLimit ? 'plan_limit' : null
	};
}

/**
 * The one editability question every writer of a canvas asks (rename, restore, named versions, form
 * actions; the socket uses `canEdit` itself): role or link must allow editing and the canvas must
 * be within its team's plan. Over the plan it is LIMIT_EXCEEDED naming the limit, as everywhere else.
 */
export async function requireEditable(db: Queryable, access: CanvasAccess): Promise<void> {
	if (access.canEdit) return;
	if (access.readOnlyReason === 'plan_limit') throw await billing.canvasReadOnlyError(db, access.canvas.teamId);
	if (access.standing) throw forbiddenTo(access.standing, 'canvas.edit');
	throw new AppError('FORBIDDEN', 'This link only lets you view the canvas.');
}

/**
 * Asserts `action` on a canvas through the actor's standing in its team (a share link never grants
 * team actions), answering NOT_FOUND when the actor cannot even see it. A person's role is non-null.
 */
export async function requireCanvasPermission(db: Queryable, actor: UserActor, canvasId: string, action: Action): Promise<CanvasAccess & { role: Role }>;
export async function requireCanvasPermission(db: Queryable, actor: Actor, canvasId: string, action: Action): Promise<CanvasAccess>;
export async function requireCanvasPermission(db: Queryable, actor: Actor, canvasId: string, action: Action): Promise<CanvasAccess> {
	const access = await resolveCanvasAccess(db, actor, canvasId);
	if (!access.standing) throw canvasNotFound();
	if (!permits(access.standing, action)) throw forbiddenTo(access.standing, action);
	return access;
}

/** A canvas as the trash sees it: in the trash (`deletedAt` set) or not. */
export interface TeamCanvas {
	id: string;
	teamId: string;
	title: string;
	deletedAt: Date | null;
	deletedBy: string | null;
}

/**
 * For the trash only (restore, delete forever, "this canvas is in the trash"): asserts `action`
 * through the actor's standing in the canvas's team whether or not the canvas is in the trash (its
 * team must not be). NOT_FOUND, as requireCanvasPermission, when the actor cannot see the canvas.
 */
export async function requireTeamCanvasPermission(
	db: Queryable,
	actor: Actor,
	canvasId: string,
	action: Action
): Promise<{ canvas: TeamCanvas; standing: TeamStanding }> {
	if (!isUuid(canvasId)) throw canvasNotFound();
	const [canvas] = await db
		.select({ id: canvases.id, teamId: canvases.teamId, title: canvases.title, deletedAt: canvases.deletedAt, deletedBy: canvases.deletedBy })
		.from(canvases)
		.where(eq(canvases.id, canvasId));
	if (!canvas) throw canvasNotFound();
	const outsideKeyCanvases = actor.kind === 'apiKey' && actor.canvasIds != null && !actor.canvasIds.includes(canvas.id);
	const standing = outsideKeyCanvases ? null : await teamStanding(db, actor, canvas.teamId);
	if (!standing) throw canvasNotFound();
	if (!permits(standing, 'canvas.view')) throw forbiddenTo(standing, 'canvas.view');
	if (!permits(standing, action)) throw forbiddenTo(standing, action);
	return { canvas, standing };
}

/**
 * Asserts `action` in a team: NOT_FOUND when the actor has no standing there, FORBIDDEN when its role
 * (or its key's scopes, the run's limits) may not. Answers a person's role; null for any other actor.
 */
export async function requireTeamRole(db: Queryable, actor: UserActor, teamId: string, action: Action): Promise<Role>;
export async function requireTeamRole(db: Queryable, actor: Actor, teamId: string, action: Action): Promise<Role | null>;
export async function requireTeamRole(db: Queryable, actor: Actor, teamId: string, action: Action): Promise<Role | null> {
	if (!isUuid(teamId)) throw new AppError('NOT_FOUND', 'Team was not found.');
	const standing = await teamStanding(db, actor, teamId);
	if (!standing) throw new AppError('NOT_FOUND', 'Team was not found.');
	if (!permits(standing, action)) throw forbiddenTo(standing, action);
	return standing.role;
}

/** The user's role in a team; null when they are not a member or the team is in the trash. */
export async function teamRole(db: Queryable, userId: string, teamId: string): Promise<Role | null> {
	const [row] = await db
		.select({ role: memberships.role })
		.from(memberships)
		.innerJoin(teams, eq(teams.id, memberships.teamId))
		.where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId), isNull(teams.deletedAt)));
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
	'canvas.delete': 'move this canvas to the trash',
	'canvas.restore': 'restore canvases from the trash',
	'canvas.delete_forever': 'delete canvases for good',
	'canvas.duplicate': 'duplicate this canvas',
	'canvas.share': 'manage share links',
	'canvas.move': 'move this canvas',
	'canvas.publish': 'publish this canvas',
	'folder.manage': 'manage folders',
	'history.save': 'save versions',
	'history.restore': 'restore versions',
	'history.manage': 'rename or delete versions',
	'team.view': 'see this team',
	'team.members': 'manage members',
	'team.invite': 'invite people',
	'team.audit': 'see the activity log',
	'team.ai': "change the team's AI settings",
	'team.publishing': 'change who may publish',
	'team.rename': 'rename the team',
	'team.delete': 'delete the team',
	'team.billing': 'manage billing',
	'team.sso': "change the team's single sign-on",
	'team.usage': 'see AI usage',
	'team.api_keys': "manage the team's API keys",
	'conversation.write': 'push conversations onto this canvas',
	'assistant.run': 'ask the assistant',
	'image.generate': 'make images from sketches'
};

export function forbidden(role: Role, action: Action): AppError {
	return new AppError('FORBIDDEN', `As ${article(role)} ${role} you may not ${ACTION_WORDS[action]}.`, { role, action });
}

/** FORBIDDEN for a standing: a member hears their role; a key, a run or the system that it lacks the permission. */
function forbiddenTo(standing: TeamStanding, action: Action): AppError {
	if (standing.role) return forbidden(standing.role, action);
	const who = { user: 'You', apiKey: 'This API key', assistant: 'The assistant', system: 'Easel' }[standing.holder];
	if (standing.holder === 'apiKey') {
		const granting = API_KEY_SCOPE_NAMES.filter((scope) => (API_KEY_SCOPES[scope] as readonly Action[]).includes(action));
		const why =
			standing.limitedToCanvases && action === 'canvas.create'
				? 'it is limited to some canvases'
				: granting.length
					? `it needs the ${granting.map((scope) => `“${scope}”`).join(' or ')} scope`
					: 'no API key may: a person of the team has to do it';
		return new AppError('FORBIDDEN', `${who} may not ${ACTION_WORDS[action]}: ${why}.`, { action, holder: standing.holder, scopes: granting });
	}
	return new AppError('FORBIDDEN', `${who} may not ${ACTION_WORDS[action]}.`, { action, holder: standing.holder });
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
