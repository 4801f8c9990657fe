// The export file: JSON Lines. Line 1 is a header (format, version, migration level, tables in
// foreign-key order with their columns); then chunks `{"table","rows":[[...]]}` in that order; then
// (version 2) the stored files rows point at, each as consecutive parts
// `{"blob":key,"contentType","bytes":total,"offset","data":base64}`; the last line is an end marker
// with every table's row count, the number of files and the SHA-256 of all lines before it, so a
// truncated or edited file is refused before anything is written. Values are PostgreSQL's text form
// (`col::text`), bytea base64, so every type round-trips exactly. Version 1 files (no files) still read.
import { createHash } from 'node:crypto';
import { AppError } from '../../errors.ts';
import { assertBlobKey } from '../../assets/blob-store.ts';
import type { MigrationLevel } from './catalog.ts';

export const EXPORT_FORMAT = 'easel-export';
export const EXPORT_VERSION = 2;
/** Versions this Easel reads: 1 had no stored files. */
const READABLE_VERSIONS: ReadonlySet<unknown> = new Set([1, 2]);
/** Raw bytes per part of a stored file (a line is about 4/3 of it in base64). */
export const BLOB_PART_BYTES = 768 * 1024;

export interface ExportColumn {
	name: string;
	/** PostgreSQL type as `format_type` spells it, e.g. `timestamp with time zone`. */
	type: string;
}

export interface ExportTable {
	name: string;
	columns: ExportColumn[];
}

export interface ExportHeader {
	format: typeof EXPORT_FORMAT;
	version: 1 | 2;
	exportedAt: string;
	migration: MigrationLevel;
	tables: ExportTable[];
}

export interface TransferSummary {
	migration: MigrationLevel;
	/** Rows per table, in foreign-key order. */
	rows: Record<string, number>;
	/** Stored files (asset blobs, thumbnails, previews) and their bytes. */
	blobs: { count: number; bytes: number };
}

/** One part of a stored file, as a line of the file holds it. */
export interface BlobPart {
	blob: string;
	contentType: string;
	/** The whole file's size. */
	bytes: number;
	offset: number;
	data: string;
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

export type ReadItem =
	| { kind: 'header'; header: ExportHeader }
	| { kind: 'rows'; table: string; rows: (string | null)[][] }
	/** A whole stored file, once its last part is read (its content checked against its key when that names a hash). */
	| { kind: 'blob'; key: string; contentType: string; data: Uint8Array }
	/** A part of a stored file that is not whole yet. */
	| { kind: 'blob-part' }
	| { kind: 'end' };

/** Parses and checks export lines one at a time, holding counts, a running hash and the stored file being read. */
export class ExportReader {
	private header: ExportHeader | undefined;
	private tableIndex = 0;
	private counts: Record<string, number> = {};
	private blobs = { count: 0, bytes: 0 };
	/** The stored file whose parts are being read. */
	private blob: { key: string; contentType: string; bytes: number; parts: Buffer[]; received: number } | undefined;
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
			if (this.blob) throw this.invalid(`the stored file ${this.blob.key} ends before its last part`);
			if (this.header.version >= 2 && value.blobs !== this.blobs.count) {
				throw this.invalid(`the end marker counts ${String(value.blobs)} stored files but the file holds ${this.blobs.count}`);
			}
			if (value.sha256 !== this.hash.digest('hex')) throw this.invalid('the checksum does not match (the file was changed or damaged)');
			return { kind: 'end' };
		}
		if (typeof value.blob === 'string') {
			const item = this.readBlobPart(value);
			this.hash.update(`${line}\n`);
			return item;
		}
		if (this.blobs.count > 0 || this.blob) throw this.invalid('table rows after the stored files');
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
		if (!this.ended)
			throw new AppError('INVALID_INPUT', 'The export file is incomplete: it ends before its end marker (was the export interrupted or the file cut short?).');
		return { ...this.header, rows: this.counts, blobs: this.blobs };
	}

	/** One part of a stored file: in order, whole before the next file starts, its content matching the hash its key names. */
	private readBlobPart(value: Record<string, unknown>): ReadItem {
		if (this.header!.version < 2) throw this.invalid('a stored file in a version 1 export');
		const { blob: key, contentType, bytes, offset, data } = value as Partial<BlobPart> & { blob: string };
		try {
			assertBlobKey(key);
		} catch {
			throw this.invalid(`${JSON.stringify(key.slice(0, 80))} is not a stored file's key`);
		}
		if (typeof contentType !== 'string' || !Number.isSafeInteger(bytes) || bytes! < 0 || !Number.isSafeInteger(offset) || typeof data !== 'string') {
			throw this.invalid(`the part of ${key} lacks its contentType, bytes, offset or data`);
		}
		if (this.blob && this.blob.key !== key) throw this.invalid(`the stored file ${this.blob.key} ends before its last part`);
		if (!this.blob) {
			if (offset !== 0) throw this.invalid(`the stored file ${key} does not start at its first part`);
			this.blob = { key, contentType, bytes: bytes!, parts: [], received: 0 };
		}
		if (offset !== this.blob.received || bytes !== this.blob.bytes) throw this.invalid(`a part of ${key} is out of order`);
		const part = Buffer.from(data, 'base64');
		this.blob.parts.push(part);
		this.blob.received += part.byteLength;
		if (this.blob.received > this.blob.bytes) throw this.invalid(`the stored file ${key} is longer than it says`);
		if (this.blob.received < this.blob.bytes) return { kind: 'blob-part' };
		const whole = new Uint8Array(Buffer.concat(this.blob.parts));
		this.blob = undefined;
		const named = /^blobs\/([0-9a-f]{64})$/.exec(key)?.[1];
		if (named && createHash('sha256').update(whole).digest('hex') !== named) throw this.invalid(`the content of ${key} does not match its hash`);
		this.blobs.count++;
		this.blobs.bytes += whole.byteLength;
		return { kind: 'blob', key, contentType, data: whole };
	}

	private invalid(problem: string): AppError {
		return new AppError('INVALID_INPUT', `The export file is not valid at line ${this.lineNumber}: ${problem}.`);
	}
}

function parseHeader(value: Record<string, unknown>, invalid: (problem: string) => AppError): ExportHeader {
	if (value.format !== EXPORT_FORMAT) throw invalid(`it does not start with an Easel export header (format "${EXPORT_FORMAT}")`);
	if (!READABLE_VERSIONS.has(value.version)) {
		throw new AppError('INVALID_INPUT', `The export file has format version ${String(value.version)}; this Easel reads versions 1 and ${EXPORT_VERSION}.`);
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

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
