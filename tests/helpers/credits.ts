// Puts a team's credits at an exact balance for a test: this month's grant (which a reservation adds
// anyway), then an operator adjustment up or down to `amount`.
import * as credits from '../../src/lib/server/credits.ts';
import type { Database } from '../../src/lib/server/db/index.ts';

export async function setCreditBalance(db: Database, teamId: string, amount: number): Promise<void> {
	await credits.ensureMonthlyGrant(db, teamId);
	const current = await credits.balance(db, teamId);
	if (current !== amount) await credits.record(db, teamId, amount - current, 'adjustment', `test:${crypto.randomUUID()}`);
}
