// A team's own AI settings (bring your own key): provider, address, per-tier model ids and the key,
// sealed at rest and never shown again (only its last four characters); whether edit-link guests
// may use AI; and a real "test connection" call. Admins and owners only ('team.ai').
import { APICallError, generateText } from 'ai';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { requireTeamRole, type Actor, type UserActor } from '../access.ts';
import * as audit from '../audit.ts';
import type { Config } from '../config.ts';
import type { Queryable } from '../db/index.ts';
import { AI_PROVIDERS, MODEL_TIERS, teamAiSettings, type AiProvider, type ModelTier } from '../db/schema.ts';
import { AppError, parseInput } from '../errors.ts';
import { secretBoxFor } from '../secret-box.ts';
import { assertPublicUrl, PrivateAddressError } from './public-addresses.ts';
import {
	isComplete,
	languageModel,
	OLLAMA_DEFAULT_BASE_URL,
	operatorSettings,
	teamFetch,
	teamProviderSettings,
	PROVIDERS_NEEDING_BASE_URL,
	PROVIDERS_NEEDING_KEY,
	type ProviderSettings
} from './providers.ts';

/** What the settings page shows: never the key, only whether there is one and its last four characters. */
export interface AiSettingsView {
	/** null: the team uses the server's provider. */
	provider: AiProvider | null;
	baseUrl: string | null;
	models: Partial<Record<ModelTier, string>>;
	/** '••••abcd', or null without a key. */
	keyHint: string | null;
	hasKey: boolean;
	allowGuestAi: boolean;
	/** Whether the saved settings are complete, so the team's runs use them (and cost no Easel credits). */
	inEffect: boolean;
}

export type TestConnectionResult = { ok: true; model: string; latencyMs: number } | { ok: false; reason: string };

export const TEST_CONNECTION_TIMEOUT_MS = 10_000;

const MODEL_ID = /^[\w.:/@+-]+$/;
const modelIdSchema = z
	.string()
	.trim()
	.max(200, { error: 'A model id is at most 200 characters.' })
	.refine((value) => value === '' || MODEL_ID.test(value), { error: 'A model id has no spaces (letters, digits and . : / @ + - _).' })
	.transform((value) => value || undefined)
	.optional();

const baseUrlSchema = z
	.string()
	.trim()
	.max(500, { error: 'The base URL is at most 500 characters.' })
	.transform((value) => value || null)
	.refine((value) => value === null || isHttpUrl(value), { error: 'The base URL must start with http:// or https://.' })
	.nullish();

function isHttpUrl(value: string): boolean {
	try {
		const url = new URL(value);
		return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
	} catch {
		return false;
	}
}

const apiKeySchema = z
	.string()
	.trim()
	.max(1000, { error: 'The API key is at most 1000 characters.' })
	.refine((value) => !/\s/.test(value), { error: 'The API key has no spaces.' })
	.transform((value) => value || undefined)
	.optional();

const modelsSchema = z.object({ fast: modelIdSchema, balanced: modelIdSchema, best: modelIdSchema }).strict();

export const saveAiSettingsSchema = z
	.object({
		/** null (or absent) removes the team's own provider: the server's is used again. */
		provider: z.enum(AI_PROVIDERS, { error: `Provider must be one of ${AI_PROVIDERS.join(', ')}.` }).nullish(),
		baseUrl: baseUrlSchema,
		models: modelsSchema.default({}),
		/** Blank or absent keeps the saved key. */
		apiKey: apiKeySchema,
		clearKey: z.boolean().optional(),
		allowGuestAi: z.boolean().optional()
	})
	.strict();
export type SaveAiSettingsInput = z.input<typeof saveAiSettingsSchema>;

/** Unsaved settings to try ("Test connection" before saving); what is left out comes from the saved ones. */
export const testConnectionSchema = z
	.object({
		provider: z.enum(AI_PROVIDERS, { error: `Provider must be one of ${AI_PROVIDERS.join(', ')}.` }).nullish(),
		baseUrl: baseUrlSchema,
		models: modelsSchema.optional(),
		apiKey: apiKeySchema
	})
	.strict();
