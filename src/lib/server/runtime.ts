// The process-wide runtime (database, collaboration control, logger, throttles) shared by the HTTP
// app and the collaboration server, and the domain's `Services` built from it. The SvelteKit build
// bundles its own copy of the domain modules, so both live on globalThis under registered symbols
// rather than in module variables.
import type { AssistantRunner } from './ai/assistant-runner.ts';
import type { CollaborationControl } from './collaboration-control.ts';
import type { Config } from './config.ts';
import type { Database } from './db/index.ts';
import type { Logger } from './logger.ts';
import type { Services } from './services.ts';
import type { ActionThrottle, ApiRateLimits, LoginThrottle } from './rate-limits.ts';
import type { AssistantRateLimits } from './ai/assistant-limits.ts';
import type { StripeSettings } from './stripe/client.ts';
import type { BlobStore } from './assets/blob-store.ts';
import type { ImageJobs } from './jobs/image-jobs.ts';

export type {
	CanvasDraft,
	ChatWriter,
	CloseReason,
	CollaborationControl,
	ConnectionMatch,
	DocumentWriter,
	MapDraft,
	OpeningState,
	PeerPresence,
	ServerMessage,
	ServerMessageUpdate
} from './collaboration-control.ts';

export interface Runtime {
	config: Config;
	db: Database;
	driver: 'pglite' | 'postgres';
	logger: Logger;
	collaboration: CollaborationControl;
	/** The AI assistant: starts, runs, cancels and reviews runs on this instance. */
	assistant: AssistantRunner;
	loginThrottle: LoginThrottle;
	/** Sign-ups per client address. */
	signUpThrottle: ActionThrottle;
	/** Invitation emails per sender (user id) and per team (team id). */
	invitationEmailThrottles: { perSender: ActionThrottle; perTeam: ActionThrottle };
	/**
	 * Account emails (auth/account-emails.ts): links mailed to one address (keyed by the lower-case
	 * address), requests per client address, and requests of one signed-in person (by user id).
	 */
	accountEmailThrottles: { perRecipient: ActionThrottle; perClient: ActionThrottle; perUser: ActionThrottle };
	/** Reports of published canvases per client address. */
	publicationReportThrottle: ActionThrottle;
	/** Assistant runs a person may start a minute and a team a day, by plan. */
	assistantRateLimits: AssistantRateLimits;
	/** /api/v1 requests per API key and its team (by plan), and per person. */
	apiRateLimits: ApiRateLimits;
	/** Stripe billing, or null when self-hosted without it (plans then come from `npm run admin`). */
	stripe: StripeSettings | null;
	/** Where asset, thumbnail and preview bytes live. */
	blobs: BlobStore;
	/** Live sketch → image: submitting, following and cancelling image jobs. */
	imageJobs: ImageJobs;
	/** Resolves when the database answers (readiness). */
	ping(): Promise<void>;
	/** Resolves when Redis answers; absent on a single instance without Redis. */
	pingRedis?: () => Promise<void>;
}

const RUNTIME_KEY = Symbol.for('easel.runtime');
const SERVICES_KEY = Symbol.for('easel.services');
type Holder = { [RUNTIME_KEY]?: Runtime; [SERVICES_KEY]?: Services };

export function setRuntime(runtime: Runtime | undefined): void {
	(globalThis as Holder)[RUNTIME_KEY] = runtime;
	(globalThis as Holder)[SERVICES_KEY] = runtime ? servicesOf(runtime) : undefined;
}

/** The domain's services from a runtime (or anything holding the same five parts). */
export function servicesOf(from: Pick<Runtime, 'db' | 'collaboration' | 'stripe' | 'logger' | 'blobs'>): Services {
	return { db: from.db, collaboration: from.collaboration, stripe: from.stripe, logger: from.logger, blobs: from.blobs };
}

/** The services domain functions take, built once when the runtime is registered. */
export function services(): Services {
	const current = (globalThis as Holder)[SERVICES_KEY];
	if (!current) runtime(); // throws the "not started" error
	return current!;
}

export function runtime(): Runtime {
	const current = (globalThis as Holder)[RUNTIME_KEY];
	if (!current) throw new Error('Easel runtime is not started: run the app through server/index.ts or `npm run dev`.');
	return current;
}
