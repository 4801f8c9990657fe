// A team's asset storage against its plan: the sum of `assets.bytes` over the team's canvases. A
// copy's rows count in full (duplicates and remixes), though their bytes are stored only once.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Queryable, Transaction } from '../db/index.ts';
import { assets, canvases } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import * as billing from '../billing.ts';
import { PLANS, upgradeFor } from '../plans.ts';

/** Bytes of every asset on the team's canvases. */
export async function teamStorageUsed(db: Queryable, teamId: string): Promise<number> {
	const [row] = await db
		.select({ bytes: sql<string>`coalesce(sum(${assets.bytes}), 0)::text` })
		.from(assets)
		.innerJoin(canvases, eq(canvases.id, assets.canvasId))
		.where(eq(canvases.teamId, teamId));
	return Number(row.bytes);
}

/** Bytes of the canvas's assets among `assetIds` (all of them when omitted). */
export async function canvasAssetBytes(db: Queryable, canvasId: string, assetIds?: string[]): Promise<number> {
	if (assetIds?.length === 0) return 0;
	const [row] = await db
		.select({ bytes: sql<string>`coalesce(sum(${assets.bytes}), 0)::text` })
		.from(assets)
		.where(assetIds ? and(eq(assets.canvasId, canvasId), inArray(assets.id, assetIds)) : eq(assets.canvasId, canvasId));
	return Number(row.bytes);
}

/**
 * Refuses `addedBytes` more on the team when they would pass its plan's storage (LIMIT_EXCEEDED,
 * naming the limit and the upgrade). Takes the team's limit lock: write the rows in the same transaction.
 */
export async function assertStorageAvailable(tx: Transaction, teamId: string, addedBytes: number): Promise<void> {
	if (addedBytes <= 0) return;
	await billing.lockTeamLimits(tx, teamId);
	const { limits } = await billing.teamPlan(tx, teamId);
	const used = await teamStorageUsed(tx, teamId);
	if (used + addedBytes <= limits.storage.teamBytes) return;
	const next = upgradeFor(limits.plan);
	throw new AppError(
		'LIMIT_EXCEEDED',
		`The ${PLANS[limits.plan].name} plan includes ${formatBytes(limits.storage.teamBytes)} of storage per team; this team uses ${formatBytes(used)} and this needs ${formatBytes(addedBytes)} more.${next ? ` Upgrade to ${next.name} for more, or delete canvases with images for good (the trash still counts).` : ' Delete canvases with images for good to make room (the trash still counts).'}`,
		{ limit: 'storage', allowed: limits.storage.teamBytes, used, needed: addedBytes, plan: limits.plan }
	);
}

/** Decimal units, as the plans are sold: 1 GB = 1,000,000,000 bytes. */
export function formatBytes(bytes: number): string {
	const units: [number, string][] = [
		[1e9, 'GB'],
		[1e6, 'MB'],
		[1e3, 'kB']
	];
	for (const [size, unit] of units) {
		if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
	}
	return `${bytes} bytes`;
}