export type TestConnectionInput = z.input<typeof testConnectionSchema>;

type SettingsRow = typeof teamAiSettings.$inferSelect;

async function readRow(db: Queryable, teamId: string): Promise<SettingsRow | undefined> {
	const [row] = await db.select().from(teamAiSettings).where(eq(teamAiSettings.teamId, teamId));
	return row;
}

function viewOf(row: SettingsRow | undefined): AiSettingsView {
	const provider = row?.provider ?? null;
	const models = row?.models ?? {};
	return {
		provider,
		baseUrl: row?.baseUrl ?? null,
		models,
		keyHint: row?.apiKeyHint ? `••••${row.apiKeyHint}` : null,
		hasKey: Boolean(row?.apiKeySealed),
		allowGuestAi: row?.allowGuestAi ?? false,
		inEffect: provider !== null && isComplete({ provider, baseUrl: row?.baseUrl, apiKey: row?.apiKeySealed ? 'sealed' : null, models })
	};
}

export async function getAiSettings(db: Queryable, actor: Actor, teamId: string): Promise<AiSettingsView> {
	await requireTeamRole(db, actor, teamId, 'team.ai');
	return viewOf(await readRow(db, teamId));
}

/** Whether edit-link guests may start assistant runs in this team (on its credits); for the run engine, no actor check. */
export async function guestAiAllowed(db: Queryable, teamId: string): Promise<boolean> {
	const [row] = await db.select({ allowGuestAi: teamAiSettings.allowGuestAi }).from(teamAiSettings).where(eq(teamAiSettings.teamId, teamId));
	return row?.allowGuestAi ?? false;
}

/**
 * Saves the team's provider settings. A blank key keeps the saved one (`clearKey` removes it); the key
 * is sealed bound to the team, and the audit log says that it changed, never what it is.
 */
export async function saveAiSettings(
	db: Queryable,
	config: Config,
	actor: UserActor,
	teamId: string,
	rawInput: unknown,
	context: { ip?: string } = {}
): Promise<AiSettingsView> {
	await requireTeamRole(db, actor, teamId, 'team.ai');
	const input = parseInput(saveAiSettingsSchema, rawInput);
	const existing = await readRow(db, teamId);
	const provider = input.provider ?? null;
	const models = provider ? input.models : {};
	let apiKeySealed = existing?.apiKeySealed ?? null;
	let apiKeyHint = existing?.apiKeyHint ?? null;
	let keyChange: 'set' | 'cleared' | 'kept' = 'kept';
	if (input.apiKey) {
		apiKeySealed = secretBoxFor(config).seal(input.apiKey, teamId);
		apiKeyHint = input.apiKey.slice(-4);
		keyChange = 'set';
	} else if (input.clearKey || !provider) {
		keyChange = apiKeySealed ? 'cleared' : 'kept';
		apiKeySealed = null;
		apiKeyHint = null;
	}
	if (provider) {
		if (PROVIDERS_NEEDING_BASE_URL.includes(provider) && !input.baseUrl) throw invalid('baseUrl', `A base URL is required for ${provider}.`);
		if (PROVIDERS_NEEDING_KEY.includes(provider) && !apiKeySealed) throw invalid('apiKey', `An API key is required for ${provider}.`);
		if (!MODEL_TIERS.some((tier) => models[tier])) throw invalid('models', 'Give the model id of at least one tier (fast is the one most runs use).');
		if (!config.AI_ALLOW_PRIVATE_TEAM_URLS) await assertTeamAddress(provider, input.baseUrl ?? null);
	}
	const values = {
		provider,
		baseUrl: provider ? (input.baseUrl ?? null) : null,
		models,
		apiKeySealed,
		apiKeyHint,
		allowGuestAi: input.allowGuestAi ?? existing?.allowGuestAi ?? false,
		updatedBy: actor.userId,
		updatedAt: new Date()
	};
	await db
		.insert(teamAiSettings)
		.values({ teamId, ...values })
		.onConflictDoUpdate({ target: teamAiSettings.teamId, set: values });
	await audit.record(db, {
		actorId: actor.userId,
		teamId,
		action: 'ai_settings.update',
		targetType: 'team',
		targetId: teamId,
		details: provider
			? { provider, baseUrl: values.baseUrl, models, key: keyChange, allowGuestAi: values.allowGuestAi }
			: { cleared: true, key: keyChange, allowGuestAi: values.allowGuestAi },
		ip: context.ip
	});
	return viewOf(await readRow(db, teamId));
}

