// Moderation of the public gallery: anyone may report a published canvas; instance administrators
// (`npm run admin -- make-admin <email>`) see the reports, and hide a publication (its page, snapshot,
// preview and assets answer 404; it leaves the gallery; its team sees the reason) or restore it.
import { and, count, desc, eq, inArray, isNull, max, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, Queryable } from './db/index.ts';
import { canvases, publicationReports, publications, teams, users } from './db/schema.ts';
import { isUuid, type Actor, type UserActor } from './access.ts';
import * as audit from './audit.ts';
import { AppError, parseInput } from './errors.ts';
import { forbiddenCharacter } from './display-names.ts';
import type { ActionThrottle } from './rate-limits.ts';

export const REPORT_REASON_MAX = 1000;
export const HIDE_REASON_MAX = 500;

const reasonSchema = (label: string, maxLength: number) =>
	z
		.string({ error: `${label} must be text.` })
		.transform((text) => text.replace(/\r\n?/g, '\n').normalize('NFC').trim())
		.pipe(
			z
				.string()
				.min(1, { error: `${label} must not be empty.` })
				.max(maxLength, { error: `${label} is at most ${maxLength} characters.` })
				.refine((text) => text.split('\n').every((line) => forbiddenCharacter(line.replace(/\t/g, ' ')) === null), {
					error: `${label} must not contain control, formatting or invisible characters.`
				})
		);

export const reportReasonSchema = reasonSchema('The reason', REPORT_REASON_MAX);
export const hideReasonSchema = reasonSchema('The reason', HIDE_REASON_MAX);

const publicationNotFound = () => new AppError('NOT_FOUND', 'Publication was not found.');

/**
 * Files a report against a visible publication, by anyone (signed in or not). The reason is checked
 * before the address's budget is spent, so a bad request costs nothing; past the budget RATE_LIMITED.
 */
/** The body of reporting and hiding a publication: `{ reason }` (checked by `report` and `hide`, which name its limit). */
export const moderationReasonRequestSchema = z
	.object({
		reason: z.unknown().meta({ type: 'string', description: `Why, in words (at most ${REPORT_REASON_MAX} characters for a report, ${HIDE_REASON_MAX} to hide).` })
	})
	.strict();

export async function report(
	db: Queryable,
	actor: Actor,
	publicationId: string,
	rawReason: unknown,
	limit: { throttle: ActionThrottle; address: string }
): Promise<{ id: string }> {
	if (!isUuid(publicationId)) throw publicationNotFound();
	const [publication] = await db
		.select({ id: publications.id })
		.from(publications)
		.where(and(eq(publications.id, publicationId), eq(publications.moderation, 'visible')));
	if (!publication) throw publicationNotFound();
	const reason = parseInput(reportReasonSchema, rawReason);
	await limit.throttle.consume(limit.address);
	const [row] = await db
		.insert(publicationReports)
		.values({ publicationId, reason, reporterId: actor.kind === 'user' ? actor.userId : null })
		.returning({ id: publicationReports.id });
	return row;
}

/** Whether the actor is an instance administrator. */
export async function isInstanceAdmin(db: Queryable, actor: Actor): Promise<boolean> {
	if (actor.kind !== 'user') return false;
	const [user] = await db.select({ isAdmin: users.isAdmin }).from(users).where(eq(users.id, actor.userId));
	return user?.isAdmin === true;
}

/** Asserts an instance administrator; anyone else gets NOT_FOUND, as if there were nothing here. */
export async function requireInstanceAdmin(db: Queryable, actor: Actor): Promise<UserActor> {
	if (actor.kind !== 'user' || !(await isInstanceAdmin(db, actor))) throw new AppError('NOT_FOUND', 'Not found.');
	return actor;
}

export interface QueueItem {
	id: string;
	slug: string;
	title: string;
	authorName: string;
	teamName: string;
	moderation: 'visible' | 'hidden';
	moderationReason: string | null;
	moderatedAt: Date | null;
	publishedAt: Date;
	openReports: number;
	lastReportedAt: Date | null;
	/** The newest open reports' reasons (up to five). */
	reasons: { reason: string; createdAt: Date }[];
}

