// Publishing a canvas to the public gallery: a frozen version (kind `publish`) with its title,
// description, tags and preview image; republishing replaces the version (same row, same slug, counts
// kept), unpublishing deletes the row at once. Visitors read only what this module hands out: the
// publication's own fields and the frozen records, never the live canvas, its chat, members or links.
import { createHash } from 'node:crypto';
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { fileTypeFromBuffer } from 'file-type';
import { imageSize } from 'image-size';
import type { Database, Queryable } from './db/index.ts';
import { assets, auditLog, canvases, publicationAssets, publications, teams, users } from './db/schema.ts';
import { ROLE_RANK, requireCanvasPermission, requireTeamRole, isUuid, type Actor, type CanvasAccess, type TeamActor } from './access.ts';
import * as audit from './audit.ts';
import * as history from './history.ts';
import { tldrawSchema } from './canvas-records.ts';
import { AppError, parseInput } from './errors.ts';
import type { Services } from './services.ts';
import { readBlob } from './assets/blob-store.ts';
import { canvasRenderer } from './rendering/canvas-renderer.ts';
import { assetIdsInRecords } from '../asset-urls.ts';
import { documentName } from '../document-names.ts';
import { PUBLICATION_TITLE_MAX, canvasText, publishInputSchema, slugFor, type PublishInput } from './publication-text.ts';
import { placeholderPreview } from './publication-placeholder.ts';
import { displayNameForOutput } from './display-names.ts';

export { publishInputSchema, type PublishInput };

/** Who may publish a team's canvases: editors and above, or admins and owners only. */
export const PUBLISH_ROLES = ['editor', 'admin'] as const;
export type PublishRole = (typeof PUBLISH_ROLES)[number];

/** Largest preview image a browser may upload. */
export const PREVIEW_MAX_BYTES = 2 * 1024 * 1024;
const PREVIEW_MAX_SIDE = 4096;
const PREVIEW_TYPES = ['image/png', 'image/webp'] as const;
/** How long after a publish the server waits for the browser's preview before rendering one itself. */
export const SERVER_PREVIEW_DELAY_MS = 10_000;

export interface PublicationRef {
	id: string;
	slug: string;
	publishedAt: Date;
	/** The frozen version (kind `publish`) in the canvas's history. */
	versionId: string;
}

export interface Publication extends PublicationRef {
	canvasId: string;
	title: string;
	description: string;
	tags: string[];
	authorName: string;
	moderation: 'visible' | 'hidden';
	moderationReason: string | null;
	viewCount: number;
	remixCount: number;
	hasPreview: boolean;
}

/** The public address of a publication. */
export function publicationUrl(publicOrigin: string, slug: string): string {
	return `${publicOrigin.replace(/\/$/, '')}/p/${encodeURIComponent(slug)}`;
}

const NOT_PUBLISHED = () => new AppError('NOT_FOUND', 'This canvas is not published.');

/**
 * Asserts the actor may publish (and unpublish) the canvas: `canvas.publish` in its team, and when
 * the team says "admins only", an admin or owner (a key, holding no role, may not then).
 */
async function requirePublishAccess(db: Queryable, actor: Actor, canvasId: string): Promise<CanvasAccess> {
	const access = await requireCanvasPermission(db, actor, canvasId, 'canvas.publish');
	const [team] = await db.select({ publishRole: teams.publishRole }).from(teams).where(eq(teams.id, access.canvas.teamId));
	if (team?.publishRole === 'admin' && access.standing?.holder !== 'system') {
		const role = access.standing?.role;
		if (!role || ROLE_RANK[role] < ROLE_RANK.admin) {
			throw new AppError('FORBIDDEN', 'In this team only admins and owners may publish canvases.', { action: 'canvas.publish', publishRole: 'admin' });
		}
	}
	return access;
}

/** The name shown as the author: the person, or for a key or Easel itself, the team. */
async function authorOf(db: Queryable, actor: TeamActor, teamId: string): Promise<{ id: string | null; name: string }> {
	if (actor.kind === 'user') {
		const [user] = await db.select({ name: users.name }).from(users).where(eq(users.id, actor.userId));
		return { id: actor.userId, name: user?.name ?? 'Someone' };
	}
	const [team] = await db.select({ name: teams.name }).from(teams).where(eq(teams.id, teamId));
	return { id: null, name: team?.name ?? 'Easel' };
}