/** Lets (or stops) edit-link guests use the assistant on the team's credits. */
export async function setAllowGuestAi(db: Queryable, actor: UserActor, teamId: string, allow: boolean, context: { ip?: string } = {}): Promise<AiSettingsView> {
	await requireTeamRole(db, actor, teamId, 'team.ai');
	const allowGuestAi = parseInput(z.boolean({ error: 'allowGuestAi must be true or false.' }), allow);
	await db
		.insert(teamAiSettings)
		.values({ teamId, allowGuestAi, updatedBy: actor.userId })
		.onConflictDoUpdate({ target: teamAiSettings.teamId, set: { allowGuestAi, updatedBy: actor.userId, updatedAt: new Date() } });
	await audit.record(db, {
		actorId: actor.userId,
		teamId,
		action: 'ai_settings.update',
		targetType: 'team',
		targetId: teamId,
		details: { allowGuestAi },
		ip: context.ip
	});
	return viewOf(await readRow(db, teamId));
}

/** Team settings may not aim the server at its own network (see public-addresses.ts). */
async function assertTeamAddress(provider: AiProvider, baseUrl: string | null): Promise<void> {
	const url = baseUrl ?? (provider === 'ollama' ? OLLAMA_DEFAULT_BASE_URL : null);
	if (!url) return;
	try {
		await assertPublicUrl(url);
	} catch (error) {
		if (!(error instanceof PrivateAddressError)) throw error;
		throw invalid('baseUrl', privateAddressReason(error));
	}
}

function privateAddressReason(error: PrivateAddressError): string {
	return `${error.message} Use the provider's public address (the operator can allow private ones with AI_ALLOW_PRIVATE_TEAM_URLS=true).`;
}

function invalid(field: string, message: string): AppError {
	return new AppError('INVALID_INPUT', message, { field });
}

/**
 * Makes one real, minimal request (a one-token answer from the first configured tier's model, 10 s at
 * most) with the given unsaved settings over the saved ones, or the saved ones, or the server's, and
 * says in plain words what went wrong.
 */
export async function testConnection(db: Queryable, config: Config, actor: Actor, teamId: string, rawInput?: unknown): Promise<TestConnectionResult> {
	await requireTeamRole(db, actor, teamId, 'team.ai');
	const input = rawInput === undefined ? {} : parseInput(testConnectionSchema, rawInput);
	const settings = await settingsToTest(db, config, teamId, input);
	if (!settings) return { ok: false, reason: 'No AI provider is set up: choose one, or ask the operator to configure the server.' };
	const tier = MODEL_TIERS.find((candidate) => settings.models[candidate]);
	if (!tier) return { ok: false, reason: 'Give the model id of at least one tier to test.' };
	if (PROVIDERS_NEEDING_KEY.includes(settings.provider) && !settings.apiKey) return { ok: false, reason: `${settings.provider} needs an API key.` };
	if (PROVIDERS_NEEDING_BASE_URL.includes(settings.provider) && !settings.baseUrl) return { ok: false, reason: `${settings.provider} needs a base URL.` };
	const modelId = settings.models[tier]!;
	const started = performance.now();
	try {
		await generateText({
			model: languageModel(settings, modelId),
			prompt: 'Reply with OK.',
			maxOutputTokens: 1,
			maxRetries: 0,
			abortSignal: AbortSignal.timeout(TEST_CONNECTION_TIMEOUT_MS)
		});
		return { ok: true, model: modelId, latencyMs: Math.round(performance.now() - started) };
	} catch (error) {
		return { ok: false, reason: connectionProblem(error, settings, modelId) };
	}
}

