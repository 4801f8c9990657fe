// `npm run db:export` / `npm run db:import`: move the embedded database (PGlite) to PostgreSQL.
//   export [--out FILE]   DATA_DIR's embedded database and its stored files (images, thumbnails) →
//                         FILE (JSON Lines); Easel must be stopped; the data directory is never
//                         changed (a temporary copy of the database is read)
//   import FILE           FILE → the empty PostgreSQL database at DATABASE_URL, in one transaction,
//                         and its stored files → the configured blob store
import { once } from 'node:events';
import { cpSync, createReadStream, createWriteStream, existsSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ConfigError, loadConfig, type Config } from '../src/lib/server/config.ts';
import { openDatabase, type OpenDatabase } from '../src/lib/server/db/index.ts';
import { acquireDataDirLock, DataDirLockedError } from '../src/lib/server/db/data-dir-lock.ts';
import * as transfer from '../src/lib/server/db/transfer/index.ts';
import { AppError } from '../src/lib/server/errors.ts';
import type { BlobStore } from '../src/lib/server/assets/blob-store.ts';
import { blobStoreFor } from '../src/lib/server/assets/blob-store-for.ts';
import { MIGRATIONS_FOLDER } from './bootstrap.ts';

const USAGE = [
	'usage: npm run db:export -- [--out easel-export.jsonl]   (reads DATA_DIR; stop Easel first)',
	'       npm run db:import -- <file>                        (writes into the empty database at DATABASE_URL)'
].join('\n');

const DEFAULT_OUT = 'easel-export.jsonl';

function fail(message: string): never {
	console.error(message);
	process.exit(1);
}

function config(): Config {
	try {
		return loadConfig();
	} catch (error) {
		fail(error instanceof ConfigError ? error.message : String(error));
	}
}

/** Where this configuration keeps stored files (the server's own choice), and how to name it to the operator. */
/** The stored files of the configured store (the S3 bucket when S3_* is set, else DATA_DIR/assets). */
function blobStore(config: Config): { store: BlobStore; where: string } {
	const configured = blobStoreFor(config);
	const where = configured.store.kind === 's3' ? `bucket ${configured.description.bucket}` : resolve(config.DATA_DIR, 'assets');
	return { store: configured.store, where };
}

