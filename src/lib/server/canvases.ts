// Canvases: a titled tldraw document owned by one team.
import { and, desc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, Queryable } from './db/index.ts';
import { canvases, users } from './db/schema.ts';
import {
	requireCanvasPermission,
	requireEditable,
	requireTeamRole,
	resolveCanvasAccess,
	personId,
	type Actor,
	type CanvasAccess,
	type TeamActor,
	type UserActor
} from './access.ts';
import { AppError, parseInput } from './errors.ts';
import { displayNameSchema } from './display-names.ts';
import type { OpeningState } from './runtime.ts';
import type { Services } from './services.ts';
import { writeNewDocument } from './documents/document-store.ts';
import { documentName } from '../document-names.ts';
import * as audit from './audit.ts';
import * as billing from './billing.ts';
import { copyCanvasAssets } from './assets/asset-copies.ts';
import { assertStorageAvailable, canvasAssetBytes } from './assets/storage-quota.ts';
import { assetIdsInRecords } from '../asset-urls.ts';
import { searchIndexOf } from './canvas-search-index.ts';
import * as Y from 'yjs';

export const DEFAULT_TITLE = 'Untitled canvas';
/** The title length when the caller does not pass the configured one (MAX_TITLE_LENGTH's default). */
const DEFAULT_MAX_TITLE_LENGTH = 200;

const teamIdSchema = z.string({ error: 'teamId must be a team id.' });

export function titleSchema(maxLength: number) {
	return displayNameSchema({ label: 'Title', maxLength });
}

/** `POST /api/v1/canvases`: an optional title and team (default: the caller's personal team). */
export function createCanvasRequestSchema(maxTitleLength = DEFAULT_MAX_TITLE_LENGTH) {
	return z.object({ title: titleSchema(maxTitleLength).optional(), teamId: z.string().optional() }).strict();
}

/** `PATCH /api/v1/canvases/{id}`: a new title, the folder to file it in (null: none), or both. */
export function updateCanvasRequestSchema(maxTitleLength = DEFAULT_MAX_TITLE_LENGTH) {
	return z
		.object({
			title: titleSchema(maxTitleLength).optional(),
			folderId: z.uuid({ error: 'folderId must be a folder id, or null to take the canvas out of its folder.' }).nullable().optional()
		})
		.strict()
		.refine((input) => input.title !== undefined || input.folderId !== undefined, { error: 'Send a new title, a folderId, or both.' });
}

/** `POST /api/v1/canvases/{id}/move`: the team to move the canvas to. */
export const moveCanvasRequestSchema = z.object({ teamId: z.string({ error: 'teamId is required.' }) }).strict();

/** A title that may be left blank (the canvas then gets the default title). */
export function optionalTitleSchema(maxLength: number) {
	return z
		.string({ error: 'Title must be text.' })
		.trim()
		.optional()
		.transform((title) => title || undefined)
		.pipe(titleSchema(maxLength).optional());
}

export interface CanvasSummary {
	id: string;
	teamId: string;
	title: string;
	createdAt: Date;
	updatedAt: Date;
	createdBy: string | null;
	createdByName: string | null;
	/** When its thumbnail was last uploaded; null while it has none (the dashboard shows a placeholder). */
	thumbnailUpdatedAt: Date | null;
	/** The library folder it is filed in; null at the top level. */
	folderId: string | null;
}

const summaryColumns = {
	id: canvases.id,
	teamId: canvases.teamId,
	title: canvases.title,
	createdAt: canvases.createdAt,
	updatedAt: canvases.updatedAt,
	createdBy: canvases.createdBy,
	createdByName: users.name,
	thumbnailUpdatedAt: canvases.thumbnailUpdatedAt,
	folderId: canvases.folderId
};

