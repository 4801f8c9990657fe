// Loads an export file into an empty database in one transaction, and its stored files into the blob store.
import { sql } from 'drizzle-orm';
import { AppError } from '../../errors.ts';
import type { BlobStore } from '../../assets/blob-store.ts';
import type { Queryable } from '../index.ts';
import { describeTables, nonEmptyTables, type MigrationLevel, type Table } from './catalog.ts';
import { ExportReader, type ExportColumn, type ExportTable, type TransferSummary } from './export-file.ts';

/**
 * Imports an export into an empty database at the same migration level, in one transaction:
 * every table in foreign-key order, identity sequences moved past the imported ids; the stored
 * files go into `blobs` before the transaction commits. Anything wrong (a non-empty table, a
 * column that differs, a damaged line, a file the store refuses) rolls the whole import back; files
 * already written then stay in the store, unreferenced (the same import again writes them again).
 */
export async function importDatabase(db: Queryable, lines: AsyncIterable<string>, options: { migration: MigrationLevel; blobs?: BlobStore }): Promise<TransferSummary> {
	return db.transaction(async (tx) => {
		const target = new Map((await describeTables(tx)).map((table) => [table.name, table]));
		if (target.size === 0) throw new AppError('CONFLICT', 'The target database has no Easel tables: migrate it before importing.');
		// Writers that start meanwhile wait for the import instead of slipping rows in under it.
		await tx.execute(
			sql`lock table ${sql.join(
				[...target.keys()].map((name) => sql.identifier(name)),
				sql`, `
			)} in exclusive mode`
		);
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
			} else if (item.kind === 'blob') {
				if (!options.blobs) throw new AppError('CONFLICT', 'The export holds stored files (images) but no blob store was given to import them into.');
				await options.blobs.put(item.key, item.data, item.contentType);
			}
		}
		const summary = reader.finish();
		for (const table of target.values()) {
			for (const column of table.columns.filter((c) => c.sequence)) {
				const name = sql.identifier(column.name);
				await tx.execute(sql`select setval(${column.sequence}::regclass, coalesce(max(${name}), 1), max(${name}) is not null) from ${sql.identifier(table.name)}`);
			}
		}
		return { migration: summary.migration, rows: summary.rows, blobs: summary.blobs };
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

function checkSameColumns(file: ExportTable, target: Table | undefined): void {
	const spell = (columns: ExportColumn[]) => columns.map((column) => `${column.name} ${column.type}`).join(', ');
	if (!target) throw new AppError('CONFLICT', `The target database has no table ${file.name}.`);
	if (spell(file.columns) !== spell(target.columns)) {
		throw new AppError('CONFLICT', `Table ${file.name} differs: the export has (${spell(file.columns)}), the target (${spell(target.columns)}).`);
	}
}

async function insertRows(tx: Queryable, table: Table, values: (string | null)[][]): Promise<void> {
	if (values.length === 0) return;
	// One JSON parameter per chunk, unpacked in SQL: no parameter-count limit, each value cast
	// from its text form by the column's own type (the type comes from the target's catalog).
	const casts = table.columns.map((column, index) =>
		column.type === 'bytea' ? sql`decode(r ->> ${sql.raw(String(index))}, 'base64')` : sql`(r ->> ${sql.raw(String(index))})::${sql.raw(column.type)}`
	);
	const overriding = table.columns.some((column) => column.identity === 'a') ? sql` overriding system value` : sql``;
	await tx.execute(
		sql`insert into ${sql.identifier(table.name)} (${sql.join(
			table.columns.map((column) => sql.identifier(column.name)),
			sql`, `
		)})${overriding}
			select ${sql.join(casts, sql`, `)} from json_array_elements(${JSON.stringify(values)}::json) with ordinality as chunk(r, n) order by n`
	);
}
