// Remix: a signed-in person copies a published canvas's frozen version (never the live canvas) into
// one of their teams, as a new canvas that remembers where it came from.
import { and, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import * as Y from 'yjs';
import type { Queryable, Transaction } from './db/index.ts';
import { assets, canvases, documentVersions, publications } from './db/schema.ts';
import { readBytes } from './db/bytea.ts';
import { isUuid, requireTeamRole, type UserActor } from './access.ts';
import { AppError, notFound, parseInput } from './errors.ts';
import { tldrawSchema } from './canvas-records.ts';
import { decompressState, recordsOf } from './history.ts';
import { copyCanvasAssets } from './assets/asset-copies.ts';
import { writeNewDocument } from './documents/document-store.ts';
import { searchIndexOf } from './canvas-search-index.ts';
import { PLANS, upgradeFor } from './plans.ts';
import * as audit from './audit.ts';
import * as billing from './billing.ts';
import type { Services } from './services.ts';
import * as canvasModule from './canvases.ts';
import { assetIdOfRecord } from '../asset-urls.ts';
import { documentName } from '../document-names.ts';

const teamIdSchema = z.string({ error: 'teamId must be a team id.' }).min(1, { error: 'Choose the team to remix into (teamId).' });

/**
 * Copies visible publication `publicationId` into team `teamId` (the actor needs canvas.create there),
 * within the team's canvas limit and storage quota (the copied assets count). The copy gets the
 * publication's title, its own asset rows and the remix origin; the publication's remix count goes up
 * by one, all in one transaction. A hidden, unpublished or unknown publication is NOT_FOUND.
 */
/** `POST /api/v1/publications/{id}/remix`: the team to copy the canvas into. */
export const remixRequestSchema = z.object({ teamId: z.string({ error: 'Choose the team to remix into (teamId).' }) }).strict();

export async function remix(
	services: Services,
	actor: UserActor,
	publicationId: string,
	rawTeamId: string,
	options: { maxTitleLength?: number; ip?: string | null } = {}
): Promise<canvasModule.CanvasSummary> {
	const { db } = services;
	const teamId = parseInput(teamIdSchema, rawTeamId);
	const publication = await visiblePublication(db, publicationId);
	await requireTeamRole(db, actor, teamId, 'canvas.create');
	const [version] = await db
		.select({ state: readBytes(documentVersions.state) })
		.from(documentVersions)
		.where(eq(documentVersions.id, publication.versionId));
	if (!version) throw notFound('Publication');
	const frozen = await withoutForeignAssets(db, recordsOf(decompressState(version.state)), publication.canvasId);
	const title = publication.title.slice(0, options.maxTitleLength ?? 200);

	const id = await db.transaction(async (tx) => {
		await billing.assertCanCreateCanvas(tx, teamId);
		const [row] = await tx
			.insert(canvases)
			.values({
				teamId,
				title,
				createdBy: actor.userId,
				remixedFromPublicationId: publication.id,
				remixedFromTitle: publication.title,
				remixedFromSlug: publication.slug,
				...searchIndexOf(frozen)
			})
			.returning({ id: canvases.id });
		const records = await copyCanvasAssets(tx, { records: frozen, toCanvasId: row.id, copiedBy: actor.userId });
		await assertStorageWithin(tx, teamId);
		const doc = new Y.Doc();
		doc.transact(() => {
			for (const [key, record] of Object.entries(records)) doc.getMap('records').set(key, record);
			doc.getMap('meta').set('schema', tldrawSchema.serialize());
		});
		await writeNewDocument(tx, documentName('canvas', row.id), Y.encodeStateAsUpdate(doc), Y.encodeStateVector(doc));
		doc.destroy();
		// Unpublished or hidden since it was read: nothing is created.
		const counted = await tx
			.update(publications)
			.set({ remixCount: sql`${publications.remixCount} + 1` })
			.where(and(eq(publications.id, publication.id), eq(publications.moderation, 'visible')))
			.returning({ id: publications.id });
		if (counted.length === 0) throw notFound('Publication');
		await audit.record(tx, {
			teamId,
			actorId: actor.userId,
			action: 'canvas.remix',
			targetType: 'canvas',
			targetId: row.id,
			details: { title, publicationId: publication.id, publicationTitle: publication.title, slug: publication.slug },
			ip: options.ip
		});
		return row.id;
	});
	return canvasModule.get(db, actor, id);
}

async function visiblePublication(db: Queryable, publicationId: string) {
	if (typeof publicationId !== 'string' || !isUuid(publicationId)) throw notFound('Publication');
	const [row] = await db
		.select({ id: publications.id, slug: publications.slug, title: publications.title, versionId: publications.versionId, canvasId: publications.canvasId })
		.from(publications)
		.where(and(eq(publications.id, publicationId), eq(publications.moderation, 'visible')));
	if (!row) throw notFound('Publication');
	return row;
}

/**
 * The frozen records with every asset record that points at another canvas's asset emptied (src
 * null, shown as a missing image): a remix copies the published canvas's own assets only.
 */
async function withoutForeignAssets(db: Queryable, records: Record<string, unknown>, canvasId: string): Promise<Record<string, unknown>> {
	const ids = [...new Set(Object.values(records).map(assetIdOfRecord))].filter((id): id is string => id !== null);
	if (ids.length === 0) return records;
	const owned = new Set(
		(
			await db
				.select({ id: assets.id })
				.from(assets)
				.where(and(inArray(assets.id, ids), eq(assets.canvasId, canvasId)))
		).map((row) => row.id)
	);
	return Object.fromEntries(
		Object.entries(records).map(([key, record]) => {
			const assetId = assetIdOfRecord(record);
			if (!assetId || owned.has(assetId)) return [key, record];
			const asset = record as { props: Record<string, unknown> };
			return [key, { ...asset, props: { ...asset.props, src: null } }];
		})
	);
}

/**
 * Refuses the transaction's writes when the team's assets, the ones just copied included, exceed its
 * plan's storage. The caller holds the team's limit lock (billing.assertCanCreateCanvas takes it).
 */
async function assertStorageWithin(tx: Transaction, teamId: string): Promise<void> {
	const { limits } = await billing.teamPlan(tx, teamId);
	const [{ used }] = await tx
		.select({ used: sql<string>`coalesce(sum(${assets.bytes}), 0)::text` })
		.from(assets)
		.innerJoin(canvases, eq(canvases.id, assets.canvasId))
		.where(eq(canvases.teamId, teamId));
	const usedBytes = Number(used);
	const allowed = limits.storage.teamBytes;
	if (usedBytes <= allowed) return;
	const next = upgradeFor(limits.plan);
	throw new AppError(
		'LIMIT_EXCEEDED',
		`The ${PLANS[limits.plan].name} plan includes ${formatBytes(allowed)} of storage per team, and this remix's images would bring the team to ${formatBytes(usedBytes)}.${next ? ` Upgrade to ${next.name} for more, or delete images.` : ' Delete images to make room.'}`,
		{ limit: 'storage', allowed, used: usedBytes, plan: limits.plan }
	);
}

function formatBytes(bytes: number): string {
	if (bytes >= 1e9) return `${+(bytes / 1e9).toFixed(1)} GB`;
	if (bytes >= 1e6) return `${+(bytes / 1e6).toFixed(1)} MB`;
	return `${Math.ceil(bytes / 1e3)} KB`;
}

export interface RemixOrigin {
	title: string;
	slug: string;
	/** The published page, while the publication is still visible; null once it was unpublished or hidden. */
	href: string | null;
}

/** Where a canvas was remixed from, for its page ("Remixed from …"); null for a canvas that is no remix. */
export async function remixOrigin(db: Queryable, canvasId: string): Promise<RemixOrigin | null> {
	if (!isUuid(canvasId)) return null;
	const [row] = await db
		.select({ title: canvases.remixedFromTitle, slug: canvases.remixedFromSlug, liveSlug: publications.slug })
		.from(canvases)
		.leftJoin(publications, and(eq(publications.id, canvases.remixedFromPublicationId), eq(publications.moderation, 'visible')))
		.where(eq(canvases.id, canvasId));
	if (!row?.title || !row.slug) return null;
	// Republishing keeps the slug; follow the live one should it ever differ.
	return { title: row.title, slug: row.slug, href: row.liveSlug ? `/p/${row.liveSlug}` : null };
}
