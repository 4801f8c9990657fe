// The built server on a database the test seeded first, on either driver: PGlite is one process per
// data directory, so there the seed writes the server's own files before it starts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../src/lib/server/db/index.ts';
import { MIGRATIONS_FOLDER } from '../../server/bootstrap.ts';
import type { ServerDatabase } from './server-databases.ts';
import { startServer, type RunningServer } from './server.ts';

export async function seededServer<T>(
	database: ServerDatabase,
	seed: (db: Database) => Promise<T>
): Promise<{ server: RunningServer; seeded: T; cleanup(): Promise<void> }> {
	if (database.driver === 'postgres') {
		const opened = await openDatabase({ url: database.url!, migrationsFolder: MIGRATIONS_FOLDER, maxConnections: 2 });
		const seeded = await seed(opened.db).finally(() => opened.close());
		const server = await startServer({ env: database.env });
		return { server, seeded, cleanup: () => server.dispose() };
	}
	const dataDir = mkdtempSync(join(tmpdir(), 'easel-seeded-'));
	const opened = await openDatabase({ dataDir: join(dataDir, 'pg'), migrationsFolder: MIGRATIONS_FOLDER });
	const seeded = await seed(opened.db).finally(() => opened.close());
	const server = await startServer({ dataDir });
	return {
		server,
		seeded,
		cleanup: async () => {
			await server.dispose();
			rmSync(dataDir, { recursive: true, force: true });
		}
	};
}
