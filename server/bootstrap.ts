// Starts the process-wide services (database, collaboration server) once, for the production
// entry and for `npm run dev` alike, and registers them for the SvelteKit app.
import { fileURLToPath } from 'node:url';
import { type Config } from '../src/lib/server/config.ts';
import { openDatabase, type Database } from '../src/lib/server/db/index.ts';
import * as credits from '../src/lib/server/credits.ts';
import * as history from '../src/lib/server/history.ts';
import { createLogger, type Logger } from '../src/lib/server/logger.ts';
import { ActionThrottle, ApiRateLimits, LoginThrottle } from '../src/lib/server/rate-limits.ts';
import { services as runtimeServices, setRuntime } from '../src/lib/server/runtime.ts';
import { sweepAssets } from '../src/lib/server/assets/asset-sweeper.ts';
import { purgeTrash } from '../src/lib/server/trash/index.ts';
import { stripeSettings } from '../src/lib/server/stripe/client.ts';
import { AssistantRateLimits } from '../src/lib/server/ai/assistant-limits.ts';
import { AssistantRunner } from '../src/lib/server/ai/assistant-runner.ts';
import { setCanvasRenderer } from '../src/lib/server/rendering/canvas-renderer.ts';
import { ChromiumCanvasRenderer, renderOrigin } from '../src/lib/server/rendering/chromium-renderer.ts';
import { storedAssetLoader } from '../src/lib/server/rendering/stored-assets.ts';
import { runtime } from '../src/lib/server/runtime.ts';
import { stopPublicationViews } from '../src/lib/server/publication-views.ts';
import { blobStoreFor } from '../src/lib/server/assets/blob-store-for.ts';
import { JobQueue } from '../src/lib/server/jobs/job-queue.ts';
import { ImageJobs, jobsByState, liveWorkers } from '../src/lib/server/jobs/image-jobs.ts';
import { ImageWorker } from '../src/lib/server/jobs/image-worker.ts';
import { imageProviderFor } from '../src/lib/server/jobs/image-provider-for.ts';
import { reportImageQueue } from '../src/lib/server/jobs/image-metrics.ts';
import { createCollaborationServer, type CollaborationServer } from './collab/index.ts';
import { connectRedis, type RedisConnections } from './collab/scale-out.ts';
import { startSearchBackfill } from './collab/search-index.ts';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../drizzle', import.meta.url));

export interface Services {
	config: Config;
	logger: Logger;
	collaboration: CollaborationServer;
	/** The image worker of this process, when it runs one. */
	imageWorker: ImageWorker | null;
	/** Stores every document, closes sockets and the database. */
	stop(): Promise<void>;
}

/** How often expired versions are pruned. */
const PRUNE_INTERVAL_MS = 6 * 60 * 60 * 1000;
/** How often credit reservations past their expiry (their holders died) are released. */
const CREDIT_SWEEP_INTERVAL_MS = 60 * 1000;
/** How long a stopping process lets its running image jobs finish before handing them back. */
const WORKER_STOP_GRACE_MS = 10_000;
/** About how often unused assets are collected (each instance jitters it by ±10 %). */
const ASSET_SWEEP_INTERVAL_MS = 60 * 60 * 1000;
/** How often what has been in the trash for 30 days is deleted for good. */
const TRASH_PURGE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Periodic housekeeping: prune versions past their plan's retention (first run a minute after start),
 * release expired credit reservations and fail assistant runs whose instance died every minute,
 * purge the trash hourly (first run two minutes after start), collect unused assets about hourly
 * (jittered, so instances started together spread out). Every instance runs them all; all are safe to race.
 */
