// Image jobs as people and the API see them: asking for pictures of a sketch (who may, what it
// costs, the plan's limits, superseding the frame's waiting job), following one (state, place in
// the queue, ETA, progress, the pictures) and cancelling one. The work itself is image-worker.ts.
//
// Credits: reserved at submit, charged per picture when the job finishes, released when it fails,
// is cancelled or superseded. Guests (the /sketch playground) pay nothing and are limited per
// network address instead.
import { createHash } from 'node:crypto';
import { and, asc, count, desc, eq, gt, gte, inArray, isNotNull, isNull, or, sql, sum } from 'drizzle-orm';
import type { Database, Transaction } from '../db/index.ts';
import { assets, imageJobs, imageWorkers } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { isUuid, requireCanvasPermission, type Actor } from '../access.ts';
import * as billing from '../billing.ts';
import * as credits from '../credits.ts';
import { GUEST_IMAGE_PRIORITY, IMAGE_CREDITS, upgradeFor } from '../plans.ts';
import type { BlobStore } from '../assets/blob-store.ts';
import { readBlob } from '../assets/blob-store.ts';
import { checkUpload } from '../assets/file-types.ts';
import type { CollaborationControl } from '../collaboration-control.ts';
import type { Logger } from '../logger.ts';
import { formatBytes } from '../../format-bytes.ts';
import { assetSrc } from '../../asset-urls.ts';
import {
	FINISHED_IMAGE_JOB_STATES,
	GUEST_IMAGES_PER_DAY,
	IMAGES_NOT_CONFIGURED_MESSAGE,
	MAX_SKETCH_BYTES,
	imageRequestSchema,
	type ImageJobState,
	type ImageJobView,
	type ResultFrameJob
} from '../../live-sketch.ts';
import { parseInput } from '../errors.ts';
import { IMAGE_QUEUE_TIMEOUT_SECONDS, type JobQueue } from './job-queue.ts';
import { showImageJob } from './live-sketch-canvas.ts';
import { imageMetrics } from './image-metrics.ts';

/** A worker that has not reported for this long is taken for gone. */
export const WORKER_SILENCE_MS = 20_000;
/** A reservation outlives the longest wait in the queue plus every attempt: the worker charges against it. */
const RESERVATION_TTL_MS = (IMAGE_QUEUE_TIMEOUT_SECONDS + 30 * 60) * 1000;

export type ImageJobRow = typeof imageJobs.$inferSelect;

export interface ImageJobsDeps {
	db: Database;
	blobs: BlobStore;
	collaboration: CollaborationControl;
	queue: JobQueue;
	logger: Logger;
	/** Whether an image provider is configured (IMAGE_PROVIDER). */
	configured: boolean;
	/** Wakes this process's worker, if it has one, so a fresh job starts without waiting for a poll. */
	wakeWorker?: () => void;
}

/** The blob key of a job's sketch. */
export function sketchKey(jobId: string): string {
	return `sketches/${jobId}.png`;
}

/** The blob key of a guest job's picture (a team's become assets of its canvas). */
export function guestResultKey(jobId: string, index: number): string {
	return `imageresults/${jobId}-${index}`;
}

/** A guest's network address as stored: hashed, so the table holds no addresses. */
export function hashedAddress(address: string): string {
	return createHash('sha256').update(`easel-guest-address:${address}`).digest('hex');
}

/** A guest's cookie id as stored. */
export function hashedGuest(guestId: string): string {
	return createHash('sha256').update(`easel-guest:${guestId}`).digest('hex');
}

export class ImageJobs {
	private readonly deps: ImageJobsDeps;

	constructor(deps: ImageJobsDeps) {
		this.deps = deps;
	}

	get configured(): boolean {
		return this.deps.configured;
	}

	/** Whether images can be made here, and how busy it is (the sketch controls show it). */
	async service(): Promise<{ configured: boolean; workers: number; queued: number }> {
		const [workers, [{ queued }]] = await Promise.all([
			liveWorkers(this.deps.db),
			this.deps.db.select({ queued: count() }).from(imageJobs).where(eq(imageJobs.state, 'queued'))
		]);
		return { configured: this.deps.configured, workers: workers.count, queued };
	}

