// Migration 0006 removes what deleted canvases left behind (documents, update log, versions of every
// kind) and keeps everything else, on a database that ran the earlier migrations and holds such rows,
// as an upgraded installation does when it starts.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { MIGRATIONS_FOLDER } from '../../server/bootstrap.ts';
import { openDatabase, type Database, type OpenDatabaseOptions } from '../../src/lib/server/db/index.ts';
import { documentUpdates, documentVersions, documents } from '../../src/lib/server/db/schema.ts';
import { documentName } from '../../src/lib/document-names.ts';
import { createScratchPostgres, postgresAvailable } from '../helpers/databases.ts';

const MIGRATION = '0006_remove-orphaned-document-rows';
const work = mkdtempSync(join(tmpdir(), 'easel-orphans-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The migrations folder as it was before `MIGRATION`: the code an installation ran until now. */
function migrationsBefore(tag: string): string {
	const folder = join(work, 'drizzle-before');
	cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
	const journalPath = join(folder, 'meta', '_journal.json');
	const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
	const index = journal.entries.findIndex((entry) => entry.tag === tag);
	expect(index).toBeGreaterThan(0);
	writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, index) }));
	return folder;
}

/** Every stored row's document name, per table, sorted. */
async function storedNames(db: Database) {
	const sorted = (rows: { name: string }[]) => rows.map((row) => row.name).sort();
	return {
		documents: sorted(await db.select({ name: documents.name }).from(documents)),
		updates: sorted(await db.select({ name: documentUpdates.document }).from(documentUpdates)),
		versions: sorted(await db.select({ name: documentVersions.document }).from(documentVersions))
	};
}

async function storeEverything(db: Database, name: string): Promise<void> {
	const bytes = new Uint8Array([0, 0]);
	await db.insert(documents).values({ name, state: bytes, stateVector: bytes, bytes: 2 });
	await db.insert(documentUpdates).values({ document: name, update: bytes });
	await db.insert(documentVersions).values({ document: name, state: bytes, bytes: 2, kind: 'auto' });
}

const postgresReachable = await postgresAvailable();

for (const driver of ['pglite', 'postgres'] as const) {
	describe.skipIf(driver === 'postgres' && !postgresReachable)(`migration ${MIGRATION} [${driver}]`, () => {
		it('deletes rows of known kinds whose canvas is gone and keeps live canvases and other names', async () => {
			let location: Pick<OpenDatabaseOptions, 'url' | 'dataDir'>;
			let drop = async () => {};
			if (driver === 'pglite') {
				location = { dataDir: join(work, 'pglite') };
			} else {
				const scratch = await createScratchPostgres();
				location = { url: scratch.url };
				drop = scratch.drop;
			}
			try {
				const before = await openDatabase({ ...location, migrationsFolder: migrationsBefore(MIGRATION) });
				// Plain SQL of the schema at that migration: today's domain code writes columns added since.
				const live = crypto.randomUUID();
				const team = crypto.randomUUID();
				await before.db.execute(sql`insert into teams (id, name, personal) values (${team}, 'Orphans', true)`);
				await before.db.execute(sql`insert into canvases (id, team_id, title) values (${live}, ${team}, 'Live')`);
				const gone = crypto.randomUUID();
				const keptNames = [
					documentName('canvas', live),
					documentName('chat', live),
					// Not `<known kind>:<lowercase uuid>`: the migration cannot tell whose they are, so they stay.
					`canvas:${gone.toUpperCase()}`,
					`canvas:${gone}:extra`,
					'canvas:not-a-uuid',
					`asset:${gone}`,
					'some other document'
				];
				const orphanNames = [documentName('canvas', gone), documentName('chat', gone)];
				for (const name of [...keptNames, ...orphanNames]) await storeEverything(before.db, name);
				await before.close();

				const after = await openDatabase({ ...location, migrationsFolder: MIGRATIONS_FOLDER });
				try {
					const sorted = [...keptNames].sort();
					expect(await storedNames(after.db)).toEqual({ documents: sorted, updates: sorted, versions: sorted });
				} finally {
					await after.close();
				}
			} finally {
				await drop();
			}
		});
	});
}