function startMaintenance(db: Database, logger: Logger, assistant: AssistantRunner, imageJobs: ImageJobs): () => void {
	const prune = () =>
		history
			.prune(db)
			.then((deleted) => deleted > 0 && logger.info({ deleted }, 'pruned expired versions'))
			.catch((error) => logger.warn({ err: error }, 'version pruning failed; will retry'));
	const sweepCredits = () =>
		credits
			.releaseExpired(db)
			.then((released) => released > 0 && logger.info({ released }, 'released expired credit reservations'))
			.catch((error) => logger.warn({ err: error }, 'releasing expired credit reservations failed; will retry'));
	const sweepRuns = () =>
		assistant
			.sweep()
			.then((failed) => failed > 0 && logger.info({ failed }, 'failed assistant runs whose instance stopped'))
			.catch((error) => logger.warn({ err: error }, 'sweeping assistant runs failed; will retry'));
	const dropStaleImageJobs = () =>
		Promise.all([imageJobs.failStale(), imageJobs.purgeGuestResults()])
			.then(([dropped, purged]) => (dropped > 0 || purged > 0) && logger.info({ dropped, purged }, 'dropped image jobs no worker took, deleted old playground pictures'))
			.catch((error) => logger.warn({ err: error }, 'image job housekeeping failed; will retry'));
	const collectAssets = () =>
		sweepAssets(runtimeServices())
			.then((collected) => (collected.assets || collected.blobs || collected.objects) && logger.info(collected, 'collected unused assets and stored files'))
			.catch((error) => logger.warn({ err: error }, 'collecting unused assets failed; will retry'));
	const purge = () =>
		purgeTrash(runtimeServices())
			.then((purged) => (purged.teams > 0 || purged.canvases > 0) && logger.info(purged, 'deleted for good what was in the trash for 30 days'))
			.catch((error) => logger.warn({ err: error }, 'purging the trash failed; will retry'));
	const timers = [
		setTimeout(prune, 60_000),
		setTimeout(purge, 120_000),
		setInterval(purge, TRASH_PURGE_INTERVAL_MS),
		setInterval(prune, PRUNE_INTERVAL_MS),
		setInterval(sweepCredits, CREDIT_SWEEP_INTERVAL_MS),
		setInterval(sweepRuns, CREDIT_SWEEP_INTERVAL_MS),
		setInterval(dropStaleImageJobs, CREDIT_SWEEP_INTERVAL_MS)
	];
	const jittered = (intervalMs: number) => intervalMs * (0.9 + Math.random() * 0.2);
	let stopped = false;
	let assetTimer: NodeJS.Timeout | undefined;
	const scheduleAssets = (delayMs: number) => {
		assetTimer = setTimeout(() => void collectAssets().finally(() => !stopped && scheduleAssets(jittered(ASSET_SWEEP_INTERVAL_MS))), delayMs);
		assetTimer.unref();
	};
	scheduleAssets(jittered(5 * 60_000));
	for (const timer of timers) timer.unref();
	return () => {
		stopped = true;
		clearTimeout(assetTimer);
		timers.forEach(clearTimeout);
	};
}

/**
 * Server-side pictures of canvases (headless Chromium, started on first use), or null when this
 * machine has no Chromium: callers then fall back to stored thumbnails and placeholders.
 */
function startCanvasRenderer(config: Config, db: Database, logger: Logger): ChromiumCanvasRenderer | null {
	if (!config.chromiumPath) {
		logger.info('server rendering of canvases is off: no Chromium (install it, or set CHROMIUM_PATH); pictures come from browsers only');
		setCanvasRenderer(null);
		return null;
	}
	if (config.PORT === 0) {
		logger.warn('server rendering of canvases is off: it needs a fixed PORT to open its render page');
		setCanvasRenderer(null);
		return null;
	}
	const renderer = new ChromiumCanvasRenderer({
		executablePath: config.chromiumPath,
		origin: renderOrigin(config.HOST, config.PORT),
		loadAsset: storedAssetLoader(db, () => runtime().blobs),
		logger
	});
	setCanvasRenderer(renderer);
	logger.info({ chromium: config.chromiumPath }, 'server rendering of canvases is available (Chromium starts on first use)');
	return renderer;
}

/**
 * Whether this process runs an image worker: a worker process always; `npm start` unless
 * IN_PROCESS_WORKER=false (separate workers serve the queue). Without a provider there is nothing to run.
 */
export type WorkerMode = 'worker-process' | 'web';

