// STUB (replaced by the providers branch).
import type { LanguageModel } from 'ai';
import type { Config } from '../config.ts';
import type { Queryable } from '../db/index.ts';
import type { AiProvider, ModelTier } from '../db/schema.ts';
export interface ResolvedModel {
	model: LanguageModel;
	provider: AiProvider;
	modelId: string;
	ownKey: boolean;
}
export interface TeamModels {
	configured: boolean;
	ownKey: boolean;
	modelFor(tier: ModelTier): ResolvedModel | null;
}
export const AI_ENABLE_HINT = 'AI_PROVIDER=ollama AI_MODEL_FAST=llama3.2';
export async function teamModels(db: Queryable, config: Config, teamId: string): Promise<TeamModels> {
	void db;
	void config;
	void teamId;
	return { configured: false, ownKey: false, modelFor: () => null };
}