	/**
	 * Asks for pictures of a sketch on canvas `canvasId`: editors (and keys with images:write), within
	 * the plan's image limits and the team's credits. A newer sketch of the same frame supersedes the
	 * frame's waiting job (dropped, its credits back). Answers the job, queued.
	 */
	async submit(actor: Actor, canvasId: string, input: unknown): Promise<ImageJobView> {
		const { db } = this.deps;
		const access = await requireCanvasPermission(db, actor, canvasId, 'image.generate');
		// A canvas over its plan is read-only: no pictures land on it either.
		if (access.readOnlyReason === 'plan_limit') throw await billing.canvasReadOnlyError(db, access.canvas.teamId);
		this.assertConfigured();
		const request = parseInput(imageRequestSchema, input);
		const teamId = access.canvas.teamId;
		const sketch = await this.sketchBytes(request.sketch, access.canvas.id);
		const plan = await billing.teamPlan(db, teamId);
		await assertWithinImageLimits(db, teamId, plan, request.variations);
		const reservationId = await credits.reserve(db, teamId, request.variations * IMAGE_CREDITS, { ttlMs: RESERVATION_TTL_MS });
		const id = crypto.randomUUID();
		return this.enqueue(
			{
				id,
				teamId,
				canvasId: access.canvas.id,
				frameId: request.frameId ?? null,
				userId: actor.kind === 'user' ? actor.userId : null,
				actorKind: actor.kind,
				actorRef: actor.kind === 'apiKey' ? actor.keyId : null,
				guestAddress: null,
				prompt: request.prompt,
				strength: Math.round(request.strength * 100),
				variations: request.variations,
				sketchKey: sketchKey(id),
				priority: plan.limits.images.priority,
				reservationId
			},
			sketch
		);
	}

	/**
	 * The /sketch playground: a guest (no account, known by a cookie) asks for pictures, at most
	 * GUEST_IMAGES_PER_DAY a day from one network address; their newer sketch supersedes their
	 * waiting one. Guests' jobs wait behind every team's.
	 */
	async submitGuest(guestId: string, clientAddress: string, input: unknown): Promise<ImageJobView> {
		this.assertConfigured();
		const request = parseInput(imageRequestSchema, input);
		const { db } = this.deps;
		const address = hashedAddress(clientAddress);
		const guest = hashedGuest(guestId);
		const since = new Date(Date.now() - 24 * 60 * 60 * 1000);
		const [{ made }] = await db
			.select({ made: sum(imageJobs.variations) })
			.from(imageJobs)
			.where(and(eq(imageJobs.guestAddress, address), gte(imageJobs.createdAt, since), inArray(imageJobs.state, ['queued', 'generating', 'done'])));
		// The guest's own waiting job is about to be superseded: it does not count against the next.
		const [{ waiting }] = await db
			.select({ waiting: sum(imageJobs.variations) })
			.from(imageJobs)
			.where(and(isNull(imageJobs.canvasId), eq(imageJobs.frameId, guestFrame(guest)), eq(imageJobs.state, 'queued')));
		if (Number(made ?? 0) - Number(waiting ?? 0) + request.variations > GUEST_IMAGES_PER_DAY) {
			throw new AppError(
				'RATE_LIMITED',
				`You have made ${GUEST_IMAGES_PER_DAY} images today, the most the playground allows. Sign up free to keep sketching on your own canvases.`,
				{ limit: 'guestImages', allowed: GUEST_IMAGES_PER_DAY }
			);
		}
		const sketch = await this.sketchBytes(request.sketch, null);
		const id = crypto.randomUUID();
		return this.enqueue(
			{
				id,
				teamId: null,
				canvasId: null,
				frameId: guestFrame(guest),
				userId: null,
				actorKind: 'guest',
				actorRef: guest,
				guestAddress: address,
				prompt: request.prompt,
				strength: Math.round(request.strength * 100),
				variations: request.variations,
				sketchKey: sketchKey(id),
				priority: GUEST_IMAGE_PRIORITY,
				reservationId: null
			},
			sketch
		);
	}