export async function startServices(config: Config, logger = createLogger(config.LOG_LEVEL), mode: WorkerMode = 'web'): Promise<Services> {
	const database = await openDatabase({
		url: config.DATABASE_URL,
		dataDir: `${config.DATA_DIR.replace(/\/$/, '')}/pg`,
		migrationsFolder: MIGRATIONS_FOLDER
	});
	logger.info({ driver: database.driver }, 'database ready');
	if (config.DATABASE_URL && !config.SECRETS_KEY) {
		logger.warn(
			"SECRETS_KEY is not set: this instance seals teams' AI keys with its own DATA_DIR/secret.key, which other instances cannot open. Set one SECRETS_KEY on every instance."
		);
	}
	const blobs = blobStoreFor(config);
	logger.info(blobs.description, blobs.store.kind === 's3' ? 'assets are stored in the S3 bucket' : 'assets are stored as files under DATA_DIR/assets');
	if (config.REDIS_URL && blobs.store.kind !== 's3') {
		logger.warn(
			'several instances need S3_BUCKET (and the other S3_* settings), or a DATA_DIR/assets folder they all share (compose.yaml mounts one volume): with REDIS_URL set, this instance keeps images under DATA_DIR/assets, and an instance that cannot read that folder answers 404 for them.'
		);
	}
	const redis: RedisConnections | undefined = config.REDIS_URL ? connectRedis(config.REDIS_URL, config.REDIS_PREFIX, logger) : undefined;
	if (redis) logger.info({ instance: redis.instanceId }, 'joining other instances through redis');
	const collaboration = createCollaborationServer({ db: database.db, config, logger, redis });
	const assistantRateLimits = new AssistantRateLimits({ keyPrefix: config.REDIS_PREFIX, redis: redis?.limits });
	const assistant = new AssistantRunner({ db: database.db, collaboration, config, logger, rateLimits: assistantRateLimits, blobs: blobs.store });
	const jobQueue = await JobQueue.start(database, { logger, imageTimeoutSeconds: config.IMAGE_TIMEOUT_SECONDS });
	const imageProvider = imageProviderFor(config);
	let imageWorker: ImageWorker | null = null;
	const imageJobs = new ImageJobs({
		db: database.db,
		blobs: blobs.store,
		collaboration,
		queue: jobQueue,
		logger,
		configured: imageProvider !== null,
		wakeWorker: () => imageWorker?.wake()
	});
	reportImageQueue(async () => {
		const [states, workers] = await Promise.all([jobsByState(database.db), liveWorkers(database.db)]);
		return { queued: states.queued, generating: states.generating, workers: workers.count };
	});
	if (!imageProvider) logger.info('image generation is off: set IMAGE_PROVIDER (comfyui or openai) to turn sketches into images');
	else if (mode === 'worker-process' || config.IN_PROCESS_WORKER) {
		imageWorker = new ImageWorker({
			db: database.db,
			blobs: blobs.store,
			collaboration,
			queue: jobQueue,
			jobs: imageJobs,
			provider: imageProvider,
			logger,
			concurrency: config.WORKER_CONCURRENCY
		});
	} else if (!config.DATABASE_URL) {
		logger.warn(
			'IN_PROCESS_WORKER=false on the embedded database: no separate worker can reach its queue, so image jobs will wait until they are dropped; set DATABASE_URL or leave IN_PROCESS_WORKER on'
		);
	} else logger.info('image jobs are queued for separate workers (IN_PROCESS_WORKER=false): start them with `npm run worker`');
	setRuntime({
		config,
		db: database.db,
		driver: database.driver,
		logger,
		collaboration,
		assistant,
		loginThrottle: new LoginThrottle(
			{ keyPrefix: `${config.REDIS_PREFIX}:login`, points: config.LOGIN_ATTEMPTS, durationSeconds: config.LOGIN_WINDOW_SECONDS, redis: redis?.limits },
			{ keyPrefix: `${config.REDIS_PREFIX}:login-address`, points: config.LOGIN_ATTEMPTS_PER_ADDRESS, durationSeconds: config.LOGIN_WINDOW_SECONDS, redis: redis?.limits }
		),
		signUpThrottle: new ActionThrottle({
			what: 'sign-ups from this network address',
			keyPrefix: `${config.REDIS_PREFIX}:signup-address`,
			points: config.SIGNUPS_PER_ADDRESS,
			durationSeconds: config.SIGNUP_WINDOW_SECONDS,
			redis: redis?.limits
		}),
		invitationEmailThrottles: {
			perSender: new ActionThrottle({
				what: 'invitation emails sent by you',
				keyPrefix: `${config.REDIS_PREFIX}:invite-mail-sender`,
				points: config.INVITATION_EMAILS_PER_SENDER,
				durationSeconds: config.INVITATION_EMAIL_WINDOW_SECONDS,
				redis: redis?.limits
			}),
			perTeam: new ActionThrottle({
				what: 'invitation emails sent for this team',
				keyPrefix: `${config.REDIS_PREFIX}:invite-mail-team`,
				points: config.INVITATION_EMAILS_PER_TEAM,
				durationSeconds: config.INVITATION_EMAIL_WINDOW_SECONDS,
				redis: redis?.limits
			})
		},
		accountEmailThrottles: {
			perRecipient: new ActionThrottle({
				what: 'emails sent to this address',
				keyPrefix: `${config.REDIS_PREFIX}:account-mail-recipient`,
				points: config.ACCOUNT_EMAILS_PER_RECIPIENT,
				durationSeconds: config.ACCOUNT_EMAIL_WINDOW_SECONDS,
				redis: redis?.limits
			}),
			perClient: new ActionThrottle({
				what: 'account emails requested from this network address',
				keyPrefix: `${config.REDIS_PREFIX}:account-mail-address`,
				points: config.ACCOUNT_EMAIL_REQUESTS_PER_ADDRESS,
				durationSeconds: config.ACCOUNT_EMAIL_WINDOW_SECONDS,
				redis: redis?.limits
			}),
			perUser: new ActionThrottle({
				what: 'account emails requested by you',
				keyPrefix: `${config.REDIS_PREFIX}:account-mail-user`,
				points: config.ACCOUNT_EMAIL_REQUESTS_PER_USER,
				durationSeconds: config.ACCOUNT_EMAIL_WINDOW_SECONDS,
				redis: redis?.limits
			})
		},
		publicationReportThrottle: new ActionThrottle({
			what: 'reports from this network address',
			keyPrefix: `${config.REDIS_PREFIX}:publication-report-address`,
			points: config.PUBLICATION_REPORTS_PER_ADDRESS,
			durationSeconds: config.PUBLICATION_REPORT_WINDOW_SECONDS,
			redis: redis?.limits
		}),
		assistantRateLimits,
		apiRateLimits: new ApiRateLimits({ keyPrefix: config.REDIS_PREFIX, redis: redis?.limits }),
		stripe: stripeSettings(config),
		blobs: blobs.store,
		imageJobs,
		ping: database.ping,
		pingRedis: redis ? redis.ping : undefined
	});
	const renderer = startCanvasRenderer(config, database.db, logger);
	const stopMaintenance = startMaintenance(database.db, logger, assistant, imageJobs);
	// Library search for canvases never indexed (from before it existed); a worker process serves no library.
	const stopSearchBackfill = mode === 'web' ? startSearchBackfill(database.db, logger) : async () => {};
	await imageWorker?.start();
	let stopping: Promise<void> | undefined;
	return {
		config,
		logger,
		collaboration,
		imageWorker,
		stop: () =>
			(stopping ??= (async () => {
				stopMaintenance();
				await Promise.all([assistant.stop(), imageWorker?.stop(WORKER_STOP_GRACE_MS), stopSearchBackfill()]);
				await jobQueue.stop({ graceful: true, timeoutMs: 5_000 }).catch((error) => logger.warn({ err: error }, 'stopping the job queue failed'));
				setCanvasRenderer(null);
				await Promise.all([collaboration.shutdown(), renderer?.close()]);
				await stopPublicationViews();
				setRuntime(undefined);
				await Promise.all([database.close(), redis?.close()]);
			})())
	};
}
