// Database schema (drizzle). Migrations in drizzle/ are generated from this file.
import { sql, type SQL } from 'drizzle-orm';
import {
	type AnyPgColumn,
	bigint,
	check,
	customType,
	index,
	integer,
	pgTable,
	primaryKey,
	text,
	timestamp,
	uniqueIndex,
	uuid,
	boolean,
	jsonb
} from 'drizzle-orm/pg-core';
import { bytea } from './bytea.ts';
import { IMAGE_JOB_STATES } from '../../live-sketch.ts';

/** A PostgreSQL text-search vector (written with to_tsvector in SQL, never read back as a value). */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const ROLES = ['owner', 'admin', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const users = pgTable(
	'users',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		email: text('email').notNull(),
		name: text('name').notNull(),
		/** Null for an account made by signing in with a provider until its owner sets a password. */
		passwordHash: text('password_hash'),
		/** When the owner proved the address is theirs (a link mailed to it, or a provider that verified it). */
		emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true }),
		/** The colour of their avatar and cursor (a CSS hex colour), or null for one derived from the id. */
		avatarColor: text('avatar_color'),
		/** An instance administrator (`npm run admin -- make-admin <email>`): moderates the public gallery. */
		isAdmin: boolean('is_admin').notNull().default(false),
		/** Set when the account was deleted: the row stays, stripped of personal data, so authorship reads "deleted user". */
		deletedAt: timestamp('deleted_at', { withTimezone: true }),
		createdAt: createdAt()
	},
	(table) => [uniqueIndex('users_email_key').on(sql`lower(${table.email})`)]
);

export const IDENTITY_PROVIDERS = ['oidc', 'github', 'google'] as const;
export type IdentityProvider = (typeof IDENTITY_PROVIDERS)[number];
export const SESSION_METHODS = ['password', 'reset', ...IDENTITY_PROVIDERS] as const;
export type SessionMethod = (typeof SESSION_METHODS)[number];

export const sessions = pgTable(
	'sessions',
	{
		/** SHA-256 (hex) of the token in the cookie; the token itself is never stored. */
		id: text('id').primaryKey(),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
		/** How it was started: a password, a provider (oidc, github, google), or a password reset. */
		method: text('method', { enum: SESSION_METHODS }).notNull().default('password'),
		/** The browser's User-Agent and the client address when it signed in, for the account's session list. */
		userAgent: text('user_agent'),
		ip: text('ip'),
		/** Last request seen with it, written at most once a minute. */
		lastActiveAt: timestamp('last_active_at', { withTimezone: true }),
		createdAt: createdAt()
	},
	(table) => [index('sessions_user_id_idx').on(table.userId)]
);

/** A provider account linked to a user: signing in through it signs in as them. */
export const oauthAccounts = pgTable(
	'oauth_accounts',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		provider: text('provider', { enum: IDENTITY_PROVIDERS }).notNull(),
		/** The provider's stable id for the account (OIDC `sub`, GitHub's numeric id). */
		subject: text('subject').notNull(),
		/** The address the provider vouched for when it was linked (shown in account settings). */
		email: text('email'),
		createdAt: createdAt(),
		lastUsedAt: timestamp('last_used_at', { withTimezone: true })
	},
	(table) => [uniqueIndex('oauth_accounts_provider_subject_key').on(table.provider, table.subject), index('oauth_accounts_user_id_idx').on(table.userId)]
);

export const ACCOUNT_TOKEN_PURPOSES = ['password_reset', 'email_verification'] as const;
export type AccountTokenPurpose = (typeof ACCOUNT_TOKEN_PURPOSES)[number];

/** Single-use links mailed to a user (password reset, email verification); only the SHA-256 of the token is stored. */
export const accountTokens = pgTable(
	'account_tokens',
	{
		/** SHA-256 (hex) of the token in the link. */
		id: text('id').primaryKey(),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		purpose: text('purpose', { enum: ACCOUNT_TOKEN_PURPOSES }).notNull(),
		/** The address the link was sent to (for a verification: the address it verifies). */
		email: text('email').notNull(),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
		usedAt: timestamp('used_at', { withTimezone: true }),
		createdAt: createdAt()
	},
	(table) => [index('account_tokens_user_id_idx').on(table.userId, table.purpose)]
);

