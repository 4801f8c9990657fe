// Starts the process-wide services (database, collaboration server) once, for the production
// entry and for `npm run dev` alike, and registers them for the SvelteKit app.
import { fileURLToPath } from 'node:url';
import { type Config } from '../src/lib/server/config.ts';
import { openDatabase, type Database } from '../src/lib/server/db/index.ts';
import * as credits from '../src/lib/server/credits.ts';
import * as history from '../src/lib/server/history.ts';
import { createLogger, type Logger } from '../src/lib/server/logger.ts';
import { ActionThrottle, LoginThrottle } from '../src/lib/server/rate-limits.ts';
import { setRuntime } from '../src/lib/server/runtime.ts';
import { stripeSettings } from '../src/lib/server/stripe/client.ts';
import { AssistantRateLimits } from '../src/lib/server/ai/assistant-limits.ts';
import { AssistantRunner } from '../src/lib/server/ai/assistant-runner.ts';
import { blobStoreFor } from '../src/lib/server/assets/blob-store-for.ts';
import { createCollaborationServer, type CollaborationServer } from './collab/index.ts';
import { connectRedis, type RedisConnections } from './collab/scale-out.ts';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../drizzle', import.meta.url));

export interface Services {
	config: Config;
	logger: Logger;
	collaboration: CollaborationServer;
	/** Stores every document, closes sockets and the database. */
	stop(): Promise<void>;
}

/** How often expired versions are pruned. */
const PRUNE_INTERVAL_MS = 6 * 60 * 60 * 1000;
/** How often credit reservations past their expiry (their holders died) are released. */
const CREDIT_SWEEP_INTERVAL_MS = 60 * 1000;

/**
 * Periodic housekeeping: prune versions past their plan's retention (first run a minute after start),
 * release expired credit reservations and fail assistant runs whose instance died every minute. Every
 * instance runs them all; all are safe to race.
 */
function startMaintenance(db: Database, logger: Logger, assistant: AssistantRunner): () => void {
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
	const timers = [
		setTimeout(prune, 60_000),
		setInterval(prune, PRUNE_INTERVAL_MS),
		setInterval(sweepCredits, CREDIT_SWEEP_INTERVAL_MS),
		setInterval(sweepRuns, CREDIT_SWEEP_INTERVAL_MS)
	];
	for (const timer of timers) timer.unref();
	return () => timers.forEach(clearTimeout);
}

export async function startServices(config: Config, logger = createLogger(config.LOG_LEVEL)): Promise<Services> {
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
			'several instances need S3_BUCKET (and the other S3_* settings): with REDIS_URL set, this instance still keeps images under its own DATA_DIR/assets, which the other instances cannot read.'
		);
	}
	const redis: RedisConnections | undefined = config.REDIS_URL ? connectRedis(config.REDIS_URL, config.REDIS_PREFIX, logger) : undefined;
	if (redis) logger.info({ instance: redis.instanceId }, 'joining other instances through redis');
	const collaboration = createCollaborationServer({ db: database.db, config, logger, redis });
	const assistantRateLimits = new AssistantRateLimits({ keyPrefix: config.REDIS_PREFIX, redis: redis?.limits });
	const assistant = new AssistantRunner({ db: database.db, collaboration, config, logger, rateLimits: assistantRateLimits });
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
		assistantRateLimits,
		stripe: stripeSettings(config),
		blobs: blobs.store,
		ping: database.ping,
		pingRedis: redis ? redis.ping : undefined
	});
	const stopMaintenance = startMaintenance(database.db, logger, assistant);
	let stopping: Promise<void> | undefined;
	return {
		config,
		logger,
		collaboration,
		stop: () =>
			(stopping ??= (async () => {
				stopMaintenance();
				await assistant.stop();
				await collaboration.shutdown();
				setRuntime(undefined);
				await Promise.all([database.close(), redis?.close()]);
			})())
	};
}