async function settingsToTest(db: Queryable, config: Config, teamId: string, input: z.infer<typeof testConnectionSchema>): Promise<ProviderSettings | null> {
	const row = await readRow(db, teamId);
	// undefined: the saved provider; null: explicitly the server's.
	const provider = input.provider === undefined ? (row?.provider ?? null) : input.provider;
	if (!provider) return operatorSettings(config);
	const savedKey = (await teamProviderSettings(db, config, teamId))?.apiKey ?? null;
	return {
		provider,
		baseUrl: input.baseUrl !== undefined ? input.baseUrl : (row?.baseUrl ?? null),
		apiKey: input.apiKey ?? savedKey,
		models: input.models ?? row?.models ?? {},
		fetch: teamFetch(config)
	};
}

/** A reason a person can act on, from what the AI SDK threw. */
export function connectionProblem(error: unknown, settings: ProviderSettings, modelId: string): string {
	const where = describeAddress(settings);
	for (let current: unknown = error; current instanceof Error; current = current.cause) {
		if (current instanceof PrivateAddressError) return privateAddressReason(current);
	}
	if (APICallError.isInstance(error) && error.statusCode !== undefined) {
		const status = error.statusCode;
		if (status === 401 || status === 403) return `The provider refused the key (HTTP ${status}). Check the API key.`;
		if (status === 404) return `The provider does not know the model “${modelId}”, or ${where} is not its API address (HTTP 404).`;
		if (status === 429) return 'The provider is limiting requests with this key (HTTP 429): it works, but try again later or check its quota.';
		if (status >= 500) return `The provider answered with an error (HTTP ${status}); try again later.`;
		return `The provider refused the request (HTTP ${status}): ${firstLine(error.message)}`;
	}
	if (isTimeout(error)) return `No answer from ${where} within ${TEST_CONNECTION_TIMEOUT_MS / 1000} s.`;
	const cause = networkCause(error);
	if (cause) return `Could not reach ${where} (${cause}).`;
	return `The test failed: ${firstLine(error instanceof Error ? error.message : String(error))}`;
}

function describeAddress(settings: ProviderSettings): string {
	const url = settings.baseUrl ?? (settings.provider === 'ollama' ? OLLAMA_DEFAULT_BASE_URL : null);
	if (!url) return settings.provider === 'anthropic' ? 'api.anthropic.com' : 'api.openai.com';
	try {
		return new URL(url).host;
	} catch {
		return url;
	}
}

function isTimeout(error: unknown): boolean {
	for (let current = error; current instanceof Error; current = current.cause) {
		if (current.name === 'TimeoutError' || current.name === 'AbortError') return true;
	}
	return false;
}

const NETWORK_CODES: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ENOTFOUND: 'no such host',
	EAI_AGAIN: 'name lookup failed',
	ECONNRESET: 'connection reset',
	EHOSTUNREACH: 'host unreachable',
	ENETUNREACH: 'network unreachable',
	ETIMEDOUT: 'timed out',
	CERT_HAS_EXPIRED: 'its TLS certificate has expired',
	DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
	UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate is not trusted'
};

const CANNOT_CONNECT = 'Cannot connect to API: ';

/** The network failure under a fetch error: the AI SDK wraps undici's cause ("Cannot connect to API: …", with a code). */
function networkCause(error: unknown): string | null {
	let fallback: string | null = null;
	for (let current: unknown = error; current instanceof Error; current = current.cause) {
		const code = (current as NodeJS.ErrnoException).code;
		if (code && NETWORK_CODES[code]) return NETWORK_CODES[code];
		if (!fallback && current.message.startsWith(CANNOT_CONNECT)) fallback = current.message.slice(CANNOT_CONNECT.length) || 'the connection failed';
		if (!fallback && current.message === 'fetch failed') fallback = 'the connection failed';
	}
	return fallback;
}

function firstLine(text: string): string {
	return text.split('\n')[0].slice(0, 200);
}