export const teams = pgTable('teams', {
	id: uuid('id').primaryKey().defaultRandom(),
	name: text('name').notNull(),
	personal: boolean('personal').notNull().default(false),
	/** Who may publish the team's canvases to the gallery: editors and above (default) or admins only. */
	publishRole: text('publish_role', { enum: ['editor', 'admin'] })
		.notNull()
		.default('editor'),
	/** Members whose email is on one of the team's verified domains must sign in through the OIDC provider. */
	ssoRequired: boolean('sso_required').notNull().default(false),
	/** In the trash since then (purged 30 days later); null for a live team. */
	deletedAt: timestamp('deleted_at', { withTimezone: true }),
	deletedBy: uuid('deleted_by').references(() => users.id, { onDelete: 'set null' }),
	createdAt: createdAt()
});

/** An email domain a team has verified as its own (team SSO applies to members with addresses on it). */
export const teamDomains = pgTable(
	'team_domains',
	{
		teamId: uuid('team_id')
			.notNull()
			.references(() => teams.id, { onDelete: 'cascade' }),
		/** Lower-case, without a leading "@". */
		domain: text('domain').notNull(),
		verifiedAt: timestamp('verified_at', { withTimezone: true }),
		verifiedBy: uuid('verified_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: createdAt()
	},
	(table) => [primaryKey({ columns: [table.teamId, table.domain] }), index('team_domains_domain_idx').on(table.domain)]
);

export const memberships = pgTable(
	'memberships',
	{
		teamId: uuid('team_id')
			.notNull()
			.references(() => teams.id, { onDelete: 'cascade' }),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		role: text('role', { enum: ROLES }).notNull(),
		createdAt: createdAt(),
		lastActiveAt: timestamp('last_active_at', { withTimezone: true })
	},
	(table) => [primaryKey({ columns: [table.teamId, table.userId] }), index('memberships_user_id_idx').on(table.userId)]
);

export const canvases = pgTable(
	'canvases',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		teamId: uuid('team_id')
			.notNull()
			.references(() => teams.id, { onDelete: 'cascade' }),
		title: text('title').notNull(),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		/** The thumbnail the browser rendered and uploaded (asset store key), null until someone has. */
		thumbnailKey: text('thumbnail_key'),
		thumbnailUpdatedAt: timestamp('thumbnail_updated_at', { withTimezone: true }),
		/** Remixed from a published canvas: which publication (null once it is gone) and its title then. */
		remixedFromPublicationId: uuid('remixed_from_publication_id'),
		remixedFromTitle: text('remixed_from_title'),
		remixedFromSlug: text('remixed_from_slug'),
		/** The folder it is filed in (at most one); null at the top of the library. */
		folderId: uuid('folder_id').references((): AnyPgColumn => folders.id, { onDelete: 'set null' }),
		/** The plain text on the canvas as last stored, for library search. */
		searchText: text('search_text').notNull().default(''),
		/** When searchText was last taken from the stored document; null until it first has been (backfilled at start). */
		searchIndexedAt: timestamp('search_indexed_at', { withTimezone: true }),
		/** Title and text, kept in step by the database. */
		searchVector: tsvector('search_vector').generatedAlwaysAs(
			(): SQL => sql`setweight(to_tsvector('simple', ${canvases.title}), 'A') || setweight(to_tsvector('simple', ${canvases.searchText}), 'B')`
		),
		/** In the trash since then (restorable, purged 30 days later); null for a live canvas. */
		deletedAt: timestamp('deleted_at', { withTimezone: true }),
		deletedBy: uuid('deleted_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: createdAt(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(table) => [
		index('canvases_team_id_idx').on(table.teamId, table.updatedAt),
		index('canvases_search_idx').using('gin', table.searchVector),
		index('canvases_deleted_at_idx').on(table.deletedAt)
	]
);

/** A folder in a team's library; deleting it leaves its canvases at the top. */
export const folders = pgTable(
	'folders',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		teamId: uuid('team_id')
			.notNull()
			.references(() => teams.id, { onDelete: 'cascade' }),
		name: text('name').notNull(),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: createdAt()
	},
	(table) => [uniqueIndex('folders_team_name_key').on(table.teamId, sql`lower(${table.name})`)]
);

/** A canvas a user starred: it sits at the top of their library. */
export const canvasStars = pgTable(
	'canvas_stars',
	{
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		canvasId: uuid('canvas_id')
			.notNull()
			.references(() => canvases.id, { onDelete: 'cascade' }),
		createdAt: createdAt()
	},
	(table) => [primaryKey({ columns: [table.userId, table.canvasId] }), index('canvas_stars_canvas_id_idx').on(table.canvasId)]
);

/** Compacted Yjs state of a document; the update log is folded into it. */
export const documents = pgTable('documents', {
	name: text('name').primaryKey(),
	state: bytea('state').notNull(),
	stateVector: bytea('state_vector').notNull(),
	bytes: integer('bytes').notNull(),
	/** Bumped by every compaction, so an instance can tell whether another one rewrote the snapshot. */
	revision: integer('revision').notNull().default(0),
	updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
});