	/** One job as its canvas's readers (or the guest who asked) see it; NOT_FOUND for anyone else. */
	async get(actor: Actor, jobId: string, guestId?: string): Promise<ImageJobView> {
		const row = await this.visibleRow(actor, jobId, guestId, 'canvas.view');
		return this.view(row);
	}

	/** Cancels a job that has not finished (its credits go back); CONFLICT once it has. */
	async cancel(actor: Actor, jobId: string, guestId?: string): Promise<ImageJobView> {
		const row = await this.visibleRow(actor, jobId, guestId, 'image.generate');
		const [cancelled] = await this.deps.db
			.update(imageJobs)
			.set({ state: 'cancelled', finishedAt: new Date(), progress: null })
			.where(and(eq(imageJobs.id, row.id), inArray(imageJobs.state, ['queued', 'generating'])))
			.returning();
		if (!cancelled) throw new AppError('CONFLICT', `This image job is already ${row.state}.`, { state: row.state });
		imageMetrics().finished.inc({ state: 'cancelled' });
		await this.deps.queue.cancelImageJob(row.id);
		await this.releaseCredits(cancelled);
		await this.show(cancelled);
		return this.view(cancelled);
	}

	/** A guest job's picture, for the guest who asked (or the canvas's readers for a canvas job, which are assets anyway). */
	async guestImage(jobId: string, index: number, guestId: string | undefined): Promise<{ bytes: Uint8Array; mimeType: string }> {
		const row = await this.visibleRow({ kind: 'anonymous' }, jobId, guestId, 'canvas.view');
		const key = row.resultKeys[index];
		if (!key) throw new AppError('NOT_FOUND', 'This job has no such image.');
		const blob = await this.deps.blobs.get(key);
		if (!blob) throw new AppError('NOT_FOUND', 'This image is no longer stored.');
		const bytes = await readBlob(blob);
		return { bytes, mimeType: pictureType(bytes) };
	}

	/** The job as GET /api/v1/image-jobs/:id answers it: with its place in the queue and an ETA while it waits. */
	async view(row: ImageJobRow): Promise<ImageJobView> {
		const { db } = this.deps;
		const workers = await liveWorkers(db);
		let position: number | null = null;
		if (row.state === 'queued') {
			const [{ ahead }] = await db
				.select({ ahead: count() })
				.from(imageJobs)
				.where(
					and(
						eq(imageJobs.state, 'queued'),
						or(gt(imageJobs.priority, row.priority), and(eq(imageJobs.priority, row.priority), sql`${imageJobs.createdAt} < ${row.createdAt.toISOString()}`))
					)
				);
			position = ahead;
		}
		const etaSeconds = FINISHED_IMAGE_JOB_STATES.has(row.state) ? null : await this.eta(row, position, workers.capacity);
		const imageUrls = row.teamId ? row.assetIds.map(assetSrc) : row.resultKeys.map((_, index) => `/api/v1/image-jobs/${row.id}/images/${index}`);
		return {
			id: row.id,
			state: row.state,
			prompt: row.prompt,
			variations: row.variations,
			position,
			etaSeconds,
			progress: row.progress === null ? null : row.progress / 100,
			workers: workers.count,
			assetId: row.assetIds[0] ?? null,
			assetIds: row.assetIds,
			imageUrls,
			error: row.error,
			creditsCharged: row.creditsCharged,
			canvasId: row.canvasId,
			frameId: row.teamId ? row.frameId : null,
			createdAt: row.createdAt.toISOString(),
			startedAt: row.startedAt?.toISOString() ?? null,
			finishedAt: row.finishedAt?.toISOString() ?? null
		};
	}

