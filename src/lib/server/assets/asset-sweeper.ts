// Collects stored files nothing can show any more. An asset row goes once it is older than its
// team's history window (plus the pruning grace) and neither the canvas's live document, nor any
// version still kept of it, nor a publication uses it; a blob goes once no asset row points at it;
// thumbnails and previews go with their canvas or publication. Run hourly by every instance (safe
// to race). See docs/decisions/2026-12-02-asset-lifecycle.md.
import { and, asc, desc, eq, gt, gte, inArray, lt, notExists, notInArray, or, sql } from 'drizzle-orm';
import * as Y from 'yjs';
import { readBytes } from '../db/bytea.ts';
import type { Queryable } from '../db/index.ts';
import { assetBlobs, assets, assistantRuns, canvases, documentVersions, publicationAssets, publications } from '../db/schema.ts';
import * as billing from '../billing.ts';
import { decompressState, PRUNE_GRACE_DAYS } from '../history.ts';
import type { Services } from '../services.ts';
import type { BlobStore } from './blob-store.ts';
import { assetIdsInRecords } from '../../asset-urls.ts';
import { documentName } from '../../document-names.ts';

const DAY_MS = 86_400_000;
/** Canvases whose references are read per round (each: its live state, then its versions as needed). */
const CANVASES_PER_BATCH = 20;
/** Versions decompressed and decoded at a time. */
const VERSIONS_PER_BATCH = 10;
/** Blob rows and store keys handled per round. */
const BLOBS_PER_BATCH = 100;
/** A blob row this young may belong to an upload that has not written its asset row yet. */
const BLOB_GRACE_MS = 60 * 60_000;

export interface SweepResult {
	/** Asset rows deleted. */
	assets: number;
	/** Stored blobs (and their rows) deleted. */
	blobs: number;
	/** Other stored objects deleted: thumbnails and previews of deleted canvases and publications, bytes left by failed uploads or imports. */
	objects: number;
}

/**
 * Store keys under `blobs/` that had no row at the previous sweep, per store: such a key is deleted
 * only when it is still unclaimed a sweep later, so an upload writing its bytes before its row is never cut short.
 */
const unclaimedBefore = new WeakMap<BlobStore, Set<string>>();

export async function sweepAssets(services: Pick<Services, 'db' | 'collaboration' | 'blobs'>, now = new Date()): Promise<SweepResult> {
	const collected = await collectAssets(services, now);
	const blobs = await collectBlobs(services.db, services.blobs, now);
	const objects = (await collectOwnedObjects(services.db, services.blobs)) + (await collectUnclaimedBlobs(services.db, services.blobs));
	return { assets: collected, blobs, objects };
}

/** Deletes asset rows no document state, kept version or publication uses, team by team. */
async function collectAssets(services: Pick<Services, 'db' | 'collaboration'>, now: Date): Promise<number> {
	const { db } = services;
	const youngest = new Date(now.getTime() - PRUNE_GRACE_DAYS * DAY_MS);
	const teams = await db
		.selectDistinct({ teamId: canvases.teamId })
		.from(assets)
		.innerJoin(canvases, eq(canvases.id, assets.canvasId))
		.where(lt(assets.createdAt, youngest));
	let deleted = 0;
	for (const { teamId } of teams) {
		const { limits } = await billing.teamPlan(db, teamId, now);
		// Unlimited history keeps every version: the versions themselves then decide.
		const cutoff = new Date(now.getTime() - ((limits.historyDays ?? 0) + PRUNE_GRACE_DAYS) * DAY_MS);
		const candidate = and(eq(canvases.teamId, teamId), lt(assets.createdAt, cutoff), notPublished());
		for (let after = ''; ;) {
			const batch = await db
				.selectDistinct({ canvasId: assets.canvasId })
				.from(assets)
				.innerJoin(canvases, eq(canvases.id, assets.canvasId))
				.where(after ? and(candidate, gt(assets.canvasId, after)) : candidate)
				.orderBy(asc(assets.canvasId))
				.limit(CANVASES_PER_BATCH);
			if (batch.length === 0) break;
			after = batch.at(-1)!.canvasId;
			for (const { canvasId } of batch) deleted += await collectCanvasAssets(services, canvasId, cutoff);
		}
	}
	return deleted;
}