/** The moderation a new publication of this canvas starts with: hidden again if a moderator's last word on it was "hide". */
async function carriedModeration(db: Queryable, canvasId: string) {
	const [last] = await db
		.select({ action: auditLog.action, details: auditLog.details, actorId: auditLog.actorId, createdAt: auditLog.createdAt })
		.from(auditLog)
		.where(and(eq(auditLog.targetType, 'canvas'), eq(auditLog.targetId, canvasId), inArray(auditLog.action, ['publication.hide', 'publication.restore'])))
		.orderBy(desc(auditLog.id))
		.limit(1);
	if (last?.action !== 'publication.hide') return {};
	const reason = typeof last.details?.reason === 'string' ? last.details.reason : 'Hidden by a moderator.';
	return { moderation: 'hidden' as const, moderationReason: reason, moderatedBy: last.actorId, moderatedAt: last.createdAt };
}

/** Recomputes the search vector from the row's own text: title (A), tags (B), description (C), the canvas's text (D). */
async function refreshSearchVector(db: Queryable, publicationId: string): Promise<void> {
	await db
		.update(publications)
		.set({
			searchVector: sql`setweight(to_tsvector('simple', ${publications.title}), 'A') || setweight(to_tsvector('simple', array_to_string(${publications.tags}, ' ')), 'B') || setweight(to_tsvector('simple', ${publications.description}), 'C') || setweight(to_tsvector('simple', ${publications.canvasText}), 'D')`
		})
		.where(eq(publications.id, publicationId));
}

/**
 * Publishes the canvas as it is now, or republishes it (same row and slug, counts kept, the new frozen
 * version replacing the old one, which stays in history). `created` says which happened.
 */
export async function publish(
	services: Services,
	actor: Actor,
	canvasId: string,
	rawInput: PublishInput = {},
	context: { ip?: string | null } = {}
): Promise<{ publication: PublicationRef; created: boolean }> {
	const { db, collaboration } = services;
	const access = await requirePublishAccess(db, actor, canvasId);
	const input = parseInput(publishInputSchema, rawInput ?? {});
	const by = actor as TeamActor; // an actor with a standing in the team is never anonymous
	const document = documentName('canvas', canvasId);
	const state = await collaboration.readDocumentState(document);
	const records = history.recordsOf(state);
	const title = input.title ?? displayNameForOutput(access.canvas.title, PUBLICATION_TITLE_MAX);
	const text = canvasText(records);
	const usedAssets = assetIdsInRecords(Object.values(records));
	const author = await authorOf(db, by, access.canvas.teamId);

	const result = await db.transaction(async (tx) => {
		const version = await history.capture(tx, {
			document,
			state,
			kind: 'publish',
			label: `Published “${title}”`,
			createdBy: by.kind === 'user' ? by.userId : null,
			authorIds: by.kind === 'user' ? [by.userId] : []
		});
		const now = new Date();
		const fields = {
			versionId: version.id,
			title,
			authorId: author.id,
			authorName: author.name,
			canvasText: text,
			previewKey: null,
			previewMimeType: null,
			publishedAt: now,
			...(input.description !== undefined ? { description: input.description } : {}),
			...(input.tags !== undefined ? { tags: input.tags } : {})
		};
		const [existing] = await tx.select({ id: publications.id }).from(publications).where(eq(publications.canvasId, canvasId)).for('update');
		let row: { id: string; slug: string; publishedAt: Date };
		let created = false;
		if (existing) {
			[row] = await tx
				.update(publications)
				.set(fields)
				.where(eq(publications.id, existing.id))
				.returning({ id: publications.id, slug: publications.slug, publishedAt: publications.publishedAt });
		} else {
			const moderation = await carriedModeration(tx, canvasId);
			let inserted: typeof row | undefined;
			// A slug clash is a 1 in 10⁹ chance per title: try a few suffixes; a clash on the canvas is a concurrent publish.
			for (let attempt = 0; !inserted && attempt < 5; attempt++) {
				[inserted] = await tx
					.insert(publications)
					.values({ canvasId, slug: slugFor(title), description: '', tags: [], ...fields, ...moderation })
					.onConflictDoNothing()
					.returning({ id: publications.id, slug: publications.slug, publishedAt: publications.publishedAt });
				const [raced] = inserted ? [] : await tx.select({ id: publications.id }).from(publications).where(eq(publications.canvasId, canvasId));
				if (raced) throw new AppError('CONFLICT', 'Someone published this canvas at the same moment. Try again.');
			}
			if (!inserted) throw new AppError('CONFLICT', 'Could not find a free address for this publication. Try again.');
			row = inserted;
			created = true;
		}
		await refreshSearchVector(tx, row.id);
		await tx.delete(publicationAssets).where(eq(publicationAssets.publicationId, row.id));
		if (usedAssets.length > 0) {
			// Only the canvas's own assets: a record pointing at another canvas's asset publishes nothing.
			const own = await tx
				.select({ id: assets.id })
				.from(assets)
				.where(and(eq(assets.canvasId, canvasId), inArray(assets.id, usedAssets)));
			if (own.length > 0) await tx.insert(publicationAssets).values(own.map(({ id }) => ({ publicationId: row.id, assetId: id })));
		}
		await audit.record(tx, {
			teamId: access.canvas.teamId,
			actor: by,
			action: 'publication.publish',
			targetType: 'canvas',
			targetId: canvasId,
			details: { publicationId: row.id, slug: row.slug, title, canvasTitle: access.canvas.title, republished: !created },
			ip: context.ip ?? null
		});
		return { publication: { id: row.id, slug: row.slug, publishedAt: row.publishedAt, versionId: version.id }, created };
	});
	// The previous version's picture no longer matches; a new one comes from the browser or the renderer.
	await services.blobs.delete(previewKeyOf(result.publication.id)).catch((error) => services.logger.warn({ err: error }, 'could not delete an old preview'));
	schedulePreviewRender(services, result.publication.id, result.publication.versionId);
	return result;
}