	/** Seconds until done, from how long recent jobs took; null with nothing to go by or no worker. */
	private async eta(row: ImageJobRow, position: number | null, capacity: number): Promise<number | null> {
		if (capacity === 0) return null;
		const recent = await this.deps.db
			.select({ seconds: sql<number>`extract(epoch from (${imageJobs.finishedAt} - ${imageJobs.startedAt}))` })
			.from(imageJobs)
			.where(and(eq(imageJobs.state, 'done'), isNotNull(imageJobs.startedAt)))
			.orderBy(desc(imageJobs.finishedAt))
			.limit(20);
		if (recent.length === 0) return null;
		const typical = recent.reduce((total, job) => total + Number(job.seconds), 0) / recent.length;
		if (row.state === 'generating') {
			const elapsed = row.startedAt ? (Date.now() - row.startedAt.getTime()) / 1000 : 0;
			return Math.max(1, Math.round(typical - elapsed));
		}
		return Math.max(1, Math.round(typical * (Math.floor((position ?? 0) / capacity) + 1)));
	}

	/** Shows a job on its result frame (when it has one); a failure to write is logged, never the caller's. */
	async show(row: ImageJobRow, extra: Partial<ResultFrameJob> = {}): Promise<void> {
		if (!row.canvasId || !row.frameId || !row.teamId) return;
		const job: ResultFrameJob = {
			id: row.id,
			state: row.state,
			progress: row.progress === null ? null : row.progress / 100,
			error: row.error,
			variations: row.variations,
			updatedAt: Date.now(),
			...extra
		};
		try {
			await showImageJob(this.deps.collaboration, row.canvasId, row.frameId, job);
		} catch (error) {
			this.deps.logger.warn({ err: error, imageJobId: row.id }, 'showing an image job on its canvas failed');
		}
	}

	/** Gives a job's reserved credits back (failed, cancelled, superseded): a no-op once settled. */
	async releaseCredits(row: Pick<ImageJobRow, 'id' | 'teamId' | 'reservationId'>): Promise<void> {
		if (!row.teamId || !row.reservationId) return;
		try {
			await credits.release(this.deps.db, row.teamId, row.reservationId);
		} catch (error) {
			this.deps.logger.warn({ err: error, imageJobId: row.id }, 'releasing an image job’s credits failed; the reservation expires on its own');
		}
	}

	/**
	 * Drops jobs that waited longer than the queue keeps them (no worker came): failed with the
	 * reason, credits back. Run by every instance's maintenance; safe to race.
	 */
	async failStale(now = new Date()): Promise<number> {
		const cutoff = new Date(now.getTime() - IMAGE_QUEUE_TIMEOUT_SECONDS * 1000);
		const stale = await this.deps.db
			.update(imageJobs)
			.set({ state: 'failed', error: 'No image worker took this job within an hour, so it was dropped. Nothing was charged.', finishedAt: now })
			.where(and(eq(imageJobs.state, 'queued'), sql`${imageJobs.createdAt} < ${cutoff.toISOString()}`))
			.returning();
		for (const row of stale) {
			imageMetrics().finished.inc({ state: 'failed' });
			await this.deps.queue.cancelImageJob(row.id);
			await this.releaseCredits(row);
			await this.show(row);
			await this.deps.blobs.delete(row.sketchKey).catch(() => {});
		}
		return stale.length;
	}

	private assertConfigured(): void {
		if (!this.deps.configured) throw new AppError('UNAVAILABLE', IMAGES_NOT_CONFIGURED_MESSAGE, { reason: 'imagesNotConfigured' });
	}