export async function create(
	db: Database,
	actor: TeamActor,
	input: { teamId: string; title?: string },
	options: { maxTitleLength?: number; ip?: string | null } = {}
): Promise<CanvasSummary> {
	const { teamId, title } = parseInput(z.object({ teamId: teamIdSchema, title: optionalTitleSchema(options.maxTitleLength ?? DEFAULT_MAX_TITLE_LENGTH) }), input);
	await requireTeamRole(db, actor, teamId, 'canvas.create');
	const id = await db.transaction(async (tx) => {
		await billing.assertCanCreateCanvas(tx, teamId);
		const [row] = await tx
			.insert(canvases)
			// Nothing on it yet: already indexed (as empty) for library search.
			.values({ teamId, title: title ?? DEFAULT_TITLE, createdBy: personId(actor), searchIndexedAt: new Date() })
			.returning({ id: canvases.id });
		await audit.record(tx, {
			teamId,
			actor,
			action: 'canvas.create',
			targetType: 'canvas',
			targetId: row.id,
			details: { title: title ?? DEFAULT_TITLE },
			ip: options.ip
		});
		return row.id;
	});
	return get(db, actor, id);
}

/** The team's canvases outside the trash (trash/ lists those in it), most recently edited first. */
export async function listForTeam(db: Queryable, actor: Actor, teamId: string): Promise<CanvasSummary[]> {
	// Titles are canvas content: a key with only team or audit scopes does not list them.
	await requireTeamRole(db, actor, teamId, 'canvas.view');
	return db
		.select(summaryColumns)
		.from(canvases)
		.leftJoin(users, eq(users.id, canvases.createdBy))
		.where(and(eq(canvases.teamId, teamId), isNull(canvases.deletedAt)))
		.orderBy(desc(canvases.updatedAt));
}

export async function get(db: Queryable, actor: Actor, canvasId: string): Promise<CanvasSummary & { access: CanvasAccess }> {
	const access = await requireCanvasPermission(db, actor, canvasId, 'canvas.view');
	const [row] = await db.select(summaryColumns).from(canvases).leftJoin(users, eq(users.id, canvases.createdBy)).where(eq(canvases.id, canvasId));
	return { ...row, access };
}

export async function rename(db: Queryable, actor: Actor, canvasId: string, rawTitle: string, options: { maxTitleLength?: number } = {}): Promise<CanvasSummary> {
	await requireEditable(db, await requireCanvasPermission(db, actor, canvasId, 'canvas.rename'));
	const title = parseInput(titleSchema(options.maxTitleLength ?? DEFAULT_MAX_TITLE_LENGTH), rawTitle);
	await db.update(canvases).set({ title, updatedAt: new Date() }).where(eq(canvases.id, canvasId));
	return get(db, actor, canvasId);
}

/**
 * Copies a canvas, with its current content, into the same team. The copy gets asset rows of its
 * own for the images it shows (same stored bytes), which count against the team's storage.
 */