/** Unpublishes at once: the page, its snapshot, preview and assets answer 404 from now on. The frozen version stays in history. */
export async function unpublish(services: Services, actor: Actor, canvasId: string, context: { ip?: string | null } = {}): Promise<void> {
	const { db } = services;
	const access = await requirePublishAccess(db, actor, canvasId);
	const removed = await db.transaction(async (tx) => {
		const [row] = await tx
			.delete(publications)
			.where(eq(publications.canvasId, canvasId))
			.returning({ id: publications.id, slug: publications.slug, title: publications.title });
		if (!row) throw NOT_PUBLISHED();
		await audit.record(tx, {
			teamId: access.canvas.teamId,
			actor: actor as TeamActor,
			action: 'publication.unpublish',
			targetType: 'canvas',
			targetId: canvasId,
			details: { publicationId: row.id, slug: row.slug, title: row.title, canvasTitle: access.canvas.title },
			ip: context.ip ?? null
		});
		return row;
	});
	await services.blobs.delete(previewKeyOf(removed.id)).catch((error) => services.logger.warn({ err: error }, 'could not delete an unpublished preview'));
}

/**
 * Removes the publications of canvases leaving public view (moved to the trash, alone or with their
 * team), in the caller's transaction, whoever may publish: the gallery must not show what its team
 * no longer sees. Answers what was removed; pass it to `deletePreviews` after the commit.
 */
export async function withdrawPublications(tx: Queryable, canvasIds: string[]): Promise<{ id: string; canvasId: string; slug: string }[]> {
	if (canvasIds.length === 0) return [];
	return tx
		.delete(publications)
		.where(inArray(publications.canvasId, canvasIds))
		.returning({ id: publications.id, canvasId: publications.canvasId, slug: publications.slug });
}

/** Deletes the preview images of removed publications; a failure is logged (an orphaned object harms no one). */
export async function deletePreviews(services: Pick<Services, 'blobs' | 'logger'>, publicationIds: string[]): Promise<void> {
	await Promise.all(
		publicationIds.map((id) => services.blobs.delete(previewKeyOf(id)).catch((error) => services.logger.warn({ err: error }, 'could not delete a withdrawn preview')))
	);
}

