// The process-wide runtime (database, collaboration control, logger, throttles) shared by the HTTP
// app and the collaboration server, and the domain's `Services` built from it. The SvelteKit build
// bundles its own copy of the domain modules, so both live on globalThis under registered symbols
// rather than in module variables.
import type { ConnectionCloseReason } from '../collab-protocol.ts';
import type { Actor } from './access.ts';
import type { Config } from './config.ts';
import type { Database } from './db/index.ts';
import type { Logger } from './logger.ts';
import type { Services } from './services.ts';
import type { ActionThrottle, LoginThrottle } from './rate-limits.ts';
import type { StripeSettings } from './stripe/client.ts';

/** What the HTTP side may ask of the collaboration server. */
export interface CollaborationControl {
	/** Closes every socket open on a document, telling clients why, and forgets unsaved changes. */
	discardDocument(documentName: string, reason: string): Promise<void>;
	/** The current content of a document as JSON (live state if loaded, stored state otherwise). */
	readDocument(documentName: string): Promise<{ records: Record<string, unknown>; meta: Record<string, unknown> }>;
	/** The current state of a document as one Yjs update (live if loaded, stored otherwise). */
	readDocumentState(documentName: string): Promise<Uint8Array>;
	/**
	 * What a client about to open a document applies before its socket connects: the stored updates,
	 * not decoded. Throws RATE_LIMITED when `clientAddress` opens too much. See `OpeningState`.
	 */
	openingState(documentName: string, clientAddress: string): Promise<OpeningState>;
	/**
	 * The one way server-side code changes a document: `change` stages its edits on a draft of the
	 * live canvas; they are validated like a client's and applied as one transaction, stamped with
	 * `writer`, that every collaborator receives live. INVALID_INPUT, and nothing written, when a
	 * staged record fails.
	 */
	transact(documentName: string, writer: DocumentWriter, change: (draft: CanvasDraft) => void): Promise<{ changed: number }>;
	/**
	 * Closes the document connections matching every given field, telling clients why:
	 * `ACCESS_CHANGED` makes them reconnect and be authorised afresh, anything else stops them.
	 */
	closeConnections(match: ConnectionMatch, reason: CloseReason): number;
}

/** Who changes a document from the server, and as what. */
export interface DocumentWriter {
	origin: 'restore' | 'assistant' | 'ingest' | 'import';
	actor: Actor;
}

/** One map of a document, with the writer's staged changes on top of what it holds. */
export interface MapDraft {
	get(key: string): unknown;
	has(key: string): boolean;
	readonly size: number;
	keys(): string[];
	toJSON(): Record<string, unknown>;
	set(key: string, value: unknown): void;
	delete(key: string): void;
}

/** A canvas as a server-side writer changes it: tldraw records by id, and the schema they follow. */
export interface CanvasDraft {
	records: MapDraft;
	meta: MapDraft;
}

export interface OpeningState {
	/** The stored snapshot (if any), then the log after it, oldest first. */
	updates: Uint8Array[];
	/** Starts loading the document for the socket that follows; call once the updates are on their way. */
	startLoading(): void;
}

export interface ConnectionMatch {
	canvasId?: string;
	teamId?: string;
	userId?: string;
	sessionId?: string;
	shareLinkId?: string;
}

/** Why the server closed a document connection (the client shows or acts on it); a revert loop is the server's own call. */
export type CloseReason = Exclude<ConnectionCloseReason, 'REVERT_LOOP'>;

export interface Runtime {
	config: Config;
	db: Database;
	driver: 'pglite' | 'postgres';
	logger: Logger;
	collaboration: CollaborationControl;
	loginThrottle: LoginThrottle;
	/** Sign-ups per client address. */
	signUpThrottle: ActionThrottle;
	/** Invitation emails per sender (user id) and per team (team id). */
	invitationEmailThrottles: { perSender: ActionThrottle; perTeam: ActionThrottle };
	/** Stripe billing, or null when self-hosted without it (plans then come from `npm run admin`). */
	stripe: StripeSettings | null;
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

/** The domain's services from a runtime (or anything holding the same four parts). */
export function servicesOf(from: Pick<Runtime, 'db' | 'collaboration' | 'stripe' | 'logger'>): Services {
	return { db: from.db, collaboration: from.collaboration, stripe: from.stripe, logger: from.logger };
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