/** Append-only log of Yjs updates not yet folded into `documents`. */
export const documentUpdates = pgTable(
	'document_updates',
	{
		seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
		document: text('document').notNull(),
		update: bytea('update').notNull(),
		createdAt: createdAt()
	},
	(table) => [index('document_updates_document_seq_idx').on(table.document, table.seq)]
);

export const INVITATION_ROLES = ['admin', 'editor', 'viewer'] as const;

/** An invitation link into a team; only the SHA-256 of its token is stored. */
export const invitations = pgTable(
	'invitations',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		teamId: uuid('team_id')
			.notNull()
			.references(() => teams.id, { onDelete: 'cascade' }),
		tokenHash: text('token_hash').notNull().unique(),
		role: text('role', { enum: ROLES }).notNull(),
		/** Set for invitations addressed to one person; the link still works for whoever holds it. */
		email: text('email'),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
		/** null = unlimited. */
		maxUses: integer('max_uses'),
		uses: integer('uses').notNull().default(0),
		revokedAt: timestamp('revoked_at', { withTimezone: true }),
		createdAt: createdAt()
	},
	(table) => [index('invitations_team_id_idx').on(table.teamId)]
);

export const SHARE_ACCESS = ['view', 'edit'] as const;
export const SHARE_AUDIENCES = ['anyone', 'team'] as const;
export type ShareAccess = (typeof SHARE_ACCESS)[number];
export type ShareAudience = (typeof SHARE_AUDIENCES)[number];

/** A link to one canvas (`/s/<token>`); only the SHA-256 of its token is stored. */
export const shareLinks = pgTable(
	'share_links',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		canvasId: uuid('canvas_id')
			.notNull()
			.references(() => canvases.id, { onDelete: 'cascade' }),
		tokenHash: text('token_hash').notNull().unique(),
		access: text('access', { enum: SHARE_ACCESS }).notNull(),
		audience: text('audience', { enum: SHARE_AUDIENCES }).notNull(),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		expiresAt: timestamp('expires_at', { withTimezone: true }),
		revokedAt: timestamp('revoked_at', { withTimezone: true }),
		lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
		createdAt: createdAt()
	},
	(table) => [index('share_links_canvas_id_idx').on(table.canvasId)]
);

export const AUDIT_ACTOR_KINDS = ['user', 'apiKey', 'assistant', 'system'] as const;
export type AuditActorKind = (typeof AUDIT_ACTOR_KINDS)[number];

/** Who changed membership, roles, invitations and share links, and when. */
export const auditLog = pgTable(
	'audit_log',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
		teamId: uuid('team_id').references(() => teams.id, { onDelete: 'cascade' }),
		/** A person, an API key, the assistant or Easel itself; rows from before actors had kinds are people. */
		actorKind: text('actor_kind', { enum: AUDIT_ACTOR_KINDS }).notNull().default('user'),
		/** The person, when the actor is one (null once their account is deleted, or for other kinds). */
		actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
		/** Which one, for the other kinds: the API key's id, the assistant run's id, the system's reason. */
		actorRef: text('actor_ref'),
		action: text('action').notNull(),
		targetType: text('target_type').notNull(),
		targetId: text('target_id'),
		details: jsonb('details').$type<Record<string, unknown>>(),
		ip: text('ip'),
		createdAt: createdAt()
	},
	(table) => [
		index('audit_log_team_id_idx').on(table.teamId, table.createdAt),
		check('audit_log_actor_id_is_a_person', sql`${table.actorKind} = 'user' or ${table.actorId} is null`)
	]
);

