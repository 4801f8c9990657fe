// Opens the database: embedded PGlite under DATA_DIR by default, postgres.js when DATABASE_URL is set.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import * as schema from './schema.ts';
import { acquireDataDirLock } from './data-dir-lock.ts';

export { schema };

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, typeof schema, ExtractTablesWithRelations<typeof schema>>;
/** Anything queries can run on: the database or an open transaction. */
export type Queryable = Database | Transaction;

export interface OpenDatabaseOptions {
	/** postgres:// URL; when absent an embedded PGlite database is used. */
	url?: string;
	/** Directory for PGlite's files (ignored with `url`); `memory://` keeps it in memory. */
	dataDir?: string;
	/** Folder of drizzle-kit migrations to apply; skipped when absent. */
	migrationsFolder?: string;
	/** postgres.js pool size. */
	maxConnections?: number;
}

export interface OpenDatabase {
	db: Database;
	driver: 'pglite' | 'postgres';
	/** How the job queue (pg-boss) reaches the same database: PGlite's instance, or PostgreSQL's URL. */
	connection: { kind: 'pglite'; pglite: import('@electric-sql/pglite').PGlite } | { kind: 'postgres'; url: string };
	/** Checks the database answers (readiness probe). */
	ping(): Promise<void>;
	close(): Promise<void>;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<OpenDatabase> {
	const opened = options.url ? await openPostgres(options.url, options.maxConnections ?? 10) : await openPglite(options.dataDir ?? 'memory://');
	if (options.migrationsFolder) {
		try {
			await opened.migrate(options.migrationsFolder);
		} catch (error) {
			await opened.close();
			throw error;
		}
	}
	return opened;
}

/** Advisory lock key held while migrations run ("easel" in ASCII). */
const MIGRATION_LOCK = 0x656173656c;

async function openPostgres(url: string, max: number) {
	const { default: postgres } = await import('postgres');
	const { drizzle } = await import('drizzle-orm/postgres-js');
	const { migrate } = await import('drizzle-orm/postgres-js/migrator');
	const client = postgres(url, { max, onnotice: () => {}, connect_timeout: 10 });
	const db = drizzle(client, { schema });
	return {
		db: db as unknown as Database,
		driver: 'postgres' as const,
		connection: { kind: 'postgres' as const, url },
		// Instances starting together must not run the same migration twice: the first takes the lock
		// (on a connection of its own, so a pool of one can still migrate).
		migrate: async (migrationsFolder: string) => {
			const lock = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
			try {
				await lock`select pg_advisory_lock(${MIGRATION_LOCK})`;
				await migrate(db, { migrationsFolder });
			} finally {
				await lock.end({ timeout: 5 });
			}
		},
		ping: async () => {
			await client`select 1`;
		},
		close: () => client.end({ timeout: 5 })
	};
}

async function openPglite(dataDir: string) {
	const { PGlite } = await import('@electric-sql/pglite');
	const { drizzle } = await import('drizzle-orm/pglite');
	const { migrate } = await import('drizzle-orm/pglite/migrator');
	let releaseLock = () => {};
	let location = dataDir;
	if (!dataDir.startsWith('memory://')) {
		location = resolve(dataDir);
		mkdirSync(location, { recursive: true });
		// PGlite is single-process: two processes on one directory corrupt it silently.
		releaseLock = acquireDataDirLock(join(location, 'easel.lock'));
	}
	let client;
	try {
		client = await PGlite.create(location);
	} catch (error) {
		releaseLock();
		throw error;
	}
	const db = drizzle(client, { schema });
	return {
		db: db as unknown as Database,
		driver: 'pglite' as const,
		connection: { kind: 'pglite' as const, pglite: client },
		migrate: (migrationsFolder: string) => migrate(db, { migrationsFolder }),
		ping: async () => {
			await client.query('select 1');
		},
		close: async () => {
			await client.close();
			releaseLock();
		}
	};
}