/** An asset row no publication lists. */
function notPublished() {
	return notExists(sql`(select 1 from ${publicationAssets} where ${publicationAssets.assetId} = ${assets.id})`);
}

async function collectCanvasAssets(services: Pick<Services, 'db' | 'collaboration'>, canvasId: string, cutoff: Date): Promise<number> {
	const { db, collaboration } = services;
	const rows = await db
		.select({ id: assets.id, createdAt: assets.createdAt })
		.from(assets)
		.where(and(eq(assets.canvasId, canvasId), lt(assets.createdAt, cutoff), notPublished()));
	if (rows.length === 0) return 0;
	const name = documentName('canvas', canvasId);
	const unreferenced = new Set(rows.map((row) => row.id));
	for (const id of assetIdsOfState(await collaboration.readDocumentState(name))) unreferenced.delete(id);
	if (unreferenced.size === 0) return 0;
	// A version captured before an asset existed can't show it: read only versions from the oldest candidate on, newest first.
	const since = new Date(Math.min(...rows.filter((row) => unreferenced.has(row.id)).map((row) => row.createdAt.getTime())));
	for (let before: { createdAt: Date; id: string } | undefined; unreferenced.size > 0;) {
		const versions = await db
			.select({ id: documentVersions.id, createdAt: documentVersions.createdAt, state: readBytes(documentVersions.state) })
			.from(documentVersions)
			.where(
				and(
					eq(documentVersions.document, name),
					gte(documentVersions.createdAt, since),
					before
						? or(lt(documentVersions.createdAt, before.createdAt), and(eq(documentVersions.createdAt, before.createdAt), lt(documentVersions.id, before.id)))
						: undefined
				)
			)
			.orderBy(desc(documentVersions.createdAt), desc(documentVersions.id))
			.limit(VERSIONS_PER_BATCH);
		if (versions.length === 0) break;
		before = versions.at(-1)!;
		for (const version of versions) for (const id of assetIdsOfState(decompressState(version.state))) unreferenced.delete(id);
	}
	if (unreferenced.size === 0) return 0;
	// Checked again as it is deleted: a publication made meanwhile keeps its assets.
	const removed = await db
		.delete(assets)
		.where(and(inArray(assets.id, [...unreferenced]), eq(assets.canvasId, canvasId), lt(assets.createdAt, cutoff), notPublished()))
		.returning({ id: assets.id });
	return removed.length;
}

/** The stored assets a canvas state's records point at. */
function assetIdsOfState(state: Uint8Array): string[] {
	const doc = new Y.Doc();
	try {
		Y.applyUpdate(doc, state);
		return assetIdsInRecords(doc.getMap('records').values());
	} finally {
		doc.destroy();
	}
}

/**
 * Deletes blobs no asset row points at: each one's row is deleted first (the foreign key from
 * `assets` refuses it if an upload has just pointed a row at it), then its bytes, then the deletion
 * commits. An upload of the same bytes meanwhile waits on the deleted row and writes the bytes again.
 */
async function collectBlobs(db: Queryable, blobs: BlobStore, now: Date): Promise<number> {
	const unused = and(
		lt(assetBlobs.createdAt, new Date(now.getTime() - BLOB_GRACE_MS)),
		notExists(sql`(select 1 from ${assets} where ${assets.sha256} = ${assetBlobs.sha256})`)
	);
	let deleted = 0;
	const failed = new Set<string>();
	for (;;) {
		const batch = await db
			.select({ sha256: assetBlobs.sha256 })
			.from(assetBlobs)
			.where(failed.size ? and(unused, notInArray(assetBlobs.sha256, [...failed])) : unused)
			.limit(BLOBS_PER_BATCH);
		if (batch.length === 0) break;
		for (const { sha256 } of batch) {
			try {
				const gone = await db.transaction(async (tx) => {
					const [row] = await tx
						.delete(assetBlobs)
						.where(and(eq(assetBlobs.sha256, sha256), unused))
						.returning({ storageKey: assetBlobs.storageKey });
					if (row) await blobs.delete(row.storageKey);
					return row !== undefined;
				});
				if (gone) deleted++;
			} catch {
				// Used again meanwhile (the foreign key refused the delete) or the store did not answer: next sweep.
				failed.add(sha256);
			}
		}
	}
	return deleted;
}

