// Images on canvases: uploading one (who may, how large, the team's storage quota; the bytes
// stored once per content), reading one back (whom the canvas admits, or anyone when a visible
// publication shows it), and how much a team stores.
import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db/index.ts';
import { assetBlobs, assets, canvases, publicationAssets, publications, type PlanId } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { isUuid, permits, requireEditable, resolveCanvasAccess, type Actor, type CanvasAccess } from '../access.ts';
import * as billing from '../billing.ts';
import { PLANS, upgradeFor } from '../plans.ts';
import type { Services } from '../services.ts';
import { assetSrc } from '../../asset-urls.ts';
import { formatBytes } from '../../format-bytes.ts';
import { checkUpload, type AcceptedMimeType, type CheckedFile } from './file-types.ts';
import { fileTooLarge } from './upload-limits.ts';

export { MULTIPART_OVERHEAD_BYTES, largestUploadRequestBytes } from './upload-limits.ts';

/** What an upload answers, as `POST /api/v1/canvases/:id/assets` sends it. */
export interface UploadedAsset {
	id: string;
	/** The asset record's `props.src`: `/api/v1/assets/<id>`. */
	src: string;
	mimeType: AcceptedMimeType;
	bytes: number;
	width?: number;
	height?: number;
}

export interface UploadOptions {
	/** A share link's token (guests with an edit link may add images, as they may edit). */
	shareToken?: string;
}

const MAX_FILE_NAME_LENGTH = 200;

/** The storage key of a blob's bytes (one per content). */
export function blobKey(sha256: string): string {
	return `blobs/${sha256}`;
}

/**
 * Who may upload to a canvas is who may edit it; answers the largest file they may send, so the
 * edge can refuse a body that is too large before reading it. NOT_FOUND for outsiders, FORBIDDEN
 * for viewers and view links, LIMIT_EXCEEDED for a canvas read-only beyond its plan.
 */
export async function uploadLimit(db: Queryable, actor: Actor, canvasId: string, options: UploadOptions = {}): Promise<{ fileBytes: number; plan: PlanId }> {
	const access = await editableCanvas(db, actor, canvasId, options);
	const { limits } = await billing.teamPlan(db, access.canvas.teamId);
	return { fileBytes: limits.storage.fileBytes, plan: limits.plan };
}

/**
 * Stores an image for canvas `canvasId` and answers its asset (the browser then puts an asset record
 * with `src` in the document). The type comes from the content (file-types.ts; SVG is stored
 * sanitised). The file must fit the plan's per-file limit (PAYLOAD_TOO_LARGE) and the team's storage
 * quota (LIMIT_EXCEEDED), checked under the team's limit lock so concurrent uploads cannot both
 * pass. The bytes are stored once per content: a second upload of the same image only adds a row.
 */
export async function uploadAsset(
	services: Services,
	actor: Actor,
	canvasId: string,
	file: { bytes: Uint8Array; fileName?: string },
	options: UploadOptions = {}
): Promise<UploadedAsset> {
	const { db, blobs } = services;
	if (!(file?.bytes instanceof Uint8Array)) throw new AppError('INVALID_INPUT', 'Send a file.', { field: 'file' });
	const access = await editableCanvas(db, actor, canvasId, options);
	const teamId = access.canvas.teamId;
	const { limits } = await billing.teamPlan(db, teamId);
	if (file.bytes.byteLength > limits.storage.fileBytes) throw fileTooLarge(limits.plan);
	const checked = await checkUpload(file.bytes);
	const uploadedBy = actor.kind === 'user' ? actor.userId : null;
	return storeCheckedAsset({ db, blobs }, { canvasId: access.canvas.id, teamId, uploadedBy, fileName: cleanFileName(file.fileName) }, checked);
}

/**
 * Stores a checked image as an asset of `target.canvasId`, within the team's storage quota
 * (LIMIT_EXCEEDED, checked under the team's limit lock so concurrent writers cannot both pass). The
 * bytes are stored once per content. Uploads and the image worker's pictures both come here.
 */