export const PLAN_IDS = ['free', 'pro', 'team'] as const;
export type PlanId = (typeof PLAN_IDS)[number];
export const SUBSCRIPTION_STATUSES = ['active', 'trialing', 'past_due', 'canceled', 'unpaid', 'incomplete'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** A team's plan and subscription state; a team without a row is on the free plan. */
export const teamBilling = pgTable('team_billing', {
	teamId: uuid('team_id')
		.primaryKey()
		.references(() => teams.id, { onDelete: 'cascade' }),
	plan: text('plan', { enum: PLAN_IDS }).notNull().default('free'),
	/** Seats bought (team plan); other plans take their seats from the catalog. */
	seats: integer('seats'),
	status: text('status', { enum: SUBSCRIPTION_STATUSES }).notNull().default('active'),
	stripeCustomerId: text('stripe_customer_id'),
	stripeSubscriptionId: text('stripe_subscription_id'),
	currentPeriodEnd: timestamp('current_period_end', { withTimezone: true }),
	/** Until when a failed payment keeps paid limits (then the team falls back to free). */
	graceUntil: timestamp('grace_until', { withTimezone: true }),
	updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
});

export const CREDIT_REASONS = ['grant', 'purchase', 'refund', 'reservation', 'reservation_release', 'charge', 'adjustment'] as const;
export type CreditReason = (typeof CREDIT_REASONS)[number];

/** Every credit movement; a team's balance is the sum of its deltas. */
export const creditLedger = pgTable(
	'credit_ledger',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
		teamId: uuid('team_id')
			.notNull()
			.references(() => teams.id, { onDelete: 'cascade' }),
		delta: integer('delta').notNull(),
		reason: text('reason', { enum: CREDIT_REASONS }).notNull(),
		/** What the movement belongs to: an invoice, a checkout session, a reservation id, an AI run. */
		reference: text('reference'),
		createdAt: createdAt()
	},
	(table) => [
		index('credit_ledger_team_id_idx').on(table.teamId, table.id),
		// A grant, purchase or refund for one Stripe object is applied once.
		uniqueIndex('credit_ledger_reason_reference_key').on(table.teamId, table.reason, table.reference)
	]
);

/**
 * Credits held by work in progress: one row per open reservation (its ledger row is the hold), gone
 * once committed, released or expired. Work that dies holds credits only until `expires_at`.
 */
export const creditReservations = pgTable(
	'credit_reservations',
	{
		id: uuid('id').primaryKey(),
		teamId: uuid('team_id')
			.notNull()
			.references(() => teams.id, { onDelete: 'cascade' }),
		amount: integer('amount').notNull(),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
		createdAt: createdAt()
	},
	(table) => [index('credit_reservations_expires_at_idx').on(table.expiresAt)]
);

/** `assistant`: captured before an assistant run's first change ("Before AI: <prompt>"). */
export const VERSION_KINDS = ['auto', 'named', 'restore', 'publish', 'assistant'] as const;
export type VersionKind = (typeof VERSION_KINDS)[number];

/** Version history: full Yjs states (compressed). Restoring is a forward change, never a rewrite. */
export const documentVersions = pgTable(
	'document_versions',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		document: text('document').notNull(),
		/** Brotli-compressed Yjs update holding the whole document. */
		state: bytea('state').notNull(),
		/** Size of `state` as stored. */
		bytes: integer('bytes').notNull(),
		kind: text('kind', { enum: VERSION_KINDS }).notNull(),
		label: text('label'),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		/** Everyone whose edits are in this version since the previous one. */
		authorIds: jsonb('author_ids').$type<string[]>().notNull().default([]),
		createdAt: createdAt()
	},
	(table) => [index('document_versions_document_idx').on(table.document, table.createdAt)]
);

/** Stripe events already applied (webhooks are delivered at least once, sometimes concurrently). */
export const stripeEvents = pgTable('stripe_events', {
	id: text('id').primaryKey(),
	type: text('type').notNull(),
	receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow()
});

