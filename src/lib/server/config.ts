// Process configuration: read once from the environment, validated with zod, frozen.
import { accessSync, constants, statSync } from 'node:fs';
import { z } from 'zod';
import { AI_PROVIDERS, IDENTITY_PROVIDERS, type IdentityProvider } from './db/schema.ts';

export const IMAGE_PROVIDERS = ['comfyui', 'openai'] as const;
export type ImageProviderName = (typeof IMAGE_PROVIDERS)[number];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const integer = (name: string, min: number, max: number) =>
	z.coerce
		.number({ error: `${name} must be a number` })
		.int({ error: `${name} must be a whole number` })
		.min(min, { error: `${name} must be at least ${min}` })
		.max(max, { error: `${name} must be at most ${max}` });

const optionalUrl = (name: string, protocols: string[]) =>
	z
		.string()
		.trim()
		.optional()
		.transform((value) => (value ? value : undefined))
		.refine((value) => value === undefined || isUrlWithProtocol(value, protocols), {
			error: `${name} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`
		});

function isUrlWithProtocol(value: string, protocols: string[]) {
	try {
		return protocols.includes(new URL(value).protocol);
	} catch {
		return false;
	}
}

const environmentSchema = z.object({
	PORT: integer('PORT', 0, 65535).default(3000),
	HOST: z.string().trim().min(1, { error: 'HOST must not be empty' }).default('127.0.0.1'),
	PUBLIC_ORIGIN: optionalUrl('PUBLIC_ORIGIN', ['http:', 'https:']),
	DATA_DIR: z.string().trim().min(1, { error: 'DATA_DIR must not be empty' }).default('./data'),
	DATABASE_URL: optionalUrl('DATABASE_URL', ['postgres:', 'postgresql:']),
	/** Joins several instances: documents, revocations and rate limits are shared through Redis. */
	REDIS_URL: optionalUrl('REDIS_URL', ['redis:', 'rediss:']),
	/** Namespace of Easel's Redis keys and channels (several deployments can share one Redis). */
	REDIS_PREFIX: z
		.string()
		.trim()
		.regex(/^[\w.-]{1,64}$/, { error: 'REDIS_PREFIX must be 1–64 letters, digits, dots, dashes or underscores' })
		.default('easel'),
	/** Header carrying the client address behind a reverse proxy (as adapter-node reads it), e.g. x-forwarded-for. */
	ADDRESS_HEADER: z.string().trim().optional(),
	/** With x-forwarded-for: how many trusted proxies appended to it. */
	XFF_DEPTH: integer('XFF_DEPTH', 1, 10).default(1),
	/** When set, /metrics needs `Authorization: Bearer <METRICS_TOKEN>`. */
	METRICS_TOKEN: z.string().trim().optional(),
	LOG_LEVEL: z.enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
	TLDRAW_LICENSE_KEY: z.string().trim().optional(),
	/** Chromium for server-side pictures of canvases (read by loadConfig itself: set but empty means off). */
	CHROMIUM_PATH: z.string().trim().optional(),
	/** Stripe (optional): with a secret key, plans are sold through Checkout and synced from webhooks. */
	STRIPE_SECRET_KEY: z.string().trim().optional(),
	STRIPE_WEBHOOK_SECRET: z.string().trim().optional(),
	STRIPE_PRICE_PRO: z.string().trim().optional(),
	/** Per-seat price of the Team plan (quantity = seats). */
	STRIPE_PRICE_TEAM: z.string().trim().optional(),
	/** Credit packs sold once: `credits:price_id` pairs separated by commas, e.g. `500:price_a,2000:price_b`. */
	STRIPE_CREDIT_PACKS: z
		.string()
		.trim()
		.optional()
		.refine((value) => !value || /^\d+:[\w-]+(,\d+:[\w-]+)*$/.test(value), { error: 'STRIPE_CREDIT_PACKS must look like 500:price_abc,2000:price_def' }),
	/** Where the Stripe API is (tests point it at a local server); default Stripe's own. */
	STRIPE_API_BASE: optionalUrl('STRIPE_API_BASE', ['http:', 'https:']),
	/** smtp(s)://user:pass@host:port to email invitations; without it invite links are shown to copy. */
	SMTP_URL: optionalUrl('SMTP_URL', ['smtp:', 'smtps:']),
	SMTP_FROM: z.string().trim().default('Easel <no-reply@localhost>'),
	/** Sign-in through any OpenID Connect provider (discovery at OIDC_ISSUER): all three or none. */
	OIDC_ISSUER: optionalUrl('OIDC_ISSUER', ['http:', 'https:']),
	OIDC_CLIENT_ID: z.string().trim().optional(),
	OIDC_CLIENT_SECRET: z.string().trim().optional(),
	/** What the sign-in button calls the OIDC provider ("Sign in with Acme SSO"). */
	OIDC_NAME: z.string().trim().max(40).default('single sign-on'),
	/** Sign-in with GitHub (an OAuth app's client id and secret). */
	GITHUB_CLIENT_ID: z.string().trim().optional(),
	GITHUB_CLIENT_SECRET: z.string().trim().optional(),
	/** A GitHub Enterprise Server to sign in with instead of github.com, e.g. https://github.example.com (its API is <url>/api/v3). */
	GITHUB_ENTERPRISE_URL: optionalUrl('GITHUB_ENTERPRISE_URL', ['http:', 'https:']),
	/** Sign-in with Google (an OAuth client's id and secret). */
	GOOGLE_CLIENT_ID: z.string().trim().optional(),
	GOOGLE_CLIENT_SECRET: z.string().trim().optional(),
	/** Tests only, not for operators: Google's endpoints at a local OpenID test server (<issuer>/authorize, <issuer>/token), its id_tokens issued by <issuer>. */
	GOOGLE_TEST_ISSUER: optionalUrl('GOOGLE_TEST_ISSUER', ['http:']),
	/** Largest WebSocket frame a client may send; bigger frames close the socket (1009). */
	MAX_WS_MESSAGE_BYTES: integer('MAX_WS_MESSAGE_BYTES', 1024, 64 * 1024 * 1024).default(4 * 1024 * 1024),
	/** Most bytes queued for one collaboration socket whose client isn't reading; past it the socket is dropped. */
	MAX_SOCKET_QUEUE_BYTES: integer('MAX_SOCKET_QUEUE_BYTES', 64 * 1024, 4 * 1024 * 1024 * 1024).default(64 * 1024 * 1024),
	/** Sync requests one collaboration socket may send per minute (each makes the server encode what the client lacks). */
	WS_SYNC_REQUESTS_PER_MINUTE: integer('WS_SYNC_REQUESTS_PER_MINUTE', 2, 10_000).default(20),
	/** Largest stored size of one document; updates that would pass it are refused. */
	MAX_DOCUMENT_BYTES: integer('MAX_DOCUMENT_BYTES', 64 * 1024, 1024 * 1024 * 1024).default(32 * 1024 * 1024),
	/** Largest JSON size of one canvas record (a shape's text, an inline image); bigger ones are reverted. */
	MAX_RECORD_BYTES: integer('MAX_RECORD_BYTES', 1024, 64 * 1024 * 1024).default(2 * 1024 * 1024),
	/** Most records one canvas may hold; additions beyond it are reverted. */
	MAX_RECORDS_PER_CANVAS: integer('MAX_RECORDS_PER_CANVAS', 100, 10_000_000).default(100_000),
	/** Largest JSON request body accepted by /api/v1. */
	MAX_JSON_BODY_BYTES: integer('MAX_JSON_BODY_BYTES', 1024, 64 * 1024 * 1024).default(1024 * 1024),
	MAX_TITLE_LENGTH: integer('MAX_TITLE_LENGTH', 1, 1000).default(200),
	/** Update-log batch window: the most a crash of the server alone can lose before clients resend. */
	PERSIST_BATCH_MS: integer('PERSIST_BATCH_MS', 10, 250).default(100),
	SESSION_DAYS: integer('SESSION_DAYS', 1, 365).default(30),
	/** Sign-in attempts allowed per IP + email within LOGIN_WINDOW_SECONDS. */
	LOGIN_ATTEMPTS: integer('LOGIN_ATTEMPTS', 1, 1000).default(10),
	LOGIN_WINDOW_SECONDS: integer('LOGIN_WINDOW_SECONDS', 1, 86400).default(900),
	/**
	 * Sign-in attempts allowed per IP, whatever the email, within LOGIN_WINDOW_SECONDS: stops one
	 * address spraying a password over many accounts, yet leaves room for an office behind one NAT.
	 */
	LOGIN_ATTEMPTS_PER_ADDRESS: integer('LOGIN_ATTEMPTS_PER_ADDRESS', 1, 1_000_000).default(50),
	/** Accounts one IP may create within SIGNUP_WINDOW_SECONDS (stops mass sign-up; a classroom still fits). */
	SIGNUPS_PER_ADDRESS: integer('SIGNUPS_PER_ADDRESS', 1, 1_000_000).default(10),
	SIGNUP_WINDOW_SECONDS: integer('SIGNUP_WINDOW_SECONDS', 1, 7 * 86400).default(3600),
	/** Invitation emails one user may have sent within INVITATION_EMAIL_WINDOW_SECONDS, across teams. */
	INVITATION_EMAILS_PER_SENDER: integer('INVITATION_EMAILS_PER_SENDER', 1, 1_000_000).default(20),
	/** Invitation emails sent for one team within INVITATION_EMAIL_WINDOW_SECONDS, by all its admins. */
	INVITATION_EMAILS_PER_TEAM: integer('INVITATION_EMAILS_PER_TEAM', 1, 1_000_000).default(50),
	INVITATION_EMAIL_WINDOW_SECONDS: integer('INVITATION_EMAIL_WINDOW_SECONDS', 1, 7 * 86400).default(3600),
	/** Account links (password reset, email verification) mailed to one address within ACCOUNT_EMAIL_WINDOW_SECONDS. */
	ACCOUNT_EMAILS_PER_RECIPIENT: integer('ACCOUNT_EMAILS_PER_RECIPIENT', 1, 1_000_000).default(5),
	/** Requests that mail an account link (reset, resend, email change) from one client address within the window. */
	ACCOUNT_EMAIL_REQUESTS_PER_ADDRESS: integer('ACCOUNT_EMAIL_REQUESTS_PER_ADDRESS', 1, 1_000_000).default(20),
	/** Verification resends and email changes one signed-in person may ask for within the window. */
	ACCOUNT_EMAIL_REQUESTS_PER_USER: integer('ACCOUNT_EMAIL_REQUESTS_PER_USER', 1, 1_000_000).default(10),
	ACCOUNT_EMAIL_WINDOW_SECONDS: integer('ACCOUNT_EMAIL_WINDOW_SECONDS', 1, 7 * 86400).default(3600),
	/** Reports of published canvases one client address may file within PUBLICATION_REPORT_WINDOW_SECONDS. */
	PUBLICATION_REPORTS_PER_ADDRESS: integer('PUBLICATION_REPORTS_PER_ADDRESS', 1, 1_000_000).default(5),
	PUBLICATION_REPORT_WINDOW_SECONDS: integer('PUBLICATION_REPORT_WINDOW_SECONDS', 1, 7 * 86400).default(3600),
	/** Longest chat message a person may write (characters); longer ones are reverted. */
	MAX_CHAT_MESSAGE_CHARS: integer('MAX_CHAT_MESSAGE_CHARS', 100, 1_000_000).default(16_000),
	/** Most messages (every branch counted) one canvas's chat may hold; more are reverted. */
	MAX_CHAT_MESSAGES: integer('MAX_CHAT_MESSAGES', 10, 1_000_000).default(5_000),
	/** Largest request body of the conversation API (inline images travel in it as base64). */
	CONVERSATION_MAX_BODY_BYTES: integer('CONVERSATION_MAX_BODY_BYTES', 1024, 1024 * 1024 * 1024).default(16 * 1024 * 1024),
	/** Most messages one request may push onto a canvas. */
	CONVERSATION_MAX_MESSAGES_PER_REQUEST: integer('CONVERSATION_MAX_MESSAGES_PER_REQUEST', 1, 100_000).default(500),
	/** Most messages one conversation may hold, every branch counted (each is a card on the canvas). */
	CONVERSATION_MAX_MESSAGES: integer('CONVERSATION_MAX_MESSAGES', 1, 100_000).default(1_000),
	/** Longest message (characters): its text with every streamed delta, plus its tool calls' arguments and tool results. */
	CONVERSATION_MAX_MESSAGE_CHARS: integer('CONVERSATION_MAX_MESSAGE_CHARS', 100, 10_000_000).default(100_000),
	/** Most tool calls one message may make. */
	CONVERSATION_MAX_TOOL_CALLS: integer('CONVERSATION_MAX_TOOL_CALLS', 1, 10_000).default(64),
	/** Most images one message may hold. */
	CONVERSATION_MAX_IMAGES: integer('CONVERSATION_MAX_IMAGES', 0, 1_000).default(16),
	/** Largest inline image of a message (the plan's per-file limit applies too). */
	CONVERSATION_MAX_IMAGE_BYTES: integer('CONVERSATION_MAX_IMAGE_BYTES', 1024, 1024 * 1024 * 1024).default(5 * 1024 * 1024),
	/** The operator's AI provider; without it the chat is a team chat and the assistant is off. */
	AI_PROVIDER: z.enum(AI_PROVIDERS, { error: `AI_PROVIDER must be one of ${AI_PROVIDERS.join(', ')}` }).optional(),
	/** The provider's API address (required for openai-compatible; ollama defaults to http://127.0.0.1:11434/v1). */
	AI_BASE_URL: optionalUrl('AI_BASE_URL', ['http:', 'https:']),
	AI_API_KEY: z.string().trim().optional(),
	/** Model id of each tier; fast is required with AI_PROVIDER, a tier without a model is unavailable. */
	AI_MODEL_FAST: z.string().trim().optional(),
	AI_MODEL_BALANCED: z.string().trim().optional(),
	AI_MODEL_BEST: z.string().trim().optional(),
	/** The longest an assistant run may take, start to end, before it fails with a timeout. */
	AI_TIMEOUT_SECONDS: integer('AI_TIMEOUT_SECONDS', 5, 3600).default(120),
	/** Most model steps (tool call rounds) in one assistant run. */
	AI_MAX_STEPS: integer('AI_MAX_STEPS', 1, 50).default(8),
	/**
	 * Whether a team's own AI settings may point at loopback or private-network addresses (a team's
	 * Ollama on the LAN); off by default, since every person administers their personal team.
	 */
	AI_ALLOW_PRIVATE_TEAM_URLS: z
		.enum(['true', 'false'], { error: 'AI_ALLOW_PRIVATE_TEAM_URLS must be true or false' })
		.default('false')
		.transform((value) => value === 'true'),
	/** Most tokens the model may write in one step. */
	AI_MAX_OUTPUT_TOKENS: integer('AI_MAX_OUTPUT_TOKENS', 64, 200_000).default(4096),
	/** Live sketch → image: which image model serves the jobs (unset: image generation is off). */
	IMAGE_PROVIDER: z.enum(IMAGE_PROVIDERS, { error: `IMAGE_PROVIDER must be one of ${IMAGE_PROVIDERS.join(', ')}` }).optional(),
	/** ComfyUI's address (IMAGE_PROVIDER=comfyui), e.g. http://gpu-box:8188. */
	COMFYUI_URL: optionalUrl('COMFYUI_URL', ['http:', 'https:']),
	/** A ComfyUI workflow in API format with {{prompt}}, {{image}}, {{seed}}, {{denoise}}, {{batch_size}} placeholders; default the img2img one that ships. */
	COMFYUI_WORKFLOW: z.string().trim().optional(),
	/** An OpenAI-compatible images API (IMAGE_PROVIDER=openai): base URL ending in /v1, key and model. */
	IMAGE_BASE_URL: optionalUrl('IMAGE_BASE_URL', ['http:', 'https:']),
	IMAGE_API_KEY: z.string().trim().optional(),
	IMAGE_MODEL: z.string().trim().default('gpt-image-1'),
	/** Longest one image request to the provider may take before it counts as failed (and is retried). */
	IMAGE_TIMEOUT_SECONDS: integer('IMAGE_TIMEOUT_SECONDS', 5, 3600).default(120),
	/** Image jobs one worker process runs at once. */
	WORKER_CONCURRENCY: integer('WORKER_CONCURRENCY', 1, 64).default(2),
	/** `npm start` runs an image worker in its own process unless this is false (separate `npm run worker` processes serve the queue). */
	IN_PROCESS_WORKER: z
		.enum(['true', 'false'], { error: 'IN_PROCESS_WORKER must be true or false' })
		.default('true')
		.transform((value) => value === 'true'),
	/** Port of a worker process's /healthz, /readyz and /metrics (`npm run worker`). */
	WORKER_PORT: integer('WORKER_PORT', 0, 65535).default(3001),
	/**
	 * Key that seals secrets at rest (teams' own provider keys): 32 bytes, base64. Without it one is
	 * generated into DATA_DIR/secret.key; several instances must share one, so set it with DATABASE_URL.
	 */
	SECRETS_KEY: z
		.string()
		.trim()
		.optional()
		.refine((value) => !value || Buffer.from(value, 'base64').length === 32, { error: 'SECRETS_KEY must be 32 bytes in base64 (openssl rand -base64 32)' }),
	/**
	 * An S3-compatible bucket for assets, thumbnails and previews (AWS S3, R2, MinIO): set all five or
	 * none; without them the files live under DATA_DIR/assets. Several instances need the bucket.
	 */
	S3_BUCKET: z
		.string()
		.trim()
		.optional()
		.refine((value) => !value || /^[A-Za-z0-9._-]{3,255}$/.test(value), {
			error: 'S3_BUCKET must be a bucket name (3 or more letters, digits, dots, dashes or underscores)'
		}),
	/** The bucket's service address, e.g. https://s3.eu-west-1.amazonaws.com, https://<account>.r2.cloudflarestorage.com, http://minio:9000. */
	S3_ENDPOINT: optionalUrl('S3_ENDPOINT', ['http:', 'https:']),
	/** The bucket's region (`auto` on R2, anything MinIO was set up with, e.g. us-east-1). */
	S3_REGION: z
		.string()
		.trim()
		.optional()
		.refine((value) => !value || /^[a-z0-9-]{1,64}$/.test(value), { error: 'S3_REGION must be a region name such as us-east-1 or auto' }),
	S3_ACCESS_KEY_ID: z.string().trim().optional(),
	S3_SECRET_ACCESS_KEY: z.string().trim().optional(),
	/** Collaboration sockets one client address may open per minute (counted before authentication). */
	WS_CONNECTIONS_PER_MINUTE: integer('WS_CONNECTIONS_PER_MINUTE', 1, 1_000_000).default(300),
	/** Requests to /api/v1 one API key may make per minute (its team's plan also limits all its keys together). */
	API_KEY_REQUESTS_PER_MINUTE: integer('API_KEY_REQUESTS_PER_MINUTE', 1, 100_000_000).default(1_200),
	/** Requests to /api/v1 one person (session token or cookie) may make per minute. */
	API_USER_REQUESTS_PER_MINUTE: integer('API_USER_REQUESTS_PER_MINUTE', 1, 100_000_000).default(1_200),
	/**
	 * Requests to /api/v1 all of one team's API keys may make per minute, whatever its plan; unset, the
	 * plan catalog decides (Free 1,200, Pro 6,000, Team 30,000).
	 */
	API_TEAM_REQUESTS_PER_MINUTE: integer('API_TEAM_REQUESTS_PER_MINUTE', 1, 100_000_000).optional(),
	/** Active (not revoked, not expired) API keys one team may hold. */
	API_KEYS_PER_TEAM: integer('API_KEYS_PER_TEAM', 1, 100_000).default(100)
});

