// The export file: JSON Lines. Line 1 is a header (format, version, migration level, tables in
// foreign-key order with their columns); then chunks `{"table","rows":[[...]]}` in that order; the
// last line is an end marker with every table's row count and the SHA-256 of all lines before it,
// so a truncated or edited file is refused before anything is written. Values are PostgreSQL's
// text form (`col::text`), bytea base64, so every type round-trips exactly.
import { createHash } from 'node:crypto';
import { AppError } from '../../errors.ts';
import type { MigrationLevel } from './catalog.ts';

export const EXPORT_FORMAT = 'easel-export';
export const EXPORT_VERSION = 1;

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

/**
 * Checks an export file from end to end without touching any database: format, version, table
 * order, row shapes, the trailer's counts and checksum. Throws INVALID_INPUT naming the first problem.
 */
export async function verifyExport(lines: AsyncIterable<string>): Promise<ExportHeader & TransferSummary> {
	const reader = new ExportReader();
	for await (const line of lines) reader.read(line);
	return reader.finish();
}

export type ReadItem = { kind: 'header'; header: ExportHeader } | { kind: 'rows'; table: string; rows: (string | null)[][] } | { kind: 'end' };

/** Parses and checks export lines one at a time, holding only counts and a running hash. */
export class ExportReader {
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
		if (!this.ended)
			throw new AppError('INVALID_INPUT', 'The export file is incomplete: it ends before its end marker (was the export interrupted or the file cut short?).');
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

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
