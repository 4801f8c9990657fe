// Runs a test suite against both database drivers: embedded PGlite and the real PostgreSQL at
// TEST_DATABASE_URL (each suite in its own throwaway database, so runs never collide).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import postgres from 'postgres';
import { openDatabase, type OpenDatabase } from '../../src/lib/server/db/index.ts';
import { MIGRATIONS_FOLDER } from '../../server/bootstrap.ts';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let availability: Promise<boolean> | undefined;
export function postgresAvailable(): Promise<boolean> {
	return (availability ??= (async () => {
		const sql = postgres(TEST_DATABASE_URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
		try {
			await sql`select 1`;
			return true;
		} catch {
			return false;
		} finally {
			await sql.end({ timeout: 1 });
		}
	})());
}

/** Creates an empty database on the test server and returns its URL and a function that drops it. */
export async function createScratchPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
	const name = `easel_test_${randomBytes(6).toString('hex')}`;
	const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
	await admin.unsafe(`create database ${name}`);
	await admin.end();
	const url = new URL(TEST_DATABASE_URL);
	url.pathname = `/${name}`;
	return {
		url: url.toString(),
		drop: async () => {
			const dropper = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
			await dropper.unsafe(`drop database if exists ${name} with (force)`);
			await dropper.end();
		}
	};
}

export type Driver = 'pglite' | 'postgres';

/** Whether the test PostgreSQL answers; under CI=true importing this module fails instead (it is required there). */
export const postgresReachable = await postgresAvailable();
if (!postgresReachable) {
	if (process.env.CI === 'true') throw new Error(`PostgreSQL is required under CI=true but does not answer at ${TEST_DATABASE_URL}`);
	console.warn(`[notice] PostgreSQL does not answer at ${TEST_DATABASE_URL}: the postgres variants are skipped.`);
}

/**
 * `describe` once per driver; `database()` returns the suite's open, migrated database, and
 * `anotherPool()` a second connection pool on the same PostgreSQL database, as a second instance
 * would have (on PGlite, which is one process only, the same database); the suite closes it.
 */
export function describeEachDatabase(name: string, body: (database: () => OpenDatabase, driver: Driver, anotherPool: () => Promise<OpenDatabase>) => void): void {
	for (const driver of ['pglite', 'postgres'] as const) {
		const run = driver === 'postgres' && !postgresReachable ? describe.skip : describe;
		run(`${name} [${driver}]`, () => {
			let opened: OpenDatabase | undefined;
			let drop: (() => Promise<void>) | undefined;
			let url: string | undefined;
			const others: OpenDatabase[] = [];
			beforeAll(async () => {
				if (driver === 'pglite') {
					opened = await openDatabase({ dataDir: 'memory://', migrationsFolder: MIGRATIONS_FOLDER });
				} else {
					const scratch = await createScratchPostgres();
					drop = scratch.drop;
					url = scratch.url;
					opened = await openDatabase({ url: scratch.url, migrationsFolder: MIGRATIONS_FOLDER, maxConnections: 20 });
				}
			});
			afterAll(async () => {
				await Promise.all(others.map((other) => other.close()));
				await opened?.close();
				await drop?.();
			});
			const database = () => {
				if (!opened) throw new Error('database not open yet');
				return opened;
			};
			const anotherPool = async () => {
				if (!url) return database();
				const other = await openDatabase({ url, maxConnections: 10 });
				others.push(other);
				return other;
			};
			body(database, driver, anotherPool);
		});
	}
}

export { uniqueEmail } from './unique.ts';