	/** The sketch's bytes: a PNG, JPEG or WebP sent as base64, or an image asset of the canvas. */
	private async sketchBytes(sketch: string | { assetId: string }, canvasId: string | null): Promise<{ bytes: Uint8Array; mimeType: string }> {
		let bytes: Uint8Array;
		if (typeof sketch === 'string') {
			const base64 = sketch.replace(/^data:[\w/+.-]+;base64,/, '');
			if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 === 1) throw new AppError('INVALID_INPUT', 'sketch: send the PNG as base64.', { field: 'sketch' });
			if ((base64.length * 3) / 4 > MAX_SKETCH_BYTES + 3) throw sketchTooLarge((base64.length * 3) / 4);
			bytes = new Uint8Array(Buffer.from(base64, 'base64'));
		} else {
			if (!canvasId) throw new AppError('INVALID_INPUT', 'sketch: send the PNG as base64 (the playground has no assets).', { field: 'sketch' });
			const [asset] = await this.deps.db
				.select({ sha256: assets.sha256 })
				.from(assets)
				.where(and(eq(assets.id, sketch.assetId), eq(assets.canvasId, canvasId)));
			const blob = asset ? await this.deps.blobs.get(`blobs/${asset.sha256}`) : null;
			if (!blob) throw new AppError('NOT_FOUND', 'sketch: this canvas has no such image.', { field: 'sketch.assetId' });
			bytes = await readBlob(blob);
		}
		if (bytes.byteLength === 0) throw new AppError('INVALID_INPUT', 'sketch: the image is empty.', { field: 'sketch' });
		if (bytes.byteLength > MAX_SKETCH_BYTES) throw sketchTooLarge(bytes.byteLength);
		const checked = await checkUpload(bytes);
		if (!['image/png', 'image/jpeg', 'image/webp'].includes(checked.mimeType)) {
			throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'sketch: send a PNG, JPEG or WebP picture.', { field: 'sketch' });
		}
		return { bytes: checked.bytes, mimeType: checked.mimeType };
	}

	/** Stores the sketch, then in one transaction supersedes the frame's waiting job, writes the row and enqueues it. */
	private async enqueue(
		values: typeof imageJobs.$inferInsert & { id: string; sketchKey: string },
		sketch: { bytes: Uint8Array; mimeType: string }
	): Promise<ImageJobView> {
		const { db, blobs, queue } = this.deps;
		let superseded: ImageJobRow[] = [];
		let row: ImageJobRow;
		try {
			await blobs.put(values.sketchKey, sketch.bytes, sketch.mimeType);
			row = await db.transaction(async (tx) => {
				if (values.frameId) superseded = await supersedeWaiting(tx, values.canvasId ?? null, values.frameId);
				await queue.cancelImageJobs(
					tx,
					superseded.map((job) => job.id)
				);
				const [inserted] = await tx.insert(imageJobs).values(values).returning();
				await queue.sendImageJob(tx, inserted.id, inserted.priority);
				return inserted;
			});
		} catch (error) {
			if (values.teamId && values.reservationId) await credits.release(db, values.teamId, values.reservationId).catch(() => {});
			await blobs.delete(values.sketchKey).catch(() => {});
			throw error;
		}
		imageMetrics().submitted.inc();
		this.deps.wakeWorker?.();
		for (const old of superseded) {
			imageMetrics().finished.inc({ state: 'superseded' });
			await this.releaseCredits(old);
			await blobs.delete(old.sketchKey).catch(() => {});
		}
		await this.show(row);
		return this.view(row);
	}

	/** The job's row when `actor` may see it (canvas jobs: `action` on the canvas; guest jobs: the guest who asked). */
	private async visibleRow(actor: Actor, jobId: string, guestId: string | undefined, action: 'canvas.view' | 'image.generate'): Promise<ImageJobRow> {
		const missing = () => new AppError('NOT_FOUND', 'This image job was not found.');
		if (!isUuid(jobId)) throw missing();
		const [row] = await this.deps.db.select().from(imageJobs).where(eq(imageJobs.id, jobId));
		if (!row) throw missing();
		if (row.canvasId) {
			if (actor.kind === 'anonymous') throw missing();
			try {
				await requireCanvasPermission(this.deps.db, actor, row.canvasId, action);
			} catch (error) {
				if (error instanceof AppError && error.code === 'NOT_FOUND') throw missing();
				throw error;
			}
			return row;
		}
		if (!guestId || row.actorRef !== hashedGuest(guestId)) throw missing();
		return row;
	}
}

/** A generated picture's type from its first bytes (providers answer PNG, JPEG or WebP). */
function pictureType(bytes: Uint8Array): string {
	if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
	if (String.fromCharCode(...bytes.subarray(8, 12)) === 'WEBP') return 'image/webp';
	return 'image/png';
}