export const MODEL_TIERS = ['fast', 'balanced', 'best'] as const;
export type ModelTier = (typeof MODEL_TIERS)[number];
export const AI_PROVIDERS = ['openai', 'openai-compatible', 'anthropic', 'ollama'] as const;
export type AiProvider = (typeof AI_PROVIDERS)[number];
/** What a run's provider column may say: a provider, or `none` for work done without a model (a structural design document). */
export const RUN_PROVIDERS = [...AI_PROVIDERS, 'none'] as const;
export type RunProvider = (typeof RUN_PROVIDERS)[number];
export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
/** What a run does: answer in the chat and edit the canvas (`assistant`), or make files from the diagram. */
export const RUN_KINDS = ['assistant', 'design_doc', 'code'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/** A file a design-document or code run made: text inline, binary in the blob store (served by the run's files route). */
export interface StoredRunFile {
	name: string;
	mimeType: string;
	bytes: number;
	/** Text files (Markdown, code): the content itself. */
	content?: string;
	/** Binary files (PDF, PNG): the blob store key. */
	blobKey?: string;
	/** Code: the node it was made for, its path in the project and its language. */
	shapeId?: string;
	path?: string;
	language?: string;
	/** Code: a node whose code could not be made (no content): why. */
	error?: string;
}
export type RunStatus = (typeof RUN_STATUSES)[number];
export const RUN_CHANGE_KINDS = ['created', 'updated', 'deleted'] as const;
export const RUN_CHANGE_STATES = ['pending', 'accepted', 'rejected'] as const;

/** One canvas change an assistant run made, as listed for review. */
export interface StoredRunChange {
	id: string;
	kind: (typeof RUN_CHANGE_KINDS)[number];
	recordIds: string[];
	summary: string;
	state: (typeof RUN_CHANGE_STATES)[number];
	/** What each record was before the run changed it (null: it did not exist) and what the run left. */
	before: Record<string, unknown | null>;
	after: Record<string, unknown | null>;
}

/** Assistant runs: who asked what on which canvas, what it cost, what it changed. */
export const assistantRuns = pgTable(
	'assistant_runs',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		teamId: uuid('team_id')
			.notNull()
			.references(() => teams.id, { onDelete: 'cascade' }),
		canvasId: uuid('canvas_id')
			.notNull()
			.references(() => canvases.id, { onDelete: 'cascade' }),
		/** The person who asked (null for a guest on a share link, or once the account is deleted). */
		userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
		/** Who asked, as an actor kind (user, apiKey, guest) and reference (key id, guest socket name). */
		actorKind: text('actor_kind').notNull(),
		actorRef: text('actor_ref'),
		/** The chat messages: the prompt, and the answer the run streams into. */
		kind: text('kind', { enum: RUN_KINDS }).notNull().default('assistant'),
		/** What a design-document or code run was asked for (format, shape ids, languages). */
		request: jsonb('request').$type<Record<string, unknown>>(),
		/** The files it made (design-document and code runs). */
		files: jsonb('files').$type<StoredRunFile[]>().notNull().default([]),
		promptMessageId: text('prompt_message_id').notNull(),
		answerMessageId: text('answer_message_id').notNull(),
		prompt: text('prompt').notNull(),
		tier: text('tier', { enum: MODEL_TIERS }).notNull(),
		provider: text('provider', { enum: RUN_PROVIDERS }).notNull(),
		model: text('model').notNull(),
		/** Whether the team's own provider key paid for it (no Easel credits). */
		ownKey: boolean('own_key').notNull().default(false),
		/** Whether the run had editing tools (the invoker could edit the canvas). */
		canEdit: boolean('can_edit').notNull(),
		status: text('status', { enum: RUN_STATUSES }).notNull().default('queued'),
		reservationId: uuid('reservation_id'),
		estimatedCredits: integer('estimated_credits').notNull(),
		creditsCharged: integer('credits_charged').notNull().default(0),
		inputTokens: integer('input_tokens').notNull().default(0),
		outputTokens: integer('output_tokens').notNull().default(0),
		changes: jsonb('changes').$type<StoredRunChange[]>().notNull().default([]),
		error: text('error'),
		/** The "Before AI" version captured before the first change. */
		versionId: uuid('version_id'),
		createdAt: createdAt(),
		startedAt: timestamp('started_at', { withTimezone: true }),
		finishedAt: timestamp('finished_at', { withTimezone: true }),
		/** Last sign of life from the instance running it; a running run silent for long is failed by the sweeper. */
		heartbeatAt: timestamp('heartbeat_at', { withTimezone: true })
	},
	(table) => [
		index('assistant_runs_canvas_idx').on(table.canvasId, table.createdAt),
		index('assistant_runs_status_idx').on(table.status),
		// At most one run edits a canvas at a time, across every instance: a second one waits its turn.
		// Design documents and code only read the canvas, so they run beside it.
		uniqueIndex('assistant_runs_one_running_per_canvas')
			.on(table.canvasId)
			.where(sql`status = 'running' and kind = 'assistant'`)
	]
);

/** Every AI request, for the usage page and rate limits (kept when the run or canvas goes). */
export const aiUsageEvents = pgTable(
	'ai_usage_events',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
		teamId: uuid('team_id')
			.notNull()
			.references(() => teams.id, { onDelete: 'cascade' }),
		userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
		canvasId: uuid('canvas_id').references(() => canvases.id, { onDelete: 'set null' }),
		runId: uuid('run_id'),
		/** What the request was: an assistant run now; design docs and code later. */
		feature: text('feature').notNull().default('assistant'),
		provider: text('provider').notNull(),
		model: text('model').notNull(),
		tier: text('tier', { enum: MODEL_TIERS }).notNull(),
		inputTokens: integer('input_tokens').notNull().default(0),
		outputTokens: integer('output_tokens').notNull().default(0),
		credits: integer('credits').notNull().default(0),
		ownKey: boolean('own_key').notNull().default(false),
		latencyMs: integer('latency_ms').notNull().default(0),
		/** succeeded, failed or cancelled. */
		outcome: text('outcome').notNull(),
		createdAt: createdAt()
	},
	(table) => [index('ai_usage_events_team_idx').on(table.teamId, table.createdAt)]
);