/** The settings of the S3 asset store: all or none. */
const S3_SETTINGS = ['S3_BUCKET', 'S3_ENDPOINT', 'S3_REGION', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const;

export type Config = z.infer<typeof environmentSchema> & {
	/** Origin used in links; also the origin WebSocket upgrades must come from. */
	publicOrigin: string;
	/** Exact origins a browser may open the collaboration socket from. */
	allowedOrigins: string[];
	/** Whether PUBLIC_ORIGIN was given (otherwise local loopback origins are accepted). */
	secureCookies: boolean;
	/** Credit packs for sale (empty without Stripe). */
	creditPacks: { credits: number; priceId: string }[];
	/** Chromium for server-side rendering of canvases, or null when this server can't render. */
	chromiumPath: string | null;
	/** The sign-in providers configured (each on when its client id and secret are set). */
	identityProviders: readonly IdentityProvider[];
};

/** The settings each sign-in provider needs, all of them or none. */
const IDENTITY_PROVIDER_SETTINGS = {
	oidc: ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'],
	github: ['GITHUB_CLIENT_ID', 'GITHUB_CLIENT_SECRET'],
	google: ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET']
} as const satisfies Record<IdentityProvider, readonly (keyof z.infer<typeof environmentSchema>)[]>;

/** Where Debian's `apt-get install chromium` puts it; used when CHROMIUM_PATH is not set and it exists. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * CHROMIUM_PATH: unset → the default when it is there (else no rendering); set but empty → no
 * rendering; a path → it must be an executable file.
 */
function chromiumPathOf(raw: string | undefined): string | null {
	if (raw === undefined) return isExecutableFile(DEFAULT_CHROMIUM_PATH) ? DEFAULT_CHROMIUM_PATH : null;
	const path = raw.trim();
	if (!path) return null;
	if (!isExecutableFile(path)) {
		throw new ConfigError([
			`CHROMIUM_PATH: ${path} is not an executable file (install Chromium, point CHROMIUM_PATH at it, or set CHROMIUM_PATH= empty to turn server rendering off)`
		]);
	}
	return path;
}

/** localhost, 127.0.0.0/8 and ::1: addresses that never leave this machine. */
export function isLoopbackHost(hostname: string): boolean {
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function isExecutableFile(path: string): boolean {
	try {
		if (!statSync(path).isFile()) return false;
		accessSync(path, constants.X_OK);
		return true;
	} catch {
		return false;
	}
}

export class ConfigError extends Error {
	readonly problems: string[];

	constructor(problems: string[]) {
		super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
		this.name = 'ConfigError';
		this.problems = problems;
	}
}

/** Parses an environment (process.env by default); throws ConfigError listing every bad value. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
	const blankToUndefined = Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value === '' ? undefined : value]));
	const parsed = environmentSchema.safeParse(blankToUndefined);
	if (!parsed.success) {
		throw new ConfigError(
			parsed.error.issues.map((issue) => {
				const key = issue.path.join('.');
				return issue.message.startsWith(key) ? issue.message : `${key}: ${issue.message}`;
			})
		);
	}
	const values = parsed.data;
	if (values.STRIPE_SECRET_KEY) {
		const missing = (['STRIPE_WEBHOOK_SECRET', 'STRIPE_PRICE_PRO', 'STRIPE_PRICE_TEAM'] as const).filter((key) => !values[key]);
		if (missing.length) throw new ConfigError(missing.map((key) => `${key}: required when STRIPE_SECRET_KEY is set`));
	}
	const s3Given = S3_SETTINGS.filter((key) => values[key]);
	if (s3Given.length > 0 && s3Given.length < S3_SETTINGS.length) {
		throw new ConfigError(
			S3_SETTINGS.filter((key) => !values[key]).map(
				(key) => `${key}: required when ${s3Given.join(', ')} ${s3Given.length === 1 ? 'is' : 'are'} set (an S3 bucket needs all of ${S3_SETTINGS.join(', ')})`
			)
		);
	}
	if (values.MAX_SOCKET_QUEUE_BYTES < values.MAX_DOCUMENT_BYTES + values.MAX_WS_MESSAGE_BYTES) {
		// A client that opens a canvas over the socket alone is sent the whole document at once.
		throw new ConfigError([
			`MAX_SOCKET_QUEUE_BYTES (${values.MAX_SOCKET_QUEUE_BYTES}) must be at least MAX_DOCUMENT_BYTES + MAX_WS_MESSAGE_BYTES (${values.MAX_DOCUMENT_BYTES + values.MAX_WS_MESSAGE_BYTES})`
		]);
	}
	if (values.LOGIN_ATTEMPTS_PER_ADDRESS < values.LOGIN_ATTEMPTS) {
		throw new ConfigError([
			`LOGIN_ATTEMPTS_PER_ADDRESS (${values.LOGIN_ATTEMPTS_PER_ADDRESS}) must be at least LOGIN_ATTEMPTS (${values.LOGIN_ATTEMPTS}): the per-address budget covers every email`
		]);
	}
	if (values.AI_PROVIDER) {
		const problems: string[] = [];
		if (!values.AI_MODEL_FAST) problems.push('AI_MODEL_FAST: required when AI_PROVIDER is set (the model id of the fast tier)');
		if ((values.AI_PROVIDER === 'openai' || values.AI_PROVIDER === 'anthropic') && !values.AI_API_KEY)
			problems.push(`AI_API_KEY: required when AI_PROVIDER is ${values.AI_PROVIDER}`);
		if (values.AI_PROVIDER === 'openai-compatible' && !values.AI_BASE_URL) problems.push('AI_BASE_URL: required when AI_PROVIDER is openai-compatible');
		if (problems.length) throw new ConfigError(problems);
	}
	if (values.IMAGE_PROVIDER === 'comfyui' && !values.COMFYUI_URL) throw new ConfigError(['COMFYUI_URL: required when IMAGE_PROVIDER is comfyui']);
	if (values.IMAGE_PROVIDER === 'openai') {
		const missing = (['IMAGE_BASE_URL', 'IMAGE_API_KEY'] as const).filter((key) => !values[key]);
		if (missing.length) throw new ConfigError(missing.map((key) => `${key}: required when IMAGE_PROVIDER is openai`));
	}
	const identityProviders: IdentityProvider[] = [];
	for (const provider of IDENTITY_PROVIDERS) {
		const settings = IDENTITY_PROVIDER_SETTINGS[provider];
		const given = settings.filter((key) => values[key]);
		if (given.length === 0) continue;
		if (given.length < settings.length) {
			throw new ConfigError(settings.filter((key) => !values[key]).map((key) => `${key}: required when ${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} set`));
		}
		identityProviders.push(provider);
	}
	// Sign-in providers are trusted to say who someone is: plain http only to this machine (tests, a local provider).
	const insecureProviderUrls = (['OIDC_ISSUER', 'GITHUB_ENTERPRISE_URL', 'GOOGLE_TEST_ISSUER'] as const).filter(
		(key) => values[key] && new URL(values[key]).protocol === 'http:' && !isLoopbackHost(new URL(values[key]).hostname)
	);
	if (insecureProviderUrls.length) {
		throw new ConfigError(insecureProviderUrls.map((key) => `${key}: must start with https:// (plain http is accepted for localhost and 127.0.0.1 only)`));
	}
	const chromiumPath = chromiumPathOf(env.CHROMIUM_PATH);
	const publicOrigin = values.PUBLIC_ORIGIN ? new URL(values.PUBLIC_ORIGIN).origin : `http://localhost:${values.PORT}`;
	const allowedOrigins = values.PUBLIC_ORIGIN ? [publicOrigin] : [`http://localhost:${values.PORT}`, `http://127.0.0.1:${values.PORT}`];
	return Object.freeze({
		...values,
		publicOrigin,
		allowedOrigins,
		secureCookies: publicOrigin.startsWith('https:'),
		chromiumPath,
		identityProviders,
		creditPacks: (values.STRIPE_CREDIT_PACKS ?? '')
			.split(',')
			.filter(Boolean)
			.map((pair) => {
				const [credits, priceId] = pair.split(':');
				return { credits: Number(credits), priceId };
			})
	});
}

const CONFIG_KEY = Symbol.for('easel.config');
type Holder = { [CONFIG_KEY]?: Config };

/** The process configuration, parsed on first use and shared by every copy of this module. */
export function config(): Config {
	const holder = globalThis as Holder;
	return (holder[CONFIG_KEY] ??= loadConfig());
}

/** Replaces the process configuration (tests and the server entry, before anything else runs). */
export function setConfig(next: Config): void {
	(globalThis as Holder)[CONFIG_KEY] = next;
}
