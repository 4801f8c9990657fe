// STUB (replaced by the credits-usage branch).
import type { Queryable } from '../db/index.ts';
import { aiUsageEvents } from '../db/schema.ts';
export async function recordUsage(db: Queryable, event: typeof aiUsageEvents.$inferInsert): Promise<void> {
	await db.insert(aiUsageEvents).values(event);
}