/** A team's AI settings: its own provider key (encrypted at rest) and whether edit-link guests may use AI. */
export const teamAiSettings = pgTable('team_ai_settings', {
	teamId: uuid('team_id')
		.primaryKey()
		.references(() => teams.id, { onDelete: 'cascade' }),
	/** Bring your own key: provider, base URL, per-tier model ids and the key, sealed with the server secret. */
	provider: text('provider', { enum: AI_PROVIDERS }),
	baseUrl: text('base_url'),
	models: jsonb('models').$type<Partial<Record<ModelTier, string>>>(),
	apiKeySealed: text('api_key_sealed'),
	/** The key's last four characters, to show it masked. */
	apiKeyHint: text('api_key_hint'),
	allowGuestAi: boolean('allow_guest_ai').notNull().default(false),
	updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
	updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
});

/**
 * The bytes of an uploaded file, stored once per content (sha-256) in the asset store (files under
 * DATA_DIR/assets, or the S3 bucket) under `storage_key`. A blob no asset row points at is deleted
 * from the store by the asset sweeper.
 */
export const assetBlobs = pgTable('asset_blobs', {
	sha256: text('sha256').primaryKey(),
	storageKey: text('storage_key').notNull(),
	mimeType: text('mime_type').notNull(),
	bytes: bigint('bytes', { mode: 'number' }).notNull(),
	createdAt: createdAt()
});

/**
 * An image or file on one canvas (`/api/v1/assets/<id>`). It belongs to its canvas: duplicating or
 * remixing a canvas gives the copy rows of its own pointing at the same blob. A team's storage is
 * the sum of `bytes` over its canvases' assets.
 */
export const assets = pgTable(
	'assets',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		canvasId: uuid('canvas_id')
			.notNull()
			.references(() => canvases.id, { onDelete: 'cascade' }),
		sha256: text('sha256')
			.notNull()
			.references(() => assetBlobs.sha256),
		mimeType: text('mime_type').notNull(),
		bytes: bigint('bytes', { mode: 'number' }).notNull(),
		width: integer('width'),
		height: integer('height'),
		/** The name the file was uploaded with, for downloads (never trusted for its type). */
		fileName: text('file_name'),
		uploadedBy: uuid('uploaded_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: createdAt()
	},
	(table) => [index('assets_canvas_id_idx').on(table.canvasId), index('assets_sha256_idx').on(table.sha256)]
);

export const MODERATION_STATES = ['visible', 'hidden'] as const;
export type ModerationState = (typeof MODERATION_STATES)[number];

/**
 * A canvas published to the gallery (`/p/<slug>`): a frozen version (kind `publish`) with its
 * preview image; republishing replaces the version, unpublishing deletes the row.
 */
export const publications = pgTable(
	'publications',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		canvasId: uuid('canvas_id')
			.notNull()
			.unique()
			.references(() => canvases.id, { onDelete: 'cascade' }),
		slug: text('slug').notNull().unique(),
		/** The frozen version shown; a publish version is kept whatever the history window. */
		versionId: uuid('version_id')
			.notNull()
			.references(() => documentVersions.id),
		title: text('title').notNull(),
		description: text('description').notNull().default(''),
		tags: text('tags')
			.array()
			.notNull()
			.default(sql`'{}'::text[]`),
		/** Who published it, as shown on the page (the name is kept if the account goes). */
		authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
		authorName: text('author_name').notNull(),
		/** The frozen canvas's text, for search. */
		canvasText: text('canvas_text').notNull().default(''),
		searchVector: tsvector('search_vector'),
		/** The preview image in the asset store (PNG or SVG), or null when none could be made. */
		previewKey: text('preview_key'),
		previewMimeType: text('preview_mime_type'),
		viewCount: bigint('view_count', { mode: 'number' }).notNull().default(0),
		remixCount: integer('remix_count').notNull().default(0),
		moderation: text('moderation', { enum: MODERATION_STATES }).notNull().default('visible'),
		/** Why an instance administrator hid it (shown to its team). */
		moderationReason: text('moderation_reason'),
		moderatedBy: uuid('moderated_by').references(() => users.id, { onDelete: 'set null' }),
		moderatedAt: timestamp('moderated_at', { withTimezone: true }),
		publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
		createdAt: createdAt()
	},
	(table) => [
		index('publications_search_idx').using('gin', table.searchVector),
		index('publications_tags_idx').using('gin', table.tags),
		index('publications_published_at_idx').on(table.publishedAt, table.id),
		index('publications_view_count_idx').on(table.viewCount, table.id),
		index('publications_remix_count_idx').on(table.remixCount, table.id)
	]
);

