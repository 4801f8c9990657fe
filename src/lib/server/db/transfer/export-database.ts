// Writes a whole database as an export file (see export-file.ts), streaming rows through a cursor,
// then the stored files its rows point at, read from the blob store a part at a time.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { fileTypeFromBuffer } from 'file-type';
import type { Queryable } from '../index.ts';
import type { BlobStore } from '../../assets/blob-store.ts';
import { describeTables, rows, type MigrationLevel } from './catalog.ts';
import { BLOB_PART_BYTES, EXPORT_FORMAT, EXPORT_VERSION, type BlobPart, type ExportHeader, type TransferSummary } from './export-file.ts';

/** Rows per chunk; tables with bytea columns (Yjs states and updates, up to MAX_DOCUMENT_BYTES each) use few. */
const ROWS_PER_CHUNK = 500;
const BINARY_ROWS_PER_CHUNK = 8;

/**
 * Writes the whole database as export lines through `write`, from one consistent snapshot (a
 * read-only repeatable-read transaction), streaming rows through a cursor a chunk at a time; then
 * every stored file a row points at (asset blobs, thumbnails, previews) from `blobs`. A file the
 * store has lost is left out and reported through `onMissingBlob` (its rows still point at it, as before).
 */
export async function exportDatabase(
	db: Queryable,
	write: (line: string) => Promise<void>,
	options: { migration: MigrationLevel; exportedAt?: Date; blobs?: BlobStore; onMissingBlob?: (key: string) => void }
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
			const blobs = options.blobs ? await exportBlobs(tx, options.blobs, emit, options.onMissingBlob ?? (() => {})) : { count: 0, bytes: 0 };
			const trailer = { end: true, rows: counts, blobs: blobs.count, sha256: hash.digest('hex') };
			await write(`${JSON.stringify(trailer)}\n`);
			return { migration: options.migration, rows: counts, blobs };
		},
		{ isolationLevel: 'repeatable read', accessMode: 'read only' }
	);
}

/** Writes every stored file a row points at, in key order, each in parts of BLOB_PART_BYTES. */
async function exportBlobs(
	tx: Queryable,
	store: BlobStore,
	emit: (value: BlobPart) => Promise<void>,
	onMissing: (key: string) => void
): Promise<{ count: number; bytes: number }> {
	const keys = await rows<{ key: string; type: string | null }>(
		tx,
		sql`select storage_key as key, mime_type as type from asset_blobs
			union select thumbnail_key, null from canvases where thumbnail_key is not null
			union select preview_key, preview_mime_type from publications where preview_key is not null
			order by key`
	);
	const exported = { count: 0, bytes: 0 };
	for (const { key, type } of keys) {
		const blob = await store.get(key);
		if (!blob) {
			onMissing(key);
			continue;
		}
		let contentType = type;
		let offset = 0;
		let pending = Buffer.alloc(0);
		const flush = async (part: Buffer) => {
			contentType ??= (await fileTypeFromBuffer(part))?.mime ?? 'application/octet-stream';
			await emit({ blob: key, contentType, bytes: blob.bytes, offset, data: part.toString('base64') });
			offset += part.byteLength;
		};
		const reader = blob.body.getReader();
		for (let read = await reader.read(); !read.done; read = await reader.read()) {
			pending = Buffer.concat([pending, read.value]);
			while (pending.byteLength >= BLOB_PART_BYTES) {
				await flush(pending.subarray(0, BLOB_PART_BYTES));
				pending = pending.subarray(BLOB_PART_BYTES);
			}
		}
		if (pending.byteLength > 0 || offset === 0) await flush(pending);
		if (offset !== blob.bytes) throw new Error(`The stored file ${key} changed while it was exported (${offset} bytes read, ${blob.bytes} expected).`);
		exported.count++;
		exported.bytes += offset;
	}
	return exported;
}
