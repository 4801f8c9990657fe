// STUB (replaced by the providers branch).
import type { ModelTierView } from '../../assistant-api.ts';
import type { Config } from '../config.ts';
import type { Queryable } from '../db/index.ts';
export async function modelTiersForTeam(db: Queryable, config: Config, teamId: string): Promise<ModelTierView[]> {
	void db;
	void config;
	void teamId;
	return [];
}
