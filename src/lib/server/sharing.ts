// Share links: `/s/<token>` opens one canvas for viewing or editing, for anyone or team members only.
import { and, desc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, Queryable } from './db/index.ts';
import { canvases, shareLinks, users, SHARE_ACCESS, SHARE_AUDIENCES, type ShareAccess, type ShareAudience } from './db/schema.ts';
import { AppError, notFound, parseInput } from './errors.ts';
import { requireCanvasPermission, type Actor, type UserActor } from './access.ts';
import * as audit from './audit.ts';
import { generateSecretToken, hashSecretToken } from './secret-tokens.ts';
import type { ChangeContext } from './teams.ts';
import type { Services } from './services.ts';

export const createShareLinkSchema = z
	.object({
		access: z.enum(SHARE_ACCESS, { error: "access must be 'view' or 'edit'." }),
		audience: z.enum(SHARE_AUDIENCES, { error: "audience must be 'anyone' or 'team'." }),
		expiresAt: z.iso
			.datetime({ offset: true, error: 'expiresAt must be an ISO date-time, e.g. 2030-01-31T12:00:00Z.' })
			.nullable()
			.optional()
			.refine((value) => !value || new Date(value).getTime() > Date.now(), { error: 'expiresAt must be in the future.' })
	})
	.strict();

export type CreateShareLinkInput = z.input<typeof createShareLinkSchema>;

export interface ShareLink {
	id: string;
	canvasId: string;
	access: ShareAccess;
	audience: ShareAudience;
	createdBy: string | null;
	createdByName: string | null;
	expiresAt: Date | null;
	lastUsedAt: Date | null;
	createdAt: Date;
}

export function shareUrl(publicOrigin: string, token: string): string {
	return `${publicOrigin}/s/${token}`;
}

const linkColumns = {
	id: shareLinks.id,
	canvasId: shareLinks.canvasId,
	access: shareLinks.access,
	audience: shareLinks.audience,
	createdBy: shareLinks.createdBy,
	createdByName: users.name,
	expiresAt: shareLinks.expiresAt,
	lastUsedAt: shareLinks.lastUsedAt,
	createdAt: shareLinks.createdAt
};

/** Creates a link; the token is returned once and only its hash is kept. */
export async function createLink(
	db: Database,
	actor: UserActor,
	canvasId: string,
	input: CreateShareLinkInput,
	context: ChangeContext = {}
): Promise<{ link: ShareLink; token: string }> {
	const access = await requireCanvasPermission(db, actor, canvasId, 'canvas.share');
	const parsed = parseInput(createShareLinkSchema, input);
	const token = generateSecretToken();
	const id = await db.transaction(async (tx) => {
		const [row] = await tx
			.insert(shareLinks)
			.values({
				canvasId,
				tokenHash: hashSecretToken(token),
				access: parsed.access,
				audience: parsed.audience,
				createdBy: actor.userId,
				expiresAt: parsed.expiresAt ? new Date(parsed.expiresAt) : null
			})
			.returning({ id: shareLinks.id });
		await audit.record(tx, {
			teamId: access.canvas.teamId,
			actorId: actor.userId,
			action: 'share_link.create',
			targetType: 'share_link',
			targetId: row.id,
			details: { canvasId, canvasTitle: access.canvas.title, access: parsed.access, audience: parsed.audience, expiresAt: parsed.expiresAt ?? null },
			ip: context.ip
		});
		return row.id;
	});
	const [link] = await db.select(linkColumns).from(shareLinks).leftJoin(users, eq(users.id, shareLinks.createdBy)).where(eq(shareLinks.id, id));
	return { link, token };
}

/** Active links of a canvas (not revoked, not expired), newest first. */
export async function listLinks(db: Queryable, actor: Actor, canvasId: string): Promise<ShareLink[]> {
	await requireCanvasPermission(db, actor, canvasId, 'canvas.share');
	return db
		.select(linkColumns)
		.from(shareLinks)
		.leftJoin(users, eq(users.id, shareLinks.createdBy))
		.where(and(eq(shareLinks.canvasId, canvasId), isNull(shareLinks.revokedAt), or(isNull(shareLinks.expiresAt), gt(shareLinks.expiresAt, sql`now()`))))
		.orderBy(desc(shareLinks.createdAt));
}

/**
 * Revokes every live link of these canvases at `at`, in the caller's transaction (a canvas or team
 * moving to the trash): a restore then finds them switched off. Answers how many were revoked; the
 * caller closes the sockets concerned after its commit.
 */
export async function revokeCanvasLinks(tx: Queryable, canvasIds: string[], at: Date): Promise<number> {
	if (canvasIds.length === 0) return 0;
	const revoked = await tx
		.update(shareLinks)
		.set({ revokedAt: at })
		.where(and(inArray(shareLinks.canvasId, canvasIds), isNull(shareLinks.revokedAt)))
		.returning({ id: shareLinks.id });
	return revoked.length;
}

/**
 * Revokes a link. After the commit the sockets it opened reconnect and are authorised afresh, so
 * whoever came only through the link is refused (members keep their own access).
 */
export async function revokeLink(services: Services, actor: UserActor, linkId: string, context: ChangeContext = {}): Promise<{ id: string; canvasId: string }> {
	const { db } = services;
	const [link] = z.uuid().safeParse(linkId).success
		? await db.select({ id: shareLinks.id, canvasId: shareLinks.canvasId }).from(shareLinks).where(eq(shareLinks.id, linkId))
		: [];
	if (!link) throw notFound('Share link');
	const access = await requireCanvasPermission(db, actor, link.canvasId, 'canvas.share').catch((error) => {
		throw error instanceof AppError && error.code === 'NOT_FOUND' ? notFound('Share link') : error;
	});
	await db.transaction(async (tx) => {
		await tx
			.update(shareLinks)
			.set({ revokedAt: new Date() })
			.where(and(eq(shareLinks.id, linkId), isNull(shareLinks.revokedAt)));
		await audit.record(tx, {
			teamId: access.canvas.teamId,
			actorId: actor.userId,
			action: 'share_link.revoke',
			targetType: 'share_link',
			targetId: linkId,
			details: { canvasId: link.canvasId, canvasTitle: access.canvas.title },
			ip: context.ip
		});
	});
	services.collaboration.closeConnections({ shareLinkId: link.id }, 'ACCESS_CHANGED');
	return link;
}

/** Notes that a link was just used (shown as "last used"); at most once a minute per link. */
export async function touchLink(db: Queryable, linkId: string): Promise<void> {
	await db
		.update(shareLinks)
		.set({ lastUsedAt: new Date() })
		.where(and(eq(shareLinks.id, linkId), or(isNull(shareLinks.lastUsedAt), sql`${shareLinks.lastUsedAt} < now() - interval '1 minute'`)));
}

/** The canvas a share token points at (for the /s/<token> page), with the link's state. */
export async function canvasForToken(db: Queryable, token: string): Promise<{ canvasId: string; title: string } | null> {
	const [row] = await db
		.select({ canvasId: canvases.id, title: canvases.title })
		.from(shareLinks)
		.innerJoin(canvases, eq(canvases.id, shareLinks.canvasId))
		.where(eq(shareLinks.tokenHash, hashSecretToken(token)));
	return row ?? null;
}
