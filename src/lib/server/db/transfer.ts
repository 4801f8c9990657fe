// Moves a whole Easel database between drivers (embedded PGlite → PostgreSQL) as a JSON Lines file.
//
// Line 1 is a header (format, version, migration level, tables in foreign-key order with their
// columns); then chunks `{"table","rows":[[...]]}` in that order; the last line is a trailer with
// the row count of every table and the SHA-256 of all lines before it, so a truncated or edited
// file is refused before anything is written. Values travel as PostgreSQL's own text form
// (`col::text`), bytea as base64, so every type round-trips exactly.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type SQL } from 'drizzle-orm';
import { AppError } from '../errors.ts';
import type { Queryable } from './index.ts';

export const EXPORT_FORMAT = 'easel-export';
export const EXPORT_VERSION = 1;

/** Rows per chunk; tables with bytea columns (Yjs states and updates, up to MAX_DOCUMENT_BYTES each) use few. */
const ROWS_PER_CHUNK = 500;
const BINARY_ROWS_PER_CHUNK = 8;

export interface ExportColumn {
	name: string;
	/** PostgreSQL type as `format_type` spells it, e.g. `timestamp with time zone`. */
	type: string;
}

export interface ExportTable {
	name: string;
	columns: ExportColumn[];
}

export interface MigrationLevel {
	/** drizzle-kit migration tag, e.g. `0004_stripe-events`. */
	tag: string;
	/** The journal's `when`, which drizzle records as `created_at` of an applied migration. */
	createdAt: number;
	/** How many migrations are applied. */
	count: number;
}

export interface ExportHeader {
	format: typeof EXPORT_FORMAT;
	version: typeof EXPORT_VERSION;
	exportedAt: string;
	migration: MigrationLevel;
	tables: ExportTable[];
}

export interface TransferSummary {
	migration: MigrationLevel;
	/** Rows per table, in foreign-key order. */
	rows: Record<string, number>;
}

/** The migration level of the code: the last entry of the drizzle-kit journal in `migrationsFolder`. */
export function codeMigrationLevel(migrationsFolder: string): MigrationLevel {
	const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as {
		entries: { tag: string; when: number }[];
	};
	const last = journal.entries.at(-1);
	if (!last) throw new Error(`No migrations in ${migrationsFolder}`);
	return { tag: last.tag, createdAt: last.when, count: journal.entries.length };
}