/** The guest's one "frame": a guest's newer sketch supersedes their waiting one. */
function guestFrame(hashedGuestId: string): string {
	return `guest:${hashedGuestId.slice(0, 32)}`;
}

function sketchTooLarge(bytes: number): AppError {
	return new AppError('PAYLOAD_TOO_LARGE', `sketch: a sketch may be at most ${formatBytes(MAX_SKETCH_BYTES)}; this one is ${formatBytes(bytes)}.`, {
		field: 'sketch',
		limit: 'sketchBytes',
		allowed: MAX_SKETCH_BYTES
	});
}

/**
 * Marks the frame's waiting job superseded, under a lock on the frame so two sketches sent at once
 * cannot both find none waiting; the caller cancels it in the queue in the same transaction.
 */
async function supersedeWaiting(tx: Transaction, canvasId: string | null, frameId: string): Promise<ImageJobRow[]> {
	await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`image-frame:${canvasId ?? 'guest'}:${frameId}`}, 0))`);
	return tx
		.update(imageJobs)
		.set({ state: 'superseded', finishedAt: new Date() })
		.where(and(canvasId ? eq(imageJobs.canvasId, canvasId) : isNull(imageJobs.canvasId), eq(imageJobs.frameId, frameId), eq(imageJobs.state, 'queued')))
		.returning();
}

/** LIMIT_EXCEEDED when `adding` more images would pass the plan's images this month or today. */
async function assertWithinImageLimits(db: Database, teamId: string, plan: billing.TeamPlan, adding: number): Promise<void> {
	const { perMonth, perDay } = plan.limits.images;
	const now = new Date();
	const counted = async (since: Date) => {
		const [{ made }] = await db
			.select({ made: sum(imageJobs.variations) })
			.from(imageJobs)
			.where(and(eq(imageJobs.teamId, teamId), gte(imageJobs.createdAt, since), inArray(imageJobs.state, ['queued', 'generating', 'done'])));
		return Number(made ?? 0);
	};
	const upgrade = upgradeFor(plan.plan);
	if (perMonth !== null) {
		const made = await counted(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)));
		if (made + adding > perMonth) {
			throw new AppError(
				'LIMIT_EXCEEDED',
				`The ${plan.limits.plan === 'free' ? 'Free' : plan.limits.plan} plan makes ${perMonth} images a month and this team has made ${made}.${upgrade ? ` Upgrade to ${upgrade.name} for more.` : ''}`,
				{ limit: 'imagesPerMonth', allowed: perMonth, used: made }
			);
		}
	}
	if (perDay !== null) {
		const made = await counted(new Date(now.getTime() - 24 * 60 * 60 * 1000));
		if (made + adding > perDay) {
			throw new AppError('LIMIT_EXCEEDED', `Fair use allows ${perDay} images a day and this team has made ${made} in the last 24 hours. Try again later.`, {
				limit: 'imagesPerDay',
				allowed: perDay,
				used: made
			});
		}
	}
}

/** Workers that reported lately, and how many jobs they run at once together. */
export async function liveWorkers(db: Database, now = new Date()): Promise<{ count: number; capacity: number }> {
	const since = new Date(now.getTime() - WORKER_SILENCE_MS);
	const [row] = await db
		.select({ count: count(), capacity: sum(imageWorkers.concurrency) })
		.from(imageWorkers)
		.where(gte(imageWorkers.heartbeatAt, since));
	return { count: row?.count ?? 0, capacity: Number(row?.capacity ?? 0) };
}

/** Counts of jobs by state now (for /metrics): the waiting and running ones. */
export async function jobsByState(db: Database): Promise<Record<ImageJobState, number>> {
	const rows = await db
		.select({ state: imageJobs.state, n: count() })
		.from(imageJobs)
		.where(inArray(imageJobs.state, ['queued', 'generating']))
		.groupBy(imageJobs.state)
		.orderBy(asc(imageJobs.state));
	const counts = { queued: 0, generating: 0, done: 0, failed: 0, cancelled: 0, superseded: 0 } as Record<ImageJobState, number>;
	for (const row of rows) counts[row.state] = row.n;
	return counts;
}
