// Writes a whole database as an export file (see export-file.ts), streaming rows through a cursor.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Queryable } from '../index.ts';
import { describeTables, rows, type MigrationLevel } from './catalog.ts';
import { EXPORT_FORMAT, EXPORT_VERSION, type ExportHeader, type TransferSummary } from './export-file.ts';

/** Rows per chunk; tables with bytea columns (Yjs states and updates, up to MAX_DOCUMENT_BYTES each) use few. */
const ROWS_PER_CHUNK = 500;
const BINARY_ROWS_PER_CHUNK = 8;

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
			// Fixed output styles, so the text forms read back the same on any server.
			await tx.execute(sql`set local timezone = 'UTC'`);
			await tx.execute(sql`set local datestyle = 'ISO, YMD'`);
			await tx.execute(sql`set local intervalstyle = 'postgres'`);
			await tx.execute(sql`set local extra_float_digits = 3`);
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
				const order = table.primaryKey.length
					? sql` order by ${sql.join(
							table.primaryKey.map((column) => sql.identifier(column)),
							sql`, `
						)}`
					: sql``;
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