export async function storeCheckedAsset(
	services: Pick<Services, 'db' | 'blobs'>,
	target: { canvasId: string; teamId: string; uploadedBy: string | null; fileName: string | null },
	checked: CheckedFile
): Promise<UploadedAsset> {
	const { db, blobs } = services;
	const { teamId } = target;
	const bytes = checked.bytes.byteLength;
	const sha256 = createHash('sha256').update(checked.bytes).digest('hex');

	// A first look without the lock refuses most over-quota uploads before their bytes are stored.
	await assertStorageLeft(db, teamId, bytes);
	const [known] = await db.select({ sha256: assetBlobs.sha256 }).from(assetBlobs).where(eq(assetBlobs.sha256, sha256));
	// Stored before its row commits (a row never points at missing bytes); an upload refused below
	// leaves bytes without a row, which the sweeper collects.
	if (!known) await blobs.put(blobKey(sha256), checked.bytes, checked.mimeType);

	const id = await db.transaction(async (tx) => {
		await billing.lockTeamLimits(tx, teamId);
		await assertStorageLeft(tx, teamId, bytes);
		const created = await tx
			.insert(assetBlobs)
			.values({ sha256, storageKey: blobKey(sha256), mimeType: checked.mimeType, bytes })
			.onConflictDoNothing()
			.returning({ sha256: assetBlobs.sha256 });
		// The row was there when we looked but had been collected since: its bytes may be gone too.
		if (known && created.length > 0) await blobs.put(blobKey(sha256), checked.bytes, checked.mimeType);
		const [row] = await tx
			.insert(assets)
			.values({
				canvasId: target.canvasId,
				sha256,
				mimeType: checked.mimeType,
				bytes,
				width: checked.width ?? null,
				height: checked.height ?? null,
				fileName: target.fileName,
				uploadedBy: target.uploadedBy
			})
			.returning({ id: assets.id });
		return row.id;
	});
	return {
		id,
		src: assetSrc(id),
		mimeType: checked.mimeType,
		bytes,
		...(checked.width ? { width: checked.width } : {}),
		...(checked.height ? { height: checked.height } : {})
	};
}

/** Bytes a team's assets take: the sum over its canvases' asset rows (a blob shared by two rows counts twice). */
export async function teamStorageUsed(db: Queryable, teamId: string): Promise<number> {
	if (!isUuid(teamId)) return 0;
	const [row] = await db
		.select({ used: sql<number>`coalesce(sum(${assets.bytes}), 0)`.mapWith(Number) })
		.from(assets)
		.innerJoin(canvases, eq(canvases.id, assets.canvasId))
		.where(eq(canvases.teamId, teamId));
	return row?.used ?? 0;
}

export interface OpenedAsset {
	id: string;
	mimeType: string;
	bytes: number;
	sha256: string;
	/** The name it was uploaded with (for downloads), if any. */
	fileName: string | null;
	/** Whether only a visible publication admits this reader (so the answer may be cached publicly, briefly). */
	publicOnly: boolean;
	/** The bytes; NOT_FOUND if the store has lost them. */
	body(): Promise<ReadableStream<Uint8Array>>;
}

/**
 * An asset for `actor` to read: admitted by its canvas (members of any role, API keys that may view
 * canvases, a valid share link of that canvas, as resolveCanvasAccess decides) or, failing that, by a
 * visible publication that lists it. Everyone else, and ids that are not assets, get NOT_FOUND;
 * a revoked or expired link presented for the canvas is GONE, as it is for the canvas itself.
 */