/** Thumbnails and previews whose canvas or publication is gone (their keys start with its id). */
async function collectOwnedObjects(db: Queryable, blobs: BlobStore): Promise<number> {
	const owners = [
		{ prefix: 'thumbnails/', table: canvases, id: canvases.id },
		{ prefix: 'previews/', table: publications, id: publications.id },
		{ prefix: 'runfiles/', table: assistantRuns, id: assistantRuns.id }
	] as const;
	let deleted = 0;
	for (const { prefix, table, id } of owners) {
		for await (const keys of inBatches(blobs.list(prefix), BLOBS_PER_BATCH)) {
			const ownerOf = new Map(keys.map((key) => [key, UUID_PREFIX.exec(key.slice(prefix.length))?.[0].toLowerCase()]));
			const ownerIds = [...new Set([...ownerOf.values()].filter((owner): owner is string => owner !== undefined))];
			const alive = new Set(ownerIds.length ? (await db.select({ id }).from(table).where(inArray(id, ownerIds))).map((row) => row.id) : []);
			for (const [key, owner] of ownerOf) {
				if (owner === undefined || alive.has(owner)) continue;
				await blobs.delete(key);
				deleted++;
			}
		}
	}
	return deleted;
}

const UUID_PREFIX = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const BLOB_KEY = /^blobs\/([0-9a-f]{64})$/;

/**
 * Bytes under `blobs/` without a row (an upload or import that failed after writing them), deleted
 * when they were already without one at the previous sweep. Each is claimed with a placeholder row
 * while it is deleted, so an upload of the same bytes waits for the deletion and then writes them again.
 */
async function collectUnclaimedBlobs(db: Queryable, blobs: BlobStore): Promise<number> {
	const previously = unclaimedBefore.get(blobs) ?? new Set<string>();
	const now = new Set<string>();
	let deleted = 0;
	for await (const keys of inBatches(blobs.list('blobs/'), BLOBS_PER_BATCH)) {
		const hashes = new Map(keys.flatMap((key) => (BLOB_KEY.test(key) ? [[BLOB_KEY.exec(key)![1], key] as const] : [])));
		if (hashes.size === 0) continue;
		const rows = await db
			.select({ sha256: assetBlobs.sha256 })
			.from(assetBlobs)
			.where(inArray(assetBlobs.sha256, [...hashes.keys()]));
		for (const row of rows) hashes.delete(row.sha256);
		for (const [sha256, key] of hashes) {
			if (!previously.has(key)) {
				now.add(key);
				continue;
			}
			try {
				const gone = await db.transaction(async (tx) => {
					const claimed = await tx
						.insert(assetBlobs)
						.values({ sha256, storageKey: key, mimeType: 'application/octet-stream', bytes: 0 })
						.onConflictDoNothing()
						.returning({ sha256: assetBlobs.sha256 });
					// Claimed by an upload since the listing: it is used again.
					if (claimed.length === 0) return false;
					await blobs.delete(key);
					await tx.delete(assetBlobs).where(eq(assetBlobs.sha256, sha256));
					return true;
				});
				if (gone) deleted++;
			} catch {
				now.add(key);
			}
		}
	}
	unclaimedBefore.set(blobs, now);
	return deleted;
}

async function* inBatches<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
	let batch: T[] = [];
	for await (const item of items) {
		batch.push(item);
		if (batch.length >= size) {
			yield batch;
			batch = [];
		}
	}
	if (batch.length) yield batch;
}