/** Error message without a stack, for the operator's terminal. */
function reason(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

async function exportCommand(args: string[]): Promise<void> {
	const outFlag = args.indexOf('--out');
	if (outFlag >= 0 && !args[outFlag + 1]) fail(USAGE);
	const unknown = args.filter((arg, index) => index !== outFlag && index !== outFlag + 1);
	if (unknown.length) fail(`Unexpected ${unknown.map((arg) => JSON.stringify(arg)).join(' ')}.\n${USAGE}`);
	const out = resolve(outFlag >= 0 ? args[outFlag + 1] : DEFAULT_OUT);
	const settings = config();
	const { DATA_DIR } = settings;
	const source = resolve(DATA_DIR, 'pg');
	if (!existsSync(join(source, 'PG_VERSION'))) fail(`No embedded database in ${source} (DATA_DIR=${DATA_DIR}): nothing to export.`);
	if (existsSync(out)) fail(`${out} already exists: choose another --out or remove it.`);
	const code = transfer.codeMigrationLevel(MIGRATIONS_FOLDER);

	// Hold the data directory's lock while copying it, so a server cannot start on it meanwhile;
	// the export then reads the copy: opening PGlite writes to its files, and the original stays as it was.
	let release: () => void;
	try {
		release = acquireDataDirLock(join(source, 'easel.lock'));
	} catch (error) {
		if (error instanceof DataDirLockedError) {
			fail(
				`Cannot export: the embedded database in ${source} is in use by a running Easel process (pid ${error.pid}). Stop it first; the export does not change the data directory.`
			);
		}
		throw error;
	}
	const scratch = mkdtempSync(join(tmpdir(), 'easel-export-'));
	const partial = `${out}.partial`;
	let database: OpenDatabase | undefined;
	let failure: string | undefined;
	try {
		try {
			cpSync(source, join(scratch, 'pg'), { recursive: true, filter: (path) => basename(path) !== 'easel.lock' });
		} finally {
			release();
		}
		database = await openDatabase({ dataDir: join(scratch, 'pg') });
		const applied = await transfer.appliedMigrations(database.db);
		if (applied.length === 0) throw new AppError('INVALID_INPUT', `${source} holds no Easel database (no migrations were ever applied).`);
		if (applied.at(-1)! > code.createdAt) {
			throw new AppError('CONFLICT', `The embedded database in ${source} was last used by a newer Easel (past migration ${code.tag}): export it with that version.`);
		}
		if (applied.at(-1)! < code.createdAt) {
			// Exports are always at the code's level: bring the copy up to date, as a start of the server would.
			await database.close();
			database = await openDatabase({ dataDir: join(scratch, 'pg'), migrationsFolder: MIGRATIONS_FOLDER });
			console.error(`The data directory was at an older migration; its copy was migrated to ${code.tag} for the export.`);
		}
		const file = createWriteStream(partial);
		const opened = once(file, 'open');
		const failed = once(file, 'error').then(([error]) => Promise.reject(error));
		failed.catch(() => {});
		await Promise.race([opened, failed]);
		const missing: string[] = [];
		const summary = await transfer.exportDatabase(
			database.db,
			async (line) => {
				if (!file.write(line)) await Promise.race([once(file, 'drain'), failed]);
			},
			{ migration: code, blobs: blobStore(settings).store, onMissingBlob: (key) => missing.push(key) }
		);
		file.end();
		await Promise.race([once(file, 'finish'), failed]);
		renameSync(partial, out);
		const total = Object.values(summary.rows).reduce((sum, count) => sum + count, 0);
		if (missing.length) {
			console.error(
				`${missing.length} stored file(s) the database points at are missing from ${blobStore(settings).where} and are not in the export (they were already lost): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`
			);
		}
		console.log(
			`Exported ${total} rows from ${Object.keys(summary.rows).length} tables and ${summary.blobs.count} stored files (${megabytes(summary.blobs.bytes)}) (migration ${code.tag}) to ${out} (${megabytes(statSync(out).size)}).\n` +
				`Next: DATABASE_URL=postgres://… npm run db:import -- ${out}`
		);
	} catch (error) {
		rmSync(partial, { force: true });
		failure = error instanceof AppError ? error.message : `Export failed, nothing was written: ${reason(error)}`;
	} finally {
		await database?.close().catch(() => {});
		rmSync(scratch, { recursive: true, force: true });
	}
	if (failure) fail(failure);
}

async function importCommand(args: string[]): Promise<void> {
	if (args.length !== 1 || args[0].startsWith('--')) fail(USAGE);
	const path = resolve(args[0]);
	const settings = config();
	const { DATABASE_URL } = settings;
	if (!DATABASE_URL)
		fail('DATABASE_URL is not set: set it to the (empty) PostgreSQL database to import into, e.g. DATABASE_URL=postgres://easel:secret@localhost:5432/easel.');
	if (!existsSync(path) || !statSync(path).isFile()) fail(`No such file: ${path}`);
	const code = transfer.codeMigrationLevel(MIGRATIONS_FOLDER);

	// The whole file is checked before the database is touched.
	let summary;
	try {
		summary = await transfer.verifyExport(readLines(path));
		transfer.checkSameMigration(summary.migration, code);
	} catch (error) {
		fail(error instanceof AppError ? error.message : `Cannot read ${path}: ${reason(error)}`);
	}

	const where = describeUrl(DATABASE_URL);
	let database: OpenDatabase | undefined;
	let failure: string | undefined;
	try {
		database = await openDatabase({ url: DATABASE_URL, maxConnections: 1 });
		await database.ping();
	} catch (error) {
		await database?.close().catch(() => {});
		fail(`Cannot connect to the PostgreSQL database at ${where}: ${reason(error)}`);
	}
	try {
		const applied = await transfer.appliedMigrations(database.db);
		if ((applied.at(-1) ?? 0) > code.createdAt)
			throw new AppError('CONFLICT', `The database at ${where} was migrated by a newer Easel (past ${code.tag}): import with that version.`);
		const occupied = await transfer.nonEmptyTables(database.db);
		if (occupied.length) throw transfer.targetNotEmpty(occupied);
		await database.close();
		database = await openDatabase({ url: DATABASE_URL, maxConnections: 1, migrationsFolder: MIGRATIONS_FOLDER });
		const target = blobStore(settings);
		const imported = await transfer.importDatabase(database.db, readLines(path), { migration: code, blobs: target.store });
		const total = Object.values(imported.rows).reduce((sum, count) => sum + count, 0);
		console.log(
			`Imported ${total} rows into ${Object.keys(imported.rows).length} tables of ${where} (migration ${code.tag}), and ${imported.blobs.count} stored files (${megabytes(imported.blobs.bytes)}) into ${target.where}.\n` +
				'Next: start Easel with this DATABASE_URL; the embedded database in the data directory is no longer used (keep it as a backup).'
		);
	} catch (error) {
		failure = error instanceof AppError ? `${error.message} Nothing was imported.` : `Import failed, nothing was imported: ${reason(error)}`;
	} finally {
		await database?.close().catch(() => {});
	}
	if (failure) fail(failure);
}

/** The file's lines; reading starts at the first iteration (readline drops lines emitted before it). */
async function* readLines(path: string): AsyncGenerator<string> {
	yield* createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
}

/** host:port/database of a postgres URL, without its credentials. */
function describeUrl(url: string): string {
	const parsed = new URL(url);
	return `${parsed.host}${parsed.pathname}`;
}

function megabytes(bytes: number): string {
	return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'export') await exportCommand(rest);
else if (command === 'import') await importCommand(rest);
else fail(USAGE);