export async function openAsset(services: Services, actor: Actor, assetId: string, options: { shareToken?: string } = {}): Promise<OpenedAsset> {
	const { db, blobs, logger } = services;
	if (typeof assetId !== 'string' || !isUuid(assetId)) throw assetNotFound();
	const [asset] = await db
		.select({
			id: assets.id,
			canvasId: assets.canvasId,
			sha256: assets.sha256,
			mimeType: assets.mimeType,
			bytes: assets.bytes,
			fileName: assets.fileName,
			storageKey: assetBlobs.storageKey
		})
		.from(assets)
		.innerJoin(assetBlobs, eq(assetBlobs.sha256, assets.sha256))
		.where(eq(assets.id, assetId));
	if (!asset) throw assetNotFound();

	let refusal: AppError | null = null;
	let admitted = false;
	try {
		const access = await resolveCanvasAccess(db, actor, asset.canvasId, options.shareToken);
		admitted = access.link !== null || permits(access.standing, 'canvas.view');
	} catch (error) {
		if (!(error instanceof AppError)) throw error;
		// What the link's holder should hear about their link; anything else reveals nothing.
		if (options.shareToken && (error.code === 'GONE' || error.code === 'UNAUTHENTICATED')) refusal = error;
	}
	const publicOnly = !admitted && (await isPublished(db, asset.id));
	if (!admitted && !publicOnly) throw refusal ?? assetNotFound();
	return {
		id: asset.id,
		mimeType: asset.mimeType,
		bytes: asset.bytes,
		sha256: asset.sha256,
		fileName: asset.fileName,
		publicOnly,
		async body() {
			const blob = await blobs.get(asset.storageKey);
			if (!blob) {
				logger.error({ assetId: asset.id, storageKey: asset.storageKey }, 'asset bytes missing from the blob store');
				throw assetNotFound();
			}
			return blob.body;
		}
	};
}

async function isPublished(db: Queryable, assetId: string): Promise<boolean> {
	const [row] = await db
		.select({ id: publications.id })
		.from(publicationAssets)
		.innerJoin(publications, eq(publications.id, publicationAssets.publicationId))
		.where(and(eq(publicationAssets.assetId, assetId), eq(publications.moderation, 'visible')))
		.limit(1);
	return row !== undefined;
}

async function editableCanvas(db: Queryable, actor: Actor, canvasId: string, options: UploadOptions): Promise<CanvasAccess> {
	if (actor.kind === 'anonymous' && !options.shareToken) throw new AppError('UNAUTHENTICATED', 'Sign in, or send the share link token in Easel-Share-Token.');
	if (typeof canvasId !== 'string') throw new AppError('NOT_FOUND', 'Canvas was not found.');
	const access = await resolveCanvasAccess(db, actor, canvasId, options.shareToken);
	await requireEditable(db, access);
	return access;
}

async function assertStorageLeft(db: Queryable, teamId: string, bytes: number): Promise<void> {
	const { limits } = await billing.teamPlan(db, teamId);
	const allowed = limits.storage.teamBytes;
	const used = await teamStorageUsed(db, teamId);
	if (used + bytes <= allowed) return;
	const next = upgradeFor(limits.plan);
	const upgrade =
		next && next.storage.teamBytes > allowed
			? ` Upgrade to ${next.name} for ${formatBytes(next.storage.teamBytes)}, or delete images you no longer need.`
			: ' Delete images you no longer need to make room.';
	throw new AppError(
		'LIMIT_EXCEEDED',
		`This team's images take ${formatBytes(used)} of the ${PLANS[limits.plan].name} plan's ${formatBytes(allowed)}, and this file needs ${formatBytes(bytes)}.${upgrade}`,
		{ limit: 'storage', allowed, used, plan: limits.plan }
	);
}

/** The name without folders or control characters, at most 200 characters; null when nothing is left. */
function cleanFileName(name: unknown): string | null {
	if (typeof name !== 'string') return null;
	const base = name.toWellFormed().split(/[/\\]/).pop() ?? '';
	// eslint-disable-next-line no-control-regex -- reason: control characters are exactly what is removed
	const cleaned = base.replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, '').trim();
	return cleaned ? [...cleaned].slice(0, MAX_FILE_NAME_LENGTH).join('') : null;
}

function assetNotFound(): AppError {
	return new AppError('NOT_FOUND', 'Asset was not found.');
}
