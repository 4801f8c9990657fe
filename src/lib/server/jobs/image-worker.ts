// An image worker: takes image jobs from the queue (pg-boss; several workers on several machines
// share it, each job runs once), calls the image provider, stores the pictures, charges the team
// and shows the result on the canvas. A job superseded or cancelled before it starts is skipped; a
// worker that dies mid-job loses nothing (pg-boss retries the job once its heartbeat stops, and the
// reservation is charged once whoever finishes); stopping finishes running jobs or hands them back.
import { hostname } from 'node:os';
import { and, eq, inArray } from 'drizzle-orm';
import type { Job } from 'pg-boss';
import type { Database } from '../db/index.ts';
import { imageJobs, imageWorkers } from '../db/schema.ts';
import type { BlobStore } from '../assets/blob-store.ts';
import { readBlob } from '../assets/blob-store.ts';
import { checkUpload } from '../assets/file-types.ts';
import { storeCheckedAsset } from '../assets/assets.ts';
import { AppError } from '../errors.ts';
import type { CollaborationControl } from '../collaboration-control.ts';
import type { Logger } from '../logger.ts';
import * as credits from '../credits.ts';
import { IMAGE_CREDITS } from '../plans.ts';
import type { ResultFrameJob } from '../../live-sketch.ts';
import { ImageProviderError, type ImageProvider, type GeneratedImage } from './image-provider.ts';
import { IMAGE_DEAD_LETTER_QUEUE, IMAGE_QUEUE, IMAGE_RETRY_LIMIT, type ImageJobData, type JobQueue } from './job-queue.ts';
import { guestResultKey, type ImageJobRow, type ImageJobs } from './image-jobs.ts';
import { placeImageResults, type PlacedImage } from './live-sketch-canvas.ts';
import { imageMetrics } from './image-metrics.ts';

/** How often a worker says it is alive (image_workers) and checks its provider. */
const HEARTBEAT_MS = 5_000;
const PROVIDER_CHECK_MS = 15_000;
/** Progress is written to the job and its canvas at most this often. */
const PROGRESS_WRITE_MS = 250;

export interface ImageWorkerOptions {
	db: Database;
	blobs: BlobStore;
	collaboration: CollaborationControl;
	queue: JobQueue;
	jobs: ImageJobs;
	provider: ImageProvider;
	logger: Logger;
	concurrency: number;
}

/** Why a job stopped early on this worker. */
class WorkerStopping extends Error {}