const publicationColumns = {
	id: publications.id,
	canvasId: publications.canvasId,
	slug: publications.slug,
	versionId: publications.versionId,
	title: publications.title,
	description: publications.description,
	tags: publications.tags,
	authorName: publications.authorName,
	moderation: publications.moderation,
	moderationReason: publications.moderationReason,
	viewCount: publications.viewCount,
	remixCount: publications.remixCount,
	publishedAt: publications.publishedAt,
	previewKey: publications.previewKey
};

type PublicationRow = Omit<Publication, 'hasPreview' | 'viewCount'> & { viewCount: number | string; previewKey: string | null };

function toPublication({ previewKey, ...row }: PublicationRow): Publication {
	return { ...row, viewCount: Number(row.viewCount), hasPreview: previewKey !== null };
}

/** The canvas's publication as its team sees it (moderation reason included), or null when it is not published; for anyone who may open the canvas. */
export async function findPublication(db: Queryable, actor: Actor, canvasId: string): Promise<Publication | null> {
	await requireCanvasPermission(db, actor, canvasId, 'canvas.view');
	const [row] = await db.select(publicationColumns).from(publications).where(eq(publications.canvasId, canvasId));
	return row ? toPublication(row) : null;
}

/** Like findPublication, but NOT_FOUND when the canvas is not published (the API's GET). */
export async function getPublication(db: Queryable, actor: Actor, canvasId: string): Promise<Publication> {
	const found = await findPublication(db, actor, canvasId);
	if (!found) throw NOT_PUBLISHED();
	return found;
}

export function previewKeyOf(publicationId: string): string {
	return `previews/${publicationId}`;
}

/**
 * Stores the preview image the browser rendered of the published version (PNG or WebP, sniffed from
 * the bytes, at most 2 MB and 4096 px a side). Same rights as publishing.
 */
export async function setPreview(services: Services, actor: Actor, canvasId: string, bytes: Uint8Array): Promise<{ mimeType: string; width: number; height: number }> {
	const { db, blobs } = services;
	await requirePublishAccess(db, actor, canvasId);
	const [row] = await db.select({ id: publications.id }).from(publications).where(eq(publications.canvasId, canvasId));
	if (!row) throw NOT_PUBLISHED();
	if (bytes.byteLength > PREVIEW_MAX_BYTES) throw previewTooLarge();
	if (bytes.byteLength === 0) throw new AppError('INVALID_INPUT', 'Send the preview image as the request body.');
	const sniffed = await fileTypeFromBuffer(bytes);
	const mimeType = PREVIEW_TYPES.find((type) => type === sniffed?.mime);
	if (!mimeType) throw new AppError('INVALID_INPUT', 'The preview must be a PNG or WebP image.', { field: 'body' });
	let size: { width?: number; height?: number };
	try {
		size = imageSize(bytes);
	} catch {
		throw new AppError('INVALID_INPUT', 'The preview image could not be read.', { field: 'body' });
	}
	const { width = 0, height = 0 } = size;
	if (width < 1 || height < 1 || width > PREVIEW_MAX_SIDE || height > PREVIEW_MAX_SIDE) {
		throw new AppError('INVALID_INPUT', `The preview must be at most ${PREVIEW_MAX_SIDE} pixels on each side.`, { field: 'body' });
	}
	await blobs.put(previewKeyOf(row.id), bytes, mimeType);
	await db
		.update(publications)
		.set({ previewKey: previewKeyOf(row.id), previewMimeType: mimeType })
		.where(eq(publications.id, row.id));
	return { mimeType, width, height };
}

export function previewTooLarge(): AppError {
	return new AppError('PAYLOAD_TOO_LARGE', `A preview image is at most ${PREVIEW_MAX_BYTES / 1024 / 1024} MB.`, { limit: 'previewBytes', maxBytes: PREVIEW_MAX_BYTES });
}

/** Versions this process has tried to render (once each: a renderer that fails is not asked again and again). */
const attempted = new Set<string>();