/** Assets the frozen version of a publication shows: visitors may fetch exactly these. */
export const publicationAssets = pgTable(
	'publication_assets',
	{
		publicationId: uuid('publication_id')
			.notNull()
			.references(() => publications.id, { onDelete: 'cascade' }),
		assetId: uuid('asset_id')
			.notNull()
			.references(() => assets.id, { onDelete: 'cascade' })
	},
	(table) => [primaryKey({ columns: [table.publicationId, table.assetId] }), index('publication_assets_asset_id_idx').on(table.assetId)]
);

/** A visitor's report of a published canvas, for the instance administrators' moderation queue. */
export const publicationReports = pgTable(
	'publication_reports',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		publicationId: uuid('publication_id')
			.notNull()
			.references(() => publications.id, { onDelete: 'cascade' }),
		reason: text('reason').notNull(),
		reporterId: uuid('reporter_id').references(() => users.id, { onDelete: 'set null' }),
		/** Set once an administrator has acted on (or dismissed) the report. */
		resolvedAt: timestamp('resolved_at', { withTimezone: true }),
		createdAt: createdAt()
	},
	(table) => [index('publication_reports_open_idx').on(table.publicationId, table.resolvedAt)]
);

/** A team's API key (`easel_…`): only the SHA-256 of its secret is kept; `prefix` is what lists show. */
export const apiKeys = pgTable(
	'api_keys',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		teamId: uuid('team_id')
			.notNull()
			.references(() => teams.id, { onDelete: 'cascade' }),
		name: text('name').notNull(),
		/** The start of the token (`easel_` and a few characters), to recognise a key in a list. */
		prefix: text('prefix').notNull(),
		tokenHash: text('token_hash').notNull(),
		/** API_KEY_SCOPES names; a name this version does not know grants nothing. */
		scopes: text('scopes').array().notNull(),
		/** When set, the key reaches only these canvases of its team. */
		canvasIds: uuid('canvas_ids').array(),
		/** The admin who made it (null once their account is deleted). */
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: createdAt(),
		expiresAt: timestamp('expires_at', { withTimezone: true }),
		lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
		lastUsedIp: text('last_used_ip'),
		revokedAt: timestamp('revoked_at', { withTimezone: true })
	},
	(table) => [uniqueIndex('api_keys_token_hash_idx').on(table.tokenHash), index('api_keys_team_idx').on(table.teamId, table.createdAt)]
);

/** The network addresses each API key has been used from: a first use from a new one is audited. */
export const apiKeyAddresses = pgTable(
	'api_key_addresses',
	{
		keyId: uuid('key_id')
			.notNull()
			.references(() => apiKeys.id, { onDelete: 'cascade' }),
		ip: text('ip').notNull(),
		firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow()
	},
	(table) => [primaryKey({ columns: [table.keyId, table.ip] })]
);

/** A conversation a program pushed onto a canvas; its messages are cards on the canvas. */
export const conversations = pgTable(
	'conversations',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		canvasId: uuid('canvas_id')
			.notNull()
			.references(() => canvases.id, { onDelete: 'cascade' }),
		teamId: uuid('team_id')
			.notNull()
			.references(() => teams.id, { onDelete: 'cascade' }),
		/** The program's own id for it: pushing the same one again answers this conversation. */
		externalId: text('external_id'),
		title: text('title'),
		/** Who pushed it, as an audit actor kind and reference (user id, key id). */
		actorKind: text('actor_kind', { enum: AUDIT_ACTOR_KINDS }).notNull(),
		actorRef: text('actor_ref'),
		createdAt: createdAt()
	},
	(table) => [
		uniqueIndex('conversations_canvas_external_id_idx')
			.on(table.canvasId, table.externalId)
			.where(sql`external_id is not null`),
		index('conversations_canvas_idx').on(table.canvasId, table.createdAt)
	]
);

export const CONVERSATION_MESSAGE_STATUSES = ['streaming', 'complete'] as const;
export type ConversationMessageStatus = (typeof CONVERSATION_MESSAGE_STATUSES)[number];

/**
 * One message of a conversation: the system of record for the API (the tree, the streamed text in
 * order); the canvas holds a card showing it. A second child of one parent is a branch; `retryOf`
 * marks a sibling that retries another.
 */