export class ImageWorker {
	readonly id = `${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
	private readonly options: ImageWorkerOptions;
	private readonly running = new Map<string, AbortController>();
	private workIds: string[] = [];
	private timers: NodeJS.Timeout[] = [];
	private providerState: { reachable: boolean; error: string | null } = { reachable: false, error: 'not checked yet' };
	private stopping = false;

	constructor(options: ImageWorkerOptions) {
		this.options = options;
	}

	/** The provider as last checked, and the jobs running now (the worker's /readyz and heartbeat). */
	health(): { providerReachable: boolean; providerError: string | null; currentJobs: string[] } {
		return { providerReachable: this.providerState.reachable, providerError: this.providerState.error, currentJobs: [...this.running.keys()] };
	}

	async start(): Promise<void> {
		const { queue, concurrency } = this.options;
		await this.checkProvider();
		await this.heartbeat();
		this.workIds.push(
			// `concurrency` loops, each taking one job at a time. A loop that finishes a job fetches again
			// at once (see `wake`); idle, it polls every half second or wakes on NOTIFY (PostgreSQL).
			await queue.boss.work<ImageJobData>(
				IMAGE_QUEUE,
				{ localConcurrency: concurrency, batchSize: 1, pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 0.5 },
				async ([job]) => {
					try {
						await this.run(job);
					} finally {
						this.wake();
					}
				}
			),
			await queue.boss.work<ImageJobData>(IMAGE_DEAD_LETTER_QUEUE, { pollingIntervalSeconds: 2 }, async (jobs) => {
				for (const job of jobs) await this.gaveUp(job.data.imageJobId);
			})
		);
		this.timers.push(
			setInterval(() => void this.heartbeat(), HEARTBEAT_MS),
			setInterval(() => void this.checkProvider(), PROVIDER_CHECK_MS)
		);
		for (const timer of this.timers) timer.unref();
		this.options.logger.info({ worker: this.id, provider: this.options.provider.description, concurrency }, 'image worker started');
	}

	/**
	 * Makes this worker's loops fetch now instead of at their next poll: after a job (pg-boss would
	 * otherwise wait out the interval before the next one, even with a backlog) and when this process
	 * just queued one.
	 */
	wake(): void {
		const { boss } = this.options.queue;
		for (const loop of boss.getWipData()) if (loop.name === IMAGE_QUEUE) boss.notifyWorker(loop.id);
	}

	/**
	 * Stops taking jobs, lets running ones finish for up to `graceMs`, then aborts the rest: they fail
	 * on this worker and pg-boss hands them to another (their credits stay reserved for it).
	 */
	async stop(graceMs: number): Promise<void> {
		if (this.stopping) return;
		this.stopping = true;
		this.timers.forEach(clearInterval);
		const { boss } = this.options.queue;
		await Promise.all(this.workIds.map((id) => boss.offWork(IMAGE_QUEUE, { id, wait: false }).catch(() => {})));
		const deadline = Date.now() + graceMs;
		while (this.running.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
		for (const controller of this.running.values()) controller.abort(new WorkerStopping('The image worker stopped; another one takes the job.'));
		while (this.running.size > 0 && Date.now() < deadline + 5_000) await new Promise((resolve) => setTimeout(resolve, 50));
		await this.options.db
			.delete(imageWorkers)
			.where(eq(imageWorkers.id, this.id))
			.catch(() => {});
	}

	private async heartbeat(): Promise<void> {
		const health = this.health();
		const values = {
			id: this.id,
			host: hostname(),
			pid: process.pid,
			concurrency: this.options.concurrency,
			provider: this.options.provider.name,
			currentJobs: health.currentJobs,
			providerReachable: health.providerReachable,
			providerError: health.providerError,
			heartbeatAt: new Date()
		};
		await this.options.db
			.insert(imageWorkers)
			.values(values)
			.onConflictDoUpdate({ target: imageWorkers.id, set: values })
			.catch((error) => this.options.logger.warn({ err: error }, 'image worker heartbeat failed'));
	}

	private async checkProvider(): Promise<void> {
		try {
			await this.options.provider.ping(AbortSignal.timeout(5_000));
			if (!this.providerState.reachable) this.options.logger.info({ provider: this.options.provider.description }, 'image provider reachable');
			this.providerState = { reachable: true, error: null };
		} catch (error) {
			const reason = error instanceof Error ? error.message : String(error);
			if (this.providerState.reachable || this.providerState.error !== reason)
				this.options.logger.warn({ provider: this.options.provider.description, reason }, 'image provider unreachable');
			this.providerState = { reachable: false, error: reason };
		}
	}

	/** One attempt at one job. Throwing hands it back to pg-boss for a retry. */
	private async run(job: Job<ImageJobData>): Promise<void> {
		const { db, jobs, logger } = this.options;
		const claimed = await this.claim(job.data.imageJobId);
		if (!claimed) return; // superseded or cancelled while it waited: nothing to do, nothing charged
		const controller = new AbortController();
		const onQueueAbort = () => controller.abort(job.signal.reason);
		job.signal.addEventListener('abort', onQueueAbort, { once: true });
		this.running.set(claimed.id, controller);
		const started = performance.now();
		let row = claimed;
		try {
			await jobs.show(row);
			const stored = await this.options.blobs.get(row.sketchKey);
			if (!stored) return void (await this.finishFailed(row, 'The sketch for this job is no longer stored. Draw again to make a new one.'));
			const sketch = await readBlob(stored);
			let lastWrite = 0;
			const images = await this.options.provider.generate({
				prompt: row.prompt,
				sketch,
				variations: row.variations,
				strength: row.strength / 100,
				signal: controller.signal,
				onProgress: (fraction) => {
					const now = Date.now();
					if (now - lastWrite < PROGRESS_WRITE_MS && fraction < 1) return;
					lastWrite = now;
					const progress = Math.round(Math.min(1, Math.max(0, fraction)) * 100);
					void db
						.update(imageJobs)
						.set({ progress })
						.where(and(eq(imageJobs.id, row.id), eq(imageJobs.state, 'generating')))
						.then(() => jobs.show({ ...row, progress }))
						.catch(() => {});
				}
			});
			row = (await this.stillGenerating(row.id)) ?? row;
			if (row.state !== 'generating') return; // cancelled while it ran: its credits went back then
			await this.finishDone(row, images);
			imageMetrics().generationSeconds.observe((performance.now() - started) / 1000);
		} catch (error) {
			const transient = !(error instanceof ImageProviderError) || error.transient;
			if (error instanceof ImageProviderError) imageMetrics().providerErrors.inc({ transient: String(error.transient) });
			const message = reasonOf(error);
			const retriesLeft = job.retryCount < IMAGE_RETRY_LIMIT;
			if (controller.signal.aborted && controller.signal.reason instanceof WorkerStopping) throw error; // handed back
			if (transient && retriesLeft && !controller.signal.aborted) {
				logger.warn({ imageJobId: row.id, attempt: job.retryCount + 1, reason: message }, 'image job failed; retrying');
				await db
					.update(imageJobs)
					.set({ error: `Retrying: ${message}` })
					.where(eq(imageJobs.id, row.id))
					.catch(() => {});
				await jobs.show({ ...row, error: `Retrying: ${message}` });
				throw error;
			}
			const current = await this.stillGenerating(row.id);
			if (current?.state === 'generating') await this.finishFailed(current, message);
		} finally {
			job.signal.removeEventListener('abort', onQueueAbort);
			this.running.delete(claimed.id);
		}
	}

	/** Takes the job for this attempt: queued (or generating on a worker that died); null when superseded or cancelled. */
	private async claim(imageJobId: string): Promise<ImageJobRow | null> {
		const [current] = await this.options.db.select().from(imageJobs).where(eq(imageJobs.id, imageJobId));
		if (!current || (current.state !== 'queued' && current.state !== 'generating')) return null;
		const [row] = await this.options.db
			.update(imageJobs)
			.set({ state: 'generating', startedAt: new Date(), attempts: current.attempts + 1, workerId: this.id, progress: null, provider: this.options.provider.name })
			.where(and(eq(imageJobs.id, imageJobId), inArray(imageJobs.state, ['queued', 'generating'])))
			.returning();
		return row ?? null;
	}

	private async stillGenerating(imageJobId: string): Promise<ImageJobRow | null> {
		const [row] = await this.options.db.select().from(imageJobs).where(eq(imageJobs.id, imageJobId));
		return row ?? null;
	}

	/** Stores the pictures, charges what was made (once, whichever attempt gets here), and shows them. */
	private async finishDone(row: ImageJobRow, images: GeneratedImage[]): Promise<void> {
		const { db, blobs, collaboration, logger } = this.options;
		const checked = [];
		for (const image of images.slice(0, row.variations)) checked.push(await checkUpload(image.bytes));
		if (checked.length === 0) return void (await this.finishFailed(row, 'The image service answered without a picture.'));
		const assetIds: string[] = [];
		let resultKeys: string[] = [];
		const placed: PlacedImage[] = [];
		if (row.teamId && row.canvasId) {
			try {
				for (const file of checked) {
					const asset = await storeCheckedAsset({ db, blobs }, { canvasId: row.canvasId, teamId: row.teamId, uploadedBy: row.userId, fileName: 'live-sketch.png' }, file);
					assetIds.push(asset.id);
					placed.push({ assetId: asset.id, mimeType: asset.mimeType, width: asset.width ?? 512, height: asset.height ?? 512, bytes: asset.bytes });
				}
			} catch (error) {
				if (error instanceof AppError && error.code === 'LIMIT_EXCEEDED') return void (await this.finishFailed(row, error.message));
				throw error;
			}
		} else {
			resultKeys = checked.map((_, index) => guestResultKey(row.id, index));
			await Promise.all(checked.map((file, index) => blobs.put(resultKeys[index], file.bytes, file.mimeType)));
		}
		const charge = checked.length * IMAGE_CREDITS;
		// An earlier attempt whose worker died after charging has settled the reservation: it says what was charged.
		const charged =
			row.teamId && row.reservationId
				? (await credits.commit(db, row.teamId, row.reservationId, charge))
					? charge
					: await credits.chargedFor(db, row.teamId, row.reservationId)
				: 0;
		const [done] = await db
			.update(imageJobs)
			.set({
				state: 'done',
				progress: 100,
				error: null,
				assetIds,
				resultKeys,
				finishedAt: new Date(),
				creditsCharged: charged
			})
			.where(and(eq(imageJobs.id, row.id), eq(imageJobs.state, 'generating')))
			.returning();
		if (!done) {
			// Cancelled at the last moment, after this attempt charged: the credits go back (once).
			if (charged > 0 && row.teamId) await credits.record(db, row.teamId, charged, 'adjustment', `image-cancelled:${row.id}`);
			return;
		}
		imageMetrics().finished.inc({ state: 'done' });
		await blobs.delete(row.sketchKey).catch(() => {});
		if (done.canvasId && done.frameId) {
			const job: ResultFrameJob = { id: done.id, state: 'done', progress: 1, error: null, variations: done.variations, updatedAt: Date.now() };
			await placeImageResults(collaboration, done.canvasId, done.frameId, job, placed, done.prompt).catch((error) =>
				logger.warn({ err: error, imageJobId: done.id }, 'placing images on the canvas failed; they stay in the asset store')
			);
		}
	}

	private async finishFailed(row: ImageJobRow, reason: string): Promise<void> {
		const [failed] = await this.options.db
			.update(imageJobs)
			.set({ state: 'failed', error: reason, progress: null, finishedAt: new Date() })
			.where(and(eq(imageJobs.id, row.id), inArray(imageJobs.state, ['queued', 'generating'])))
			.returning();
		if (!failed) return;
		imageMetrics().finished.inc({ state: 'failed' });
		await this.options.jobs.releaseCredits(failed);
		await this.options.jobs.show(failed);
		await this.options.blobs.delete(row.sketchKey).catch(() => {});
	}

	/** A job pg-boss gave up on (every attempt failed or its workers died): failed, uncharged. */
	private async gaveUp(imageJobId: string): Promise<void> {
		const [row] = await this.options.db.select().from(imageJobs).where(eq(imageJobs.id, imageJobId));
		if (!row || (row.state !== 'queued' && row.state !== 'generating')) return;
		const last = row.error?.replace(/^Retrying: /, '');
		await this.finishFailed(
			row,
			last ? `The image could not be made: ${last}` : 'The image worker stopped while making this image, and so did its retries. Nothing was charged.'
		);
	}
}

function reasonOf(error: unknown): string {
	if (error instanceof ImageProviderError || error instanceof AppError) return error.message;
	if (error instanceof Error && error.name === 'AbortError') return 'The image took too long and was stopped.';
	return error instanceof Error ? `The image service failed: ${error.message}` : 'The image service failed.';
}