/**
 * A publication without a preview (published through the API, or the browser's upload failed) gets
 * one from the server's renderer, when there is one, a little later; never fails the caller.
 */
export function schedulePreviewRender(services: Services, publicationId: string, versionId: string, delayMs = SERVER_PREVIEW_DELAY_MS): void {
	if (!canvasRenderer() || attempted.has(versionId)) return;
	if (attempted.size > 10_000) attempted.clear();
	attempted.add(versionId);
	const timer = setTimeout(() => {
		renderPreview(services, publicationId, versionId).catch((error) => services.logger.warn({ err: error, publicationId }, 'could not render a preview'));
	}, delayMs);
	timer.unref?.();
}

async function renderPreview(services: Services, publicationId: string, versionId: string): Promise<void> {
	const { db, blobs } = services;
	const renderer = canvasRenderer();
	const wanted = () =>
		db
			.select({ id: publications.id })
			.from(publications)
			.where(and(eq(publications.id, publicationId), eq(publications.versionId, versionId), sql`${publications.previewKey} is null`));
	if (!renderer || (await wanted()).length === 0) return;
	const records = await history.readVersionRecords(db, versionId);
	if (!records) return;
	const image = await renderer.render(records, { format: 'png', maxWidth: 1200 });
	if ((await wanted()).length === 0) return; // the browser's arrived meanwhile
	await blobs.put(previewKeyOf(publicationId), image.bytes, image.mimeType);
	await db
		.update(publications)
		.set({ previewKey: previewKeyOf(publicationId), previewMimeType: image.mimeType })
		.where(and(eq(publications.id, publicationId), eq(publications.versionId, versionId), sql`${publications.previewKey} is null`));
}

/** What a visitor of `/p/<slug>` sees; only visible publications have one. */
export interface PublicPage {
	id: string;
	slug: string;
	versionId: string;
	title: string;
	description: string;
	tags: string[];
	authorName: string;
	/** The team's name, unless it is someone's personal team (the author's name says it all then). */
	teamName: string | null;
	publishedAt: Date;
	viewCount: number;
	remixCount: number;
	hasPreview: boolean;
}

const SLUG = /^[a-z0-9-]{1,80}$/;

/** The visible publication at `slug`, or null (unknown, unpublished or hidden by a moderator: all the same 404). */
export async function findPublicPage(db: Queryable, slug: string): Promise<PublicPage | null> {
	if (!SLUG.test(slug)) return null;
	const [row] = await db
		.select({
			id: publications.id,
			slug: publications.slug,
			versionId: publications.versionId,
			title: publications.title,
			description: publications.description,
			tags: publications.tags,
			authorName: publications.authorName,
			teamName: teams.name,
			personal: teams.personal,
			publishedAt: publications.publishedAt,
			viewCount: publications.viewCount,
			remixCount: publications.remixCount,
			previewKey: publications.previewKey
		})
		.from(publications)
		.innerJoin(canvases, eq(canvases.id, publications.canvasId))
		.innerJoin(teams, eq(teams.id, canvases.teamId))
		.where(and(eq(publications.slug, slug), eq(publications.moderation, 'visible')));
	if (!row) return null;
	const { personal, previewKey, ...page } = row;
	return { ...page, teamName: personal ? null : page.teamName, viewCount: Number(page.viewCount), hasPreview: previewKey !== null };
}

/**
 * The validator of a published page for caches: what the HTML shows, except the view count (it
 * changes on every visit; a count a minute old is fine), plus the build that rendered it.
 */
export function pageTag(page: PublicPage, build: string): string {
	const shown = [
		build,
		page.id,
		page.versionId,
		page.title,
		page.description,
		page.tags.join(','),
		page.authorName,
		page.teamName ?? '',
		page.remixCount,
		page.hasPreview
	];
	return `W/"${createHash('sha256').update(JSON.stringify(shown)).digest('base64url').slice(0, 27)}"`;
}