/** The `created_at` of every migration applied to a database, oldest first (empty for a fresh one). */
export async function appliedMigrations(db: Queryable): Promise<number[]> {
	const [{ present }] = await rows<{ present: boolean }>(db, sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`);
	if (!present) return [];
	const applied = await rows<{ createdAt: string }>(db, sql`select created_at::text as "createdAt" from drizzle.__drizzle_migrations order by created_at`);
	return applied.map((row) => Number(row.createdAt));
}

/** Names of the tables that hold at least one row (of the application's schema). */
export async function nonEmptyTables(db: Queryable): Promise<string[]> {
	const tables = await describeTables(db);
	const found: string[] = [];
	for (const table of tables) {
		const [{ any }] = await rows<{ any: boolean }>(db, sql`select exists (select 1 from ${sql.identifier(table.name)}) as "any"`);
		if (any) found.push(table.name);
	}
	return found;
}

/**
 * Writes the whole database as export lines through `write`, from one consistent snapshot (a
 * read-only repeatable-read transaction), streaming rows through a cursor a chunk at a time.
 */
export async function exportDatabase(
	db: Queryable,
	write: (line: string) => Promise<void>,
	options: { migration: MigrationLevel; exportedAt?: Date }
): Promise<TransferSummary> {
	return db.transaction(
		async (tx) => {
			const tables = await describeTables(tx);
			const hash = createHash('sha256');
			const emit = async (value: unknown) => {
				const line = `${JSON.stringify(value)}\n`;
				hash.update(line);
				await write(line);
			};
			const header: ExportHeader = {
				format: EXPORT_FORMAT,
				version: EXPORT_VERSION,
				exportedAt: (options.exportedAt ?? new Date()).toISOString(),
				migration: options.migration,
				tables: tables.map(({ name, columns }) => ({ name, columns: columns.map(({ name, type }) => ({ name, type })) }))
			};
			await emit(header);
			const counts: Record<string, number> = {};
			for (const table of tables) {
				counts[table.name] = 0;
				const values = table.columns.map((column, index) =>
					column.type === 'bytea'
						? sql`replace(encode(${sql.identifier(column.name)}, 'base64'), E'\n', '') as ${sql.identifier(`c${index}`)}`
						: sql`${sql.identifier(column.name)}::text as ${sql.identifier(`c${index}`)}`
				);
				const order = table.primaryKey.length ? sql` order by ${sql.join(table.primaryKey.map((column) => sql.identifier(column)), sql`, `)}` : sql``;
				await tx.execute(sql`declare easel_export no scroll cursor for select ${sql.join(values, sql`, `)} from ${sql.identifier(table.name)}${order}`);
				const perChunk = table.columns.some((column) => column.type === 'bytea') ? BINARY_ROWS_PER_CHUNK : ROWS_PER_CHUNK;
				for (;;) {
					const chunk = await rows<Record<string, string | null>>(tx, sql`fetch forward ${sql.raw(String(perChunk))} from easel_export`);
					if (chunk.length === 0) break;
					await emit({ table: table.name, rows: chunk.map((row) => table.columns.map((_, index) => row[`c${index}`] ?? null)) });
					counts[table.name] += chunk.length;
				}
				await tx.execute(sql`close easel_export`);
			}
			const trailer = { end: true, rows: counts, sha256: hash.digest('hex') };
			await write(`${JSON.stringify(trailer)}\n`);
			return { migration: options.migration, rows: counts };
		},
		{ isolationLevel: 'repeatable read', accessMode: 'read only' }
	);
}

/**
 * Checks an export file from end to end without touching any database: format, version, table
 * order, row shapes, the trailer's counts and checksum. Throws INVALID_INPUT naming the first problem.
 */
export async function verifyExport(lines: AsyncIterable<string>): Promise<ExportHeader & TransferSummary> {
	const reader = new ExportReader();
	for await (const line of lines) reader.read(line);
	return reader.finish();
}

/**
 * Imports an export into an empty database at the same migration level, in one transaction:
 * every table in foreign-key order, identity sequences moved past the imported ids. Anything
 * wrong (a non-empty table, a column that differs, a damaged line) rolls the whole import back.
 */
export async function importDatabase(db: Queryable, lines: AsyncIterable<string>, options: { migration: MigrationLevel }): Promise<TransferSummary> {
	return db.transaction(async (tx) => {
		const target = new Map((await describeTables(tx)).map((table) => [table.name, table]));
		if (target.size === 0) throw new AppError('CONFLICT', 'The target database has no Easel tables: migrate it before importing.');
		// Writers that start meanwhile wait for the import instead of slipping rows in under it.
		await tx.execute(sql`lock table ${sql.join([...target.keys()].map((name) => sql.identifier(name)), sql`, `)} in exclusive mode`);
		const occupied = await nonEmptyTables(tx);
		if (occupied.length) throw targetNotEmpty(occupied);
		const reader = new ExportReader();
		for await (const line of lines) {
			const item = reader.read(line);
			if (item.kind === 'header') {
				checkSameMigration(item.header.migration, options.migration);
				for (const table of item.header.tables) checkSameColumns(table, target.get(table.name));
			} else if (item.kind === 'rows') {
				await insertRows(tx, target.get(item.table)!, item.rows);
			}
		}
		const summary = reader.finish();
		for (const table of target.values()) {
			for (const column of table.columns.filter((c) => c.sequence)) {
				const name = sql.identifier(column.name);
				await tx.execute(sql`select setval(${column.sequence}::regclass, coalesce(max(${name}), 1), max(${name}) is not null) from ${sql.identifier(table.name)}`);
			}
		}
		return { migration: summary.migration, rows: summary.rows };
	});
}

/** Refuses an export made at another migration level than the code's. */
export function checkSameMigration(file: MigrationLevel, code: MigrationLevel): void {
	if (file.createdAt === code.createdAt && file.tag === code.tag) return;
	throw new AppError(
		'CONFLICT',
		`The export was made at migration ${file.tag} but this Easel is at ${code.tag}: import it with the same Easel version that exported it.`
	);
}

export function targetNotEmpty(tables: string[]): AppError {
	return new AppError('CONFLICT', `The target database is not empty (rows in ${tables.join(', ')}): import only into a new, empty database.`);
}

type ReadItem = { kind: 'header'; header: ExportHeader } | { kind: 'rows'; table: string; rows: (string | null)[][] } | { kind: 'end' };

/** Parses and checks export lines one at a time, holding only counts and a running hash. */
class ExportReader {
	private header: ExportHeader | undefined;
	private tableIndex = 0;
	private counts: Record<string, number> = {};
	private ended = false;
	private lineNumber = 0;
	private readonly hash = createHash('sha256');

	read(line: string): ReadItem {
		this.lineNumber++;
		if (this.ended) throw this.invalid('there is more after the end marker');
		let value: unknown;
		try {
			value = JSON.parse(line);
		} catch {
			throw this.invalid('it is not valid JSON (the file is damaged or not an Easel export)');
		}
		if (!isObject(value)) throw this.invalid('expected a JSON object');
		if (!this.header) {
			const header = parseHeader(value, (problem) => this.invalid(problem));
			this.header = header;
			for (const table of header.tables) this.counts[table.name] = 0;
			this.hash.update(`${line}\n`);
			return { kind: 'header', header };
		}
		if (value.end === true) {
			this.ended = true;
			const expected = isObject(value.rows) ? value.rows : {};
			for (const [table, count] of Object.entries(this.counts)) {
				if (expected[table] !== count) throw this.invalid(`the end marker counts ${String(expected[table])} rows in ${table} but the file holds ${count}`);
			}
			if (value.sha256 !== this.hash.digest('hex')) throw this.invalid('the checksum does not match (the file was changed or damaged)');
			return { kind: 'end' };
		}
		const tables = this.header.tables;
		const index = tables.findIndex((table) => table.name === value.table);
		if (index < 0) throw this.invalid(`unknown table ${JSON.stringify(value.table)}`);
		if (index < this.tableIndex) throw this.invalid(`rows of ${tables[index].name} after rows of ${tables[this.tableIndex].name}`);
		this.tableIndex = index;
		const width = tables[index].columns.length;
		if (!Array.isArray(value.rows)) throw this.invalid('expected "rows" to be a list');
		for (const row of value.rows) {
			if (!Array.isArray(row) || row.length !== width || !row.every((cell) => cell === null || typeof cell === 'string')) {
				throw this.invalid(`a row of ${tables[index].name} does not have its ${width} columns`);
			}
		}
		this.counts[tables[index].name] += value.rows.length;
		this.hash.update(`${line}\n`);
		return { kind: 'rows', table: tables[index].name, rows: value.rows as (string | null)[][] };
	}

	finish(): ExportHeader & TransferSummary {
		if (!this.header) throw new AppError('INVALID_INPUT', 'The export file is empty.');
		if (!this.ended) throw new AppError('INVALID_INPUT', 'The export file is incomplete: it ends before its end marker (was the export interrupted or the file cut short?).');
		return { ...this.header, rows: this.counts };
	}

	private invalid(problem: string): AppError {
		return new AppError('INVALID_INPUT', `The export file is not valid at line ${this.lineNumber}: ${problem}.`);
	}
}

function parseHeader(value: Record<string, unknown>, invalid: (problem: string) => AppError): ExportHeader {
	if (value.format !== EXPORT_FORMAT) throw invalid(`it does not start with an Easel export header (format "${EXPORT_FORMAT}")`);
	if (value.version !== EXPORT_VERSION) {
		throw new AppError('INVALID_INPUT', `The export file has format version ${String(value.version)}; this Easel reads version ${EXPORT_VERSION}.`);
	}
	const migration = value.migration;
	if (!isObject(migration) || typeof migration.tag !== 'string' || typeof migration.createdAt !== 'number' || typeof migration.count !== 'number') {
		throw invalid('the header has no migration level');
	}
	const tables = value.tables;
	const wellFormed =
		Array.isArray(tables) &&
		tables.every(
			(table) =>
				isObject(table) &&
				typeof table.name === 'string' &&
				Array.isArray(table.columns) &&
				table.columns.every((column) => isObject(column) && typeof column.name === 'string' && typeof column.type === 'string')
		);
	if (!wellFormed) throw invalid('the header does not list its tables and columns');
	return value as unknown as ExportHeader;
}

function checkSameColumns(file: ExportTable, target: DescribedTable | undefined): void {
	const spell = (columns: ExportColumn[]) => columns.map((column) => `${column.name} ${column.type}`).join(', ');
	if (!target) throw new AppError('CONFLICT', `The target database has no table ${file.name}.`);
	if (spell(file.columns) !== spell(target.columns)) {
		throw new AppError('CONFLICT', `Table ${file.name} differs: the export has (${spell(file.columns)}), the target (${spell(target.columns)}).`);
	}
}

async function insertRows(tx: Queryable, table: DescribedTable, values: (string | null)[][]): Promise<void> {
	if (values.length === 0) return;
	// One JSON parameter per chunk, unpacked in SQL: no parameter-count limit, each value cast
	// from its text form by the column's own type (the type comes from the target's catalog).
	const casts = table.columns.map((column, index) =>
		column.type === 'bytea' ? sql`decode(r ->> ${sql.raw(String(index))}, 'base64')` : sql`(r ->> ${sql.raw(String(index))})::${sql.raw(column.type)}`
	);
	const overriding = table.columns.some((column) => column.identity === 'a') ? sql` overriding system value` : sql``;
	await tx.execute(
		sql`insert into ${sql.identifier(table.name)} (${sql.join(table.columns.map((column) => sql.identifier(column.name)), sql`, `)})${overriding}
			select ${sql.join(casts, sql`, `)} from json_array_elements(${JSON.stringify(values)}::json) with ordinality as chunk(r, n) order by n`
	);
}

interface DescribedColumn extends ExportColumn {
	/** `a` (generated always), `d` (by default) or '' — pg_attribute.attidentity. */
	identity: string;
	/** The sequence behind an identity or serial column, to move past imported values. */
	sequence: string | null;
}

interface DescribedTable {
	name: string;
	columns: DescribedColumn[];
	primaryKey: string[];
}

/** The application's tables (schema `public`), parents before children, from the catalog. */
async function describeTables(db: Queryable): Promise<DescribedTable[]> {
	const columns = await rows<{ table: string; name: string; type: string; identity: string; sequence: string | null }>(
		db,
		sql`select c.relname as "table", a.attname as name, format_type(a.atttypid, a.atttypmod) as type,
				a.attidentity::text as identity, pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) as sequence
			from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
			where n.nspname = 'public' and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
			order by c.relname, a.attnum`
	);
	const keys = await rows<{ table: string; name: string }>(
		db,
		sql`select c.relname as "table", a.attname as name
			from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
			join pg_attribute a on a.attrelid = c.oid and a.attnum = any(i.indkey)
			where n.nspname = 'public' and i.indisprimary
			order by c.relname, array_position(i.indkey::int2[], a.attnum)`
	);
	const references = await rows<{ table: string; parent: string }>(
		db,
		sql`select c.relname as "table", p.relname as parent
			from pg_constraint f join pg_class c on c.oid = f.conrelid join pg_class p on p.oid = f.confrelid
			join pg_namespace n on n.oid = c.relnamespace
			where f.contype = 'f' and n.nspname = 'public'`
	);
	const tables = new Map<string, DescribedTable>();
	for (const column of columns) {
		const table = tables.get(column.table) ?? { name: column.table, columns: [], primaryKey: [] };
		table.columns.push({ name: column.name, type: column.type, identity: column.identity, sequence: column.sequence });
		tables.set(column.table, table);
	}
	for (const key of keys) tables.get(key.table)?.primaryKey.push(key.name);
	return inForeignKeyOrder([...tables.values()], references);
}

/** Orders tables so that every table comes after the tables it references (alphabetical among equals). */
function inForeignKeyOrder(tables: DescribedTable[], references: { table: string; parent: string }[]): DescribedTable[] {
	const ordered: DescribedTable[] = [];
	const placed = new Set<string>();
	let remaining = [...tables].sort((a, b) => a.name.localeCompare(b.name));
	while (remaining.length) {
		// A table referencing itself can be placed; its rows then go in primary-key order.
		const ready = remaining.filter((table) => references.every((ref) => ref.table !== table.name || ref.parent === table.name || placed.has(ref.parent)));
		if (ready.length === 0) throw new Error(`Foreign keys form a cycle among ${remaining.map((table) => table.name).join(', ')}`);
		for (const table of ready) {
			ordered.push(table);
			placed.add(table.name);
		}
		remaining = remaining.filter((table) => !placed.has(table.name));
	}
	return ordered;
}

/** Runs a raw statement and returns its rows on either driver (PGlite answers `{ rows }`, postgres.js an array). */
async function rows<T>(db: Queryable, statement: SQL): Promise<T[]> {
	const result = (await db.execute(statement)) as unknown as T[] | { rows: T[] };
	return Array.isArray(result) ? result : result.rows;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