/** Publications with open reports (most reported first), then hidden ones (newest first): the moderation queue. */
export async function queue(db: Queryable, actor: Actor, options: { limit?: number } = {}): Promise<QueueItem[]> {
	await requireInstanceAdmin(db, actor);
	const limit = Math.min(Math.max(options.limit ?? 100, 1), 200);
	const open = db
		.select({
			publicationId: publicationReports.publicationId,
			openReports: count().as('open_reports'),
			lastReportedAt: max(publicationReports.createdAt).as('last_reported_at')
		})
		.from(publicationReports)
		.where(isNull(publicationReports.resolvedAt))
		.groupBy(publicationReports.publicationId)
		.as('open');
	const rows = await db
		.select({
			id: publications.id,
			slug: publications.slug,
			title: publications.title,
			authorName: publications.authorName,
			teamName: teams.name,
			moderation: publications.moderation,
			moderationReason: publications.moderationReason,
			moderatedAt: publications.moderatedAt,
			publishedAt: publications.publishedAt,
			openReports: sql<number>`coalesce(${open.openReports}, 0)`.mapWith(Number),
			lastReportedAt: open.lastReportedAt
		})
		.from(publications)
		.innerJoin(canvases, eq(canvases.id, publications.canvasId))
		.innerJoin(teams, eq(teams.id, canvases.teamId))
		.leftJoin(open, eq(open.publicationId, publications.id))
		.where(or(sql`${open.openReports} > 0`, eq(publications.moderation, 'hidden')))
		.orderBy(desc(sql`coalesce(${open.openReports}, 0)`), desc(sql`coalesce(${open.lastReportedAt}, ${publications.moderatedAt})`))
		.limit(limit);
	const ids = rows.map((row) => row.id);
	const reasons = ids.length
		? await db
				.select({ publicationId: publicationReports.publicationId, reason: publicationReports.reason, createdAt: publicationReports.createdAt })
				.from(publicationReports)
				.where(and(inArray(publicationReports.publicationId, ids), isNull(publicationReports.resolvedAt)))
				.orderBy(desc(publicationReports.createdAt))
		: [];
	return rows.map((row) => ({
		...row,
		lastReportedAt: row.lastReportedAt ? new Date(row.lastReportedAt) : null,
		reasons: reasons
			.filter((entry) => entry.publicationId === row.id)
			.slice(0, 5)
			.map(({ reason, createdAt }) => ({ reason, createdAt }))
	}));
}

async function moderate(
	db: Database,
	actor: Actor,
	publicationId: string,
	change: { moderation: 'visible' | 'hidden'; reason: string | null } | 'dismiss'
): Promise<void> {
	const admin = await requireInstanceAdmin(db, actor);
	if (!isUuid(publicationId)) throw publicationNotFound();
	await db.transaction(async (tx) => {
		const [row] = await tx
			.select({ id: publications.id, canvasId: publications.canvasId, teamId: canvases.teamId, slug: publications.slug, title: publications.title })
			.from(publications)
			.innerJoin(canvases, eq(canvases.id, publications.canvasId))
			.where(eq(publications.id, publicationId))
			.for('update', { of: publications });
		if (!row) throw publicationNotFound();
		const now = new Date();
		await tx
			.update(publicationReports)
			.set({ resolvedAt: now })
			.where(and(eq(publicationReports.publicationId, publicationId), isNull(publicationReports.resolvedAt)));
		if (change === 'dismiss') return;
		await tx
			.update(publications)
			.set({ moderation: change.moderation, moderationReason: change.reason, moderatedBy: admin.userId, moderatedAt: now })
			.where(eq(publications.id, publicationId));
		await audit.record(tx, {
			teamId: row.teamId,
			actor: admin,
			action: change.moderation === 'hidden' ? 'publication.hide' : 'publication.restore',
			targetType: 'canvas',
			targetId: row.canvasId,
			details: { publicationId: row.id, slug: row.slug, title: row.title, ...(change.reason ? { reason: change.reason } : {}) }
		});
	});
}

/** Hides a publication with a reason its team is shown; its open reports are resolved. */
export async function hide(db: Database, actor: Actor, publicationId: string, rawReason: unknown): Promise<void> {
	await requireInstanceAdmin(db, actor);
	const reason = parseInput(hideReasonSchema, rawReason);
	await moderate(db, actor, publicationId, { moderation: 'hidden', reason });
}

/** Makes a hidden publication visible again (and resolves any open reports). */
export async function restore(db: Database, actor: Actor, publicationId: string): Promise<void> {
	await moderate(db, actor, publicationId, { moderation: 'visible', reason: null });
}

/** Resolves a publication's open reports without hiding it. */
export async function dismissReports(db: Database, actor: Actor, publicationId: string): Promise<void> {
	await moderate(db, actor, publicationId, 'dismiss');
}

/** Makes (or stops) a person an instance administrator, by email; the operator's command. */
export async function setInstanceAdmin(db: Queryable, email: string, isAdmin: boolean): Promise<{ id: string; name: string; email: string }> {
	const [user] = await db
		.update(users)
		.set({ isAdmin })
		.where(sql`lower(${users.email}) = lower(${email.trim()})`)
		.returning({ id: users.id, name: users.name, email: users.email });
	if (!user) throw new AppError('NOT_FOUND', `No account with the email ${email.trim()}.`);
	return user;
}