/** The frozen records of a visible publication's page, with the schema they are in (what tldraw's store loads). */
export async function publicSnapshot(db: Queryable, page: Pick<PublicPage, 'versionId'>): Promise<{ records: Record<string, unknown>; schema: unknown } | null> {
	const records = await history.readVersionRecords(db, page.versionId);
	return records ? { records, schema: tldrawSchema.serialize() } : null;
}

/** The frozen records of a publication by id, for copies (remix): null when it is unknown or hidden. */
export async function publishedRecords(
	db: Queryable,
	publicationId: string
): Promise<{ publication: { id: string; slug: string; title: string; canvasId: string }; records: Record<string, unknown> } | null> {
	if (!isUuid(publicationId)) return null;
	const [row] = await db
		.select({ id: publications.id, slug: publications.slug, title: publications.title, canvasId: publications.canvasId, versionId: publications.versionId })
		.from(publications)
		.where(and(eq(publications.id, publicationId), eq(publications.moderation, 'visible')));
	if (!row) return null;
	const records = await history.readVersionRecords(db, row.versionId);
	if (!records) return null;
	const { versionId: _versionId, ...publication } = row;
	return { publication, records };
}

export interface PreviewImage {
	bytes: Uint8Array;
	mimeType: string;
	etag: string;
	/** `stored` (the browser's or the renderer's picture of the frozen version) or `placeholder`. */
	source: 'stored' | 'placeholder';
}

/** The picture of a visible publication: its stored preview, else a neutral placeholder; null when there is no such page. */
export async function publicPreview(services: Services, slug: string): Promise<PreviewImage | null> {
	const { db, blobs } = services;
	if (!SLUG.test(slug)) return null;
	const [row] = await db
		.select({ id: publications.id, versionId: publications.versionId, previewKey: publications.previewKey, previewMimeType: publications.previewMimeType })
		.from(publications)
		.where(and(eq(publications.slug, slug), eq(publications.moderation, 'visible')));
	if (!row) return null;
	if (row.previewKey) {
		const blob = await blobs.get(row.previewKey);
		if (blob) {
			const bytes = await readBlob(blob);
			return { bytes, mimeType: row.previewMimeType ?? 'image/png', etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`, source: 'stored' };
		}
	}
	// Still none: the renderer may make one (when this server has it); meanwhile a placeholder.
	schedulePreviewRender(services, row.id, row.versionId, 0);
	const placeholder = placeholderPreview();
	return { ...placeholder, source: 'placeholder' };
}

/** Who may publish the team's canvases. */
export async function publishRole(db: Queryable, teamId: string): Promise<PublishRole> {
	const [team] = await db.select({ publishRole: teams.publishRole }).from(teams).where(eq(teams.id, teamId));
	return team?.publishRole ?? 'editor';
}

/** Sets who may publish the team's canvases (admins and owners decide). */
export async function setPublishRole(db: Database, actor: Actor, teamId: string, role: unknown, context: { ip?: string | null } = {}): Promise<PublishRole> {
	await requireTeamRole(db, actor, teamId, 'team.publishing');
	const next = PUBLISH_ROLES.find((candidate) => candidate === role);
	if (!next) throw new AppError('INVALID_INPUT', 'Who may publish must be "editor" (editors and above) or "admin" (admins and owners).', { field: 'publishRole' });
	await db.transaction(async (tx) => {
		const [before] = await tx.select({ publishRole: teams.publishRole }).from(teams).where(eq(teams.id, teamId)).for('update');
		if (before?.publishRole === next) return;
		await tx.update(teams).set({ publishRole: next }).where(eq(teams.id, teamId));
		await audit.record(tx, {
			teamId,
			actor: actor as TeamActor,
			action: 'team.publish_role',
			targetType: 'team',
			targetId: teamId,
			details: { from: before?.publishRole, to: next },
			ip: context.ip ?? null
		});
	});
	return next;
}

/** Whether this actor may publish this canvas (for showing the button; the server checks again). */
export async function mayPublish(db: Queryable, actor: Actor, canvasId: string): Promise<boolean> {
	try {
		await requirePublishAccess(db, actor, canvasId);
		return true;
	} catch (error) {
		if (error instanceof AppError && (error.code === 'FORBIDDEN' || error.code === 'NOT_FOUND')) return false;
		throw error;
	}
}