export const conversationMessages = pgTable(
	'conversation_messages',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		conversationId: uuid('conversation_id')
			.notNull()
			.references(() => conversations.id, { onDelete: 'cascade' }),
		parentId: uuid('parent_id'),
		retryOf: uuid('retry_of'),
		/** Order of arrival within the conversation (siblings sort by it). */
		seq: integer('seq').notNull(),
		role: text('role').notNull(),
		/** Normalized content: text, image and tool-result parts, tool calls (see conversations/). */
		content: jsonb('content').$type<unknown>().notNull(),
		/** The message's text, appended to by stream deltas in the order the database receives them. */
		text: text('text').notNull().default(''),
		model: text('model'),
		name: text('name'),
		usage: jsonb('usage').$type<Record<string, number>>(),
		latencyMs: integer('latency_ms'),
		status: text('status', { enum: CONVERSATION_MESSAGE_STATUSES }).notNull().default('complete'),
		createdAt: createdAt(),
		completedAt: timestamp('completed_at', { withTimezone: true })
	},
	(table) => [
		uniqueIndex('conversation_messages_seq_idx').on(table.conversationId, table.seq),
		index('conversation_messages_parent_idx').on(table.conversationId, table.parentId)
	]
);

/**
 * Live sketch → image: one request for pictures of a sketch, as people and the API see it. The queue
 * itself is pg-boss's (`bossJobId`); this row is the job's story (state, position, charge, result)
 * and what a newer sketch of the same frame supersedes while it waits.
 */
export const imageJobs = pgTable(
	'image_jobs',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		/** The team that pays (null for a guest at /sketch). */
		teamId: uuid('team_id').references(() => teams.id, { onDelete: 'cascade' }),
		canvasId: uuid('canvas_id').references(() => canvases.id, { onDelete: 'cascade' }),
		/** The sketch frame (`shape:…`) it came from; its result frame shows the job. */
		frameId: text('frame_id'),
		userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
		/** Who asked, as an actor kind (user, apiKey, guest) and reference (key id, guest id hash). */
		actorKind: text('actor_kind').notNull(),
		actorRef: text('actor_ref'),
		/** A guest's network address, hashed (the playground's daily limit counts by it). */
		guestAddress: text('guest_address'),
		prompt: text('prompt').notNull(),
		strength: integer('strength_percent').notNull(),
		variations: integer('variations').notNull(),
		/** The sketch PNG's blob key (stored like an asset's bytes, by content). */
		sketchKey: text('sketch_key').notNull(),
		/** Higher goes first (paid plans). */
		priority: integer('priority').notNull().default(0),
		state: text('state', { enum: IMAGE_JOB_STATES }).notNull().default('queued'),
		progress: integer('progress_percent'),
		error: text('error'),
		attempts: integer('attempts').notNull().default(0),
		bossJobId: text('boss_job_id'),
		reservationId: uuid('reservation_id'),
		creditsCharged: integer('credits_charged').notNull().default(0),
		/** The pictures: asset ids on a canvas, blob keys for a guest. */
		assetIds: jsonb('asset_ids').$type<string[]>().notNull().default([]),
		resultKeys: jsonb('result_keys').$type<string[]>().notNull().default([]),
		workerId: text('worker_id'),
		provider: text('provider'),
		createdAt: createdAt(),
		startedAt: timestamp('started_at', { withTimezone: true }),
		finishedAt: timestamp('finished_at', { withTimezone: true })
	},
	(table) => [
		index('image_jobs_queue_idx').on(table.state, table.priority, table.createdAt),
		index('image_jobs_frame_idx').on(table.canvasId, table.frameId, table.state),
		index('image_jobs_team_idx').on(table.teamId, table.createdAt),
		index('image_jobs_guest_idx').on(table.guestAddress, table.createdAt),
		// A frame never has more than one job waiting: a newer sketch supersedes the one queued.
		uniqueIndex('image_jobs_one_queued_per_frame')
			.on(table.canvasId, table.frameId)
			.where(sql`state = 'queued' and frame_id is not null`)
	]
);

/** Image worker processes, as they report themselves: what /metrics and "the image service is busy" count. */
export const imageWorkers = pgTable('image_workers', {
	id: text('id').primaryKey(),
	host: text('host').notNull(),
	pid: integer('pid').notNull(),
	concurrency: integer('concurrency').notNull(),
	provider: text('provider').notNull(),
	/** The jobs it runs now. */
	currentJobs: jsonb('current_jobs').$type<string[]>().notNull().default([]),
	providerReachable: boolean('provider_reachable').notNull().default(false),
	providerError: text('provider_error'),
	startedAt: createdAt(),
	heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }).notNull().defaultNow()
});