export async function duplicate(
	services: Services,
	actor: TeamActor,
	canvasId: string,
	options: { maxTitleLength?: number; ip?: string | null } = {}
): Promise<CanvasSummary> {
	const maxTitleLength = options.maxTitleLength ?? DEFAULT_MAX_TITLE_LENGTH;
	const { db, collaboration } = services;
	const source = await requireCanvasPermission(db, actor, canvasId, 'canvas.duplicate');
	await requireTeamRole(db, actor, source.canvas.teamId, 'canvas.create');
	const state = await collaboration.readDocumentState(documentName('canvas', canvasId));
	const title = `${source.canvas.title} (copy)`.slice(0, maxTitleLength);
	const doc = new Y.Doc();
	try {
		Y.applyUpdate(doc, state);
		const records = doc.getMap<unknown>('records');
		const sourceRecords = records.toJSON();
		const id = await db.transaction(async (tx) => {
			await billing.assertCanCreateCanvas(tx, source.canvas.teamId);
			await assertStorageAvailable(tx, source.canvas.teamId, await canvasAssetBytes(tx, canvasId, assetIdsInRecords(Object.values(sourceRecords))));
			const [{ folderId }] = await tx.select({ folderId: canvases.folderId }).from(canvases).where(eq(canvases.id, canvasId));
			const [row] = await tx
				.insert(canvases)
				// The copy sits beside the original, in its folder, and is found by the same text.
				.values({ teamId: source.canvas.teamId, title, createdBy: personId(actor), folderId, ...searchIndexOf(sourceRecords) })
				.returning({ id: canvases.id });
			const copied = await copyCanvasAssets(tx, { records: sourceRecords, toCanvasId: row.id, copiedBy: personId(actor), fromCanvasId: canvasId });
			doc.transact(() => {
				for (const [key, record] of Object.entries(copied)) if (record !== sourceRecords[key]) records.set(key, record);
			});
			await writeNewDocument(tx, documentName('canvas', row.id), Y.encodeStateAsUpdate(doc), Y.encodeStateVector(doc));
			await audit.record(tx, {
				teamId: source.canvas.teamId,
				actor,
				action: 'canvas.create',
				targetType: 'canvas',
				targetId: row.id,
				details: { title, duplicateOf: canvasId, sourceTitle: source.canvas.title },
				ip: options.ip
			});
			return row.id;
		});
		return get(db, actor, id);
	} finally {
		doc.destroy();
	}
}

/**
 * The stored state a client applies before its socket connects, for anyone who may open the canvas
 * (a member, or anyone with a usable share link): the same access the socket is given.
 */
export async function openingState(services: Services, actor: Actor, canvasId: string, request: { shareToken?: string; clientAddress: string }): Promise<OpeningState> {
	const { db, collaboration } = services;
	if (actor.kind === 'anonymous' && !request.shareToken) throw new AppError('UNAUTHENTICATED', 'Sign in, or open the canvas through its share link.');
	const access = await resolveCanvasAccess(db, actor, canvasId, request.shareToken);
	return collaboration.openingState(documentName('canvas', access.canvas.id), request.clientAddress);
}

/**
 * Moves a canvas to another team; the actor must administer both. Its assets go with it (they
 * belong to the canvas) and must fit the target team's storage. After the commit the sockets open
 * on it are re-authorised, since who may see it has changed.
 */
export async function move(services: Services, actor: UserActor, canvasId: string, rawTeamId: string, context: { ip?: string | null } = {}): Promise<CanvasSummary> {
	const { db, collaboration } = services;
	const teamId = parseInput(teamIdSchema, rawTeamId);
	const source = await requireCanvasPermission(db, actor, canvasId, 'canvas.move');
	await requireTeamRole(db, actor, teamId, 'canvas.move');
	if (source.canvas.teamId === teamId) return get(db, actor, canvasId);
	await db.transaction(async (tx) => {
		await billing.assertCanCreateCanvas(tx, teamId);
		await assertStorageAvailable(tx, teamId, await canvasAssetBytes(tx, canvasId));
		// Its folder belongs to the team it leaves.
		await tx.update(canvases).set({ teamId, folderId: null, updatedAt: new Date() }).where(eq(canvases.id, canvasId));
		const entry = {
			actorId: actor.userId,
			action: 'canvas.move' as const,
			targetType: 'canvas' as const,
			targetId: canvasId,
			details: { title: source.canvas.title, from: source.canvas.teamId, to: teamId },
			ip: context.ip
		};
		await audit.record(tx, { teamId: source.canvas.teamId, ...entry });
		await audit.record(tx, { teamId, ...entry });
	});
	collaboration.closeConnections({ canvasId }, 'ACCESS_CHANGED');
	return get(db, actor, canvasId);
}

/** Marks a canvas as recently edited (dashboard order). */
export async function touch(db: Queryable, canvasId: string): Promise<void> {
	await db.update(canvases).set({ updatedAt: new Date() }).where(eq(canvases.id, canvasId));
}
