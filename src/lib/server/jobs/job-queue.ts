// The job queue: pg-boss in the database that is already there (PGlite through its adapter, or
// PostgreSQL through its own pool), never a polling table of our own. One queue for image jobs and
// its dead-letter queue, where a job lands when every attempt failed or expired (its worker died):
// whoever works that queue tells the job's story and gives its credits back.
import { sql } from 'drizzle-orm';
import { PgBoss, fromDrizzle, fromPglite, type DrizzleTransactionLike } from 'pg-boss';
import type { OpenDatabase, Transaction } from '../db/index.ts';
import type { Logger } from '../logger.ts';

export const IMAGE_QUEUE = 'image-generation';
export const IMAGE_DEAD_LETTER_QUEUE = 'image-generation-dead';

/** Attempts after the first for a job whose provider call failed in a way worth retrying, or whose worker died. */
export const IMAGE_RETRY_LIMIT = 2;
/** A worker proves it still holds a job this often (pg-boss's heartbeat); a silent job is retried elsewhere. */
export const IMAGE_HEARTBEAT_SECONDS = 10;
/** How long a job may wait before it is dropped (a sketch preview older than this is of no use). */
export const IMAGE_QUEUE_TIMEOUT_SECONDS = 60 * 60;

/** What an image job carries in the queue: only its id; the row in image_jobs holds the rest. */
export interface ImageJobData {
	imageJobId: string;
}

export class JobQueue {
	readonly boss: PgBoss;
	private readonly logger: Logger;

	private constructor(boss: PgBoss, logger: Logger) {
		this.boss = boss;
		this.logger = logger;
	}

	/**
	 * Starts pg-boss on the database (installing or migrating its schema, once across instances) and
	 * creates the image queues. `imageTimeoutSeconds` bounds one provider call: a job active longer is
	 * retried elsewhere.
	 */
	static async start(database: Pick<OpenDatabase, 'connection'>, options: { logger: Logger; imageTimeoutSeconds: number }): Promise<JobQueue> {
		const connection = database.connection;
		const common = {
			// Dead workers' jobs are noticed within seconds (heartbeats), not pg-boss's default minute.
			superviseIntervalSeconds: 5,
			monitorIntervalSeconds: 10,
			// The ready count that keeps busy workers fetching back to back (see image-worker.ts).
			queueCacheIntervalSeconds: 2,
			openTelemetry: { enabled: false }
		};
		const boss =
			connection.kind === 'pglite'
				? new PgBoss({ db: fromPglite(connection.pglite), backend: 'pglite', ...common })
				: new PgBoss({ connectionString: connection.url, max: 4, useListenNotify: true, application_name: 'easel-jobs', ...common });
		boss.on('error', (error) => options.logger.warn({ err: error }, 'job queue error'));
		await boss.start();
		const queue = new JobQueue(boss, options.logger);
		await queue.createQueues(options.imageTimeoutSeconds);
		return queue;
	}

	private async createQueues(imageTimeoutSeconds: number): Promise<void> {
		const existing = new Set((await this.boss.getQueues([IMAGE_QUEUE, IMAGE_DEAD_LETTER_QUEUE])).map((queue) => queue.name));
		if (!existing.has(IMAGE_DEAD_LETTER_QUEUE)) await this.boss.createQueue(IMAGE_DEAD_LETTER_QUEUE, { retryLimit: 5, retryDelay: 5, retryBackoff: true });
		const options = {
			retryLimit: IMAGE_RETRY_LIMIT,
			retryDelay: 2,
			retryBackoff: true,
			retryDelayMax: 30,
			expireInSeconds: imageTimeoutSeconds + 30,
			heartbeatSeconds: IMAGE_HEARTBEAT_SECONDS,
			retentionSeconds: IMAGE_QUEUE_TIMEOUT_SECONDS,
			deleteAfterSeconds: 24 * 60 * 60,
			deadLetter: IMAGE_DEAD_LETTER_QUEUE,
			notify: true
		};
		if (existing.has(IMAGE_QUEUE)) await this.boss.updateQueue(IMAGE_QUEUE, options);
		else await this.boss.createQueue(IMAGE_QUEUE, options);
	}

	/** Enqueues an image job inside the caller's transaction: the job exists exactly when the row does. */
	async sendImageJob(tx: Transaction, imageJobId: string, priority: number): Promise<void> {
		const data: ImageJobData = { imageJobId };
		await this.boss.send(IMAGE_QUEUE, data, { id: imageJobId, priority, db: inTransaction(tx) });
	}

	/** Drops queued image jobs (superseded or cancelled) inside the caller's transaction. */
	async cancelImageJobs(tx: Transaction, imageJobIds: string[]): Promise<void> {
		if (imageJobIds.length === 0) return;
		await this.boss.cancel(IMAGE_QUEUE, imageJobIds, { db: inTransaction(tx) });
	}

	/** Cancels one image job now (an active one: its worker's signal aborts at the next heartbeat). */
	async cancelImageJob(imageJobId: string): Promise<void> {
		await this.boss.cancel(IMAGE_QUEUE, imageJobId).catch((error) => this.logger.warn({ err: error, imageJobId }, 'cancelling a queued image job failed'));
	}

	async stop(options: { graceful: boolean; timeoutMs: number }): Promise<void> {
		await this.boss.stop({ graceful: options.graceful, timeout: options.timeoutMs, close: true });
	}
}

/** pg-boss's statements inside our transaction (both drivers' drizzle `execute` answer rows as pg-boss expects). */
function inTransaction(tx: Transaction) {
	return fromDrizzle(tx as unknown as DrizzleTransactionLike, sql);
}
