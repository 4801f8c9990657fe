// AI providers: the AI SDK language model of each model tier, from the operator's configuration
// (AI_PROVIDER, AI_BASE_URL, AI_API_KEY, AI_MODEL_*) or from a team's own settings (bring your own
// key), which win when they are complete.
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';
import { eq } from 'drizzle-orm';
import type { Config } from '../config.ts';
import type { Queryable } from '../db/index.ts';
import { MODEL_TIERS, teamAiSettings, type AiProvider, type ModelTier } from '../db/schema.ts';
import { SecretBoxError, secretBoxFor } from '../secret-box.ts';
import { publicOnlyFetch } from './public-addresses.ts';

export type { AiProvider, ModelTier };

/** The one line that turns the assistant on (a local Ollama; config validation accepts exactly this). */
export const AI_ENABLE_HINT = 'AI_PROVIDER=ollama AI_MODEL_FAST=llama3.2';

/** Where Ollama's OpenAI-compatible API listens by default. */
export const OLLAMA_DEFAULT_BASE_URL = 'http://127.0.0.1:11434/v1';

/** Providers that cannot work without an API key. */
export const PROVIDERS_NEEDING_KEY: readonly AiProvider[] = ['openai', 'anthropic'];
/** Providers that have no default address. */
export const PROVIDERS_NEEDING_BASE_URL: readonly AiProvider[] = ['openai-compatible'];

export interface ProviderSettings {
	provider: AiProvider;
	baseUrl?: string | null;
	apiKey?: string | null;
	/** Model id per tier; a tier without one is unavailable. */
	models: Partial<Record<ModelTier, string>>;
	/** The fetch requests go through (team settings: public addresses only, see public-addresses.ts). */
	fetch?: typeof fetch;
}

export interface ResolvedModel {
	model: LanguageModel;
	provider: AiProvider;
	modelId: string;
	/** Whether the team's own key pays (then the run costs no Easel credits). */
	ownKey: boolean;
}

export interface TeamModels {
	/** Whether any provider (the team's own or the server's) is set up. */
	configured: boolean;
	ownKey: boolean;
	modelFor(tier: ModelTier): ResolvedModel | null;
}

/** The AI SDK model for one model id of a provider. */
export function languageModel(settings: ProviderSettings, modelId: string): LanguageModel {
	const baseURL = settings.baseUrl ?? undefined;
	const apiKey = settings.apiKey ?? undefined;
	const fetch = settings.fetch;
	switch (settings.provider) {
		case 'openai':
			// Chat completions, not the Responses API that `openai(id)` uses: it is the protocol every
			// OpenAI-compatible server and proxy (and our test server) speaks, and all Easel needs.
			return createOpenAI({ apiKey, baseURL, fetch }).chat(modelId);
		case 'anthropic':
			return createAnthropic({ apiKey, baseURL, fetch })(modelId);
		case 'ollama':
			return createOpenAICompatible({ name: 'ollama', baseURL: baseURL ?? OLLAMA_DEFAULT_BASE_URL, apiKey, includeUsage: true, fetch })(modelId);
		case 'openai-compatible':
			if (!baseURL) throw new Error('An openai-compatible provider needs a base URL.');
			// Without includeUsage such servers send no token counts, and runs could not be metered.
			return createOpenAICompatible({ name: 'openai-compatible', baseURL, apiKey, includeUsage: true, fetch })(modelId);
	}
}

/** Whether settings can make requests at all: a key where the provider needs one, an address where it has none, a model. */
export function isComplete(settings: ProviderSettings): boolean {
	if (PROVIDERS_NEEDING_KEY.includes(settings.provider) && !settings.apiKey) return false;
	if (PROVIDERS_NEEDING_BASE_URL.includes(settings.provider) && !settings.baseUrl) return false;
	return MODEL_TIERS.some((tier) => Boolean(settings.models[tier]));
}

/** The operator's provider from configuration, or null when AI_PROVIDER is unset. */
export function operatorSettings(config: Config): ProviderSettings | null {
	if (!config.AI_PROVIDER) return null;
	return {
		provider: config.AI_PROVIDER,
		baseUrl: config.AI_BASE_URL ?? null,
		apiKey: config.AI_API_KEY ?? null,
		models: { fast: config.AI_MODEL_FAST || undefined, balanced: config.AI_MODEL_BALANCED || undefined, best: config.AI_MODEL_BEST || undefined }
	};
}

/** The models of each tier for settings (null settings: nothing configured). */
export function modelsFrom(settings: ProviderSettings | null, ownKey: boolean): TeamModels {
	if (!settings || !isComplete(settings)) return { configured: false, ownKey: false, modelFor: () => null };
	const cache = new Map<ModelTier, ResolvedModel>();
	return {
		configured: true,
		ownKey,
		modelFor(tier) {
			const modelId = settings.models[tier];
			if (!modelId) return null;
			let resolved = cache.get(tier);
			if (!resolved) {
				resolved = { model: languageModel(settings, modelId), provider: settings.provider, modelId, ownKey };
				cache.set(tier, resolved);
			}
			return resolved;
		}
	};
}

/** A team's own provider settings with the key opened, or null when it has none saved. */
export async function teamProviderSettings(db: Queryable, config: Config, teamId: string): Promise<ProviderSettings | null> {
	const [row] = await db.select().from(teamAiSettings).where(eq(teamAiSettings.teamId, teamId));
	if (!row?.provider) return null;
	return {
		provider: row.provider,
		baseUrl: row.baseUrl,
		apiKey: row.apiKeySealed ? openKey(config, row.apiKeySealed, teamId) : null,
		models: row.models ?? {},
		fetch: teamFetch(config)
	};
}

/** Team settings reach public addresses only, unless the operator allows private ones. */
export function teamFetch(config: Config): typeof fetch | undefined {
	return config.AI_ALLOW_PRIVATE_TEAM_URLS ? undefined : publicOnlyFetch;
}

/**
 * A key sealed under another SECRETS_KEY (or damaged) opens as no key: the team's settings are then
 * incomplete for providers that need one, and the settings page asks for the key again.
 */
function openKey(config: Config, sealed: string, teamId: string): string | null {
	try {
		return secretBoxFor(config).open(sealed, teamId);
	} catch (error) {
		if (error instanceof SecretBoxError) return null;
		throw error;
	}
}

/** The models a team's runs use: its own settings when complete (own key, no Easel credits), else the server's. */
export async function teamModels(db: Queryable, config: Config, teamId: string): Promise<TeamModels> {
	const own = await teamProviderSettings(db, config, teamId);
	if (own && isComplete(own)) return modelsFrom(own, true);
	return modelsFrom(operatorSettings(config), false);
}
