// What a database holds, read from its own catalog: tables in foreign-key order with their columns,
// primary keys and identity sequences, and the migration level; raw queries on either driver.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../index.ts';

export interface MigrationLevel {
	/** drizzle-kit migration tag, e.g. `0004_stripe-events`. */
	tag: string;
	/** The journal's `when`, which drizzle records as `created_at` of an applied migration. */
	createdAt: number;
	/** How many migrations are applied. */
	count: number;
}

export interface TableColumn {
	name: string;
	/** PostgreSQL type as `format_type` spells it, e.g. `timestamp with time zone`. */
	type: string;
	/** `a` (generated always), `d` (by default) or '' — pg_attribute.attidentity. */
	identity: string;
	/** The sequence behind an identity or serial column, to move past imported values. */
	sequence: string | null;
}

export interface Table {
	name: string;
	columns: TableColumn[];
	primaryKey: string[];
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

/** Names of the tables (schema `public`) that hold at least one row. */
export async function nonEmptyTables(db: Queryable): Promise<string[]> {
	const found: string[] = [];
	for (const table of await describeTables(db)) {
		const [{ any }] = await rows<{ any: boolean }>(db, sql`select exists (select 1 from ${sql.identifier(table.name)}) as "any"`);
		if (any) found.push(table.name);
	}
	return found;
}

/** The application's tables (schema `public`), parents before children. */
export async function describeTables(db: Queryable): Promise<Table[]> {
	const columns = await rows<{ table: string } & TableColumn>(
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
	const tables = new Map<string, Table>();
	for (const { table: name, ...column } of columns) {
		const table = tables.get(name) ?? { name, columns: [], primaryKey: [] };
		table.columns.push(column);
		tables.set(name, table);
	}
	for (const key of keys) tables.get(key.table)?.primaryKey.push(key.name);
	return inForeignKeyOrder([...tables.values()], references);
}

/** Orders tables so that every table comes after the tables it references (alphabetical among equals). */
function inForeignKeyOrder(tables: Table[], references: { table: string; parent: string }[]): Table[] {
	const ordered: Table[] = [];
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
export async function rows<T>(db: Queryable, statement: SQL): Promise<T[]> {
	const result = (await db.execute(statement)) as unknown as T[] | { rows: T[] };
	return Array.isArray(result) ? result : result.rows;
}
