// Runs a suite against the real server once per database driver, and reads back what the database
// holds through the document store: PGlite (the server's own files under its DATA_DIR; read while
// the server is stopped) and PostgreSQL (a throwaway database the test also reads directly).
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe } from 'vitest';
import * as Y from 'yjs';
import { openDatabase, type Database, type OpenDatabase } from '../../src/lib/server/db/index.ts';
import { loadStoredDocument } from '../../src/lib/server/documents/document-store.ts';
import { createScratchPostgres, postgresReachable, type Driver } from './databases.ts';
import type { RunningServer } from './server.ts';

export interface ServerDatabase {
	driver: Driver;
	/** PostgreSQL URL of the suite's database (undefined on PGlite). */
	url: string | undefined;
	/** Environment for `startServer`: DATABASE_URL on PostgreSQL, nothing on PGlite. */
	env: Record<string, string>;
	/**
	 * What the database holds for each document (snapshot + log tail, as a load would apply them).
	 * PGlite is one process only, so on PGlite `server` must be stopped.
	 */
	readStored(server: RunningServer, documentNames: string[]): Promise<Map<string, Y.Doc>>;
	/** The test's own connection to the suite's PostgreSQL database (PostgreSQL only). */
	direct(): Promise<Database>;
}

export function describeEachServerDatabase(name: string, body: (database: () => ServerDatabase) => void, options: { drivers?: Driver[] } = {}): void {
	for (const driver of options.drivers ?? (['pglite', 'postgres'] as const)) {
		const run = driver === 'postgres' && !postgresReachable ? describe.skip : describe;
		run(`${name} [${driver}]`, () => {
			let database: ServerDatabase | undefined;
			let reader: Promise<OpenDatabase> | undefined;
			let drop: (() => Promise<void>) | undefined;
			beforeAll(async () => {
				if (driver === 'pglite') {
					database = {
						driver,
						url: undefined,
						env: {},
						readStored: readPglite,
						direct: () => Promise.reject(new Error('PGlite serves one process only: read it with readStored'))
					};
					return;
				}
				const scratch = await createScratchPostgres();
				drop = scratch.drop;
				// Migrations run when the server starts; the test's own connection only reads.
				const direct = () => (reader ??= openDatabase({ url: scratch.url, maxConnections: 2 }));
				database = {
					driver,
					url: scratch.url,
					env: { DATABASE_URL: scratch.url },
					readStored: async (_server, documentNames) => readAll(await direct(), documentNames),
					direct: async () => (await direct()).db
				};
			});
			afterAll(async () => {
				await (await reader)?.close();
				await drop?.();
			});
			body(() => {
				if (!database) throw new Error('database not ready yet');
				return database;
			});
		});
	}
}

async function readPglite(server: RunningServer, documentNames: string[]): Promise<Map<string, Y.Doc>> {
	if (server.process.exitCode === null && server.process.signalCode === null) {
		throw new Error('stop the server before reading its PGlite files (one process per data directory)');
	}
	const dataDir = `${server.dataDir}/pg`;
	if (!existsSync(dataDir)) throw new Error(`no PGlite data under ${dataDir}`);
	const opened = await openDatabase({ dataDir });
	try {
		return await readAll(opened, documentNames);
	} finally {
		await opened.close();
	}
}

async function readAll(database: OpenDatabase, documentNames: string[]): Promise<Map<string, Y.Doc>> {
	const result = new Map<string, Y.Doc>();
	for (const name of documentNames) {
		const stored = await loadStoredDocument(database.db, name);
		const doc = new Y.Doc();
		if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
		for (const update of stored.updates) Y.applyUpdate(doc, update);
		result.set(name, doc);
	}
	return result;
}

/**
 * Runs `change` on the database `server` uses and answers the server to use next: on PostgreSQL
 * directly (the same server); on PGlite, which serves one process, with the server stopped for it
 * and started again (a new process on the same port and data).
 */
export async function changeServerDatabase(database: ServerDatabase, server: RunningServer, change: (db: Database) => Promise<void>): Promise<RunningServer> {
	if (database.driver === 'postgres') {
		await change(await database.direct());
		return server;
	}
	await server.stop();
	const opened = await openDatabase({ dataDir: `${server.dataDir}/pg` });
	try {
		await change(opened.db);
	} finally {
		await opened.close();
	}
	return server.restart();
}
