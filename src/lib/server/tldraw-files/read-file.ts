// Reading a .tldr file into a canvas's records, the steps of tldraw's own `parseTldrawJsonFile`
// (file shape, format version, unused assets pruned, schema migration, record validation) against
// the server's one tldraw schema, with refusals that name what is wrong. tldraw's function itself
// needs the whole editor package (1.3 s and 110 MB to load on the server) and says only "invalid
// records"; see docs/decisions/2026-12-02-tldraw-files.md.
import { z } from 'zod';
import type { SerializedSchema } from '@tldraw/store';
import type { TLRecord } from '@tldraw/tlschema';
import { AppError } from '../errors.ts';
import { KNOWN_BINDING_TYPES, KNOWN_SHAPE_TYPES, tldrawSchema } from '../canvas-records.ts';
import { SHARED_RECORD_TYPES } from '../../shared-records.ts';
import { madeWithNewerTldraw, NOT_A_TLDRAW_FILE, TLDRAW_FILE_FORMAT_VERSION } from '../../tldraw-files.ts';

/** The envelope tldraw checks before anything else (its `tldrawFileValidator`). */
const fileEnvelope = z.object({
	tldrawFileFormatVersion: z
		.number()
		.int()
		.refine((version) => version !== 0),
	schema: z.discriminatedUnion('schemaVersion', [
		z.object({
			schemaVersion: z.literal(1),
			storeVersion: z.number().int().positive(),
			recordVersions: z.record(z.string(), z.looseObject({ version: z.number().int().positive() }))
		}),
		z.object({ schemaVersion: z.literal(2), sequences: z.record(z.string(), z.number().int().nonnegative()) })
	]),
	records: z.array(z.looseObject({ id: z.string(), typeName: z.string() }))
});

type FileRecord = { id: string; typeName: string; [key: string]: unknown };

/**
 * The canvas records of a .tldr file's bytes, by id, migrated to the current schema and valid by
 * it. Only the record types a canvas shares are kept (cameras, the instance, pointers and users
 * belong to the tab that saved the file); asset records no shape uses are dropped, as tldraw does.
 * INVALID_INPUT for anything else: not a tldraw file, one from a newer tldraw (naming what it does
 * not know), a record that is not valid (naming the first one and why).
 */
export function readTldrawFile(bytes: Uint8Array): Record<string, TLRecord> {
	const file = parseEnvelope(bytes);
	if (file.tldrawFileFormatVersion > TLDRAW_FILE_FORMAT_VERSION) {
		throw new AppError('INVALID_INPUT', madeWithNewerTldraw(`file format ${file.tldrawFileFormatVersion}; this Easel reads format ${TLDRAW_FILE_FORMAT_VERSION}`));
	}
	const schema = file.schema as SerializedSchema;
	assertKnownSchema(schema);

	const store: Record<string, FileRecord> = {};
	for (const record of withoutUnusedAssets(file.records as FileRecord[])) {
		if (!Object.hasOwn(tldrawSchema.types, record.typeName))
			throw new AppError('INVALID_INPUT', madeWithNewerTldraw(`${describe(record)} is of record type “${clip(record.typeName)}”`));
		if (SHARED_RECORD_TYPES.has(record.typeName)) store[record.id] = record;
	}
	const migrated = migrate(store, schema);
	for (const record of Object.values(migrated)) {
		const kind = record.typeName === 'shape' ? KNOWN_SHAPE_TYPES : record.typeName === 'binding' ? KNOWN_BINDING_TYPES : null;
		const type = (record as { type?: unknown }).type;
		if (kind && typeof type === 'string' && !kind.has(type)) {
			throw new AppError('INVALID_INPUT', madeWithNewerTldraw(`${describe(record)} is a “${clip(type)}” ${record.typeName}`), { recordId: record.id });
		}
		try {
			tldrawSchema.validateRecord(null as never, record, 'initialize', null);
		} catch (error) {
			throw invalidRecord(record, error instanceof Error ? error.message : 'it is not valid');
		}
	}
	return migrated;
}

/** INVALID_INPUT naming the record and what is wrong with it. */
export function invalidRecord(record: { id: string }, problem: string): AppError {
	return new AppError('INVALID_INPUT', `The file's record ${clip(record.id)} is invalid: ${problem.slice(0, 300)}`, { recordId: clip(record.id) });
}

function parseEnvelope(bytes: Uint8Array): z.infer<typeof fileEnvelope> {
	let data: unknown;
	try {
		data = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
	} catch {
		throw new AppError('INVALID_INPUT', NOT_A_TLDRAW_FILE, { reason: 'not JSON' });
	}
	const parsed = fileEnvelope.safeParse(data);
	if (parsed.success) return parsed.data;
	if ((data as { document?: { version?: unknown } } | null)?.document?.version) {
		throw new AppError(
			'INVALID_INPUT',
			`${NOT_A_TLDRAW_FILE.slice(0, -1)} Easel can read: it was made with tldraw 1. Open it at tldraw.com and save it again to import it here.`,
			{
				reason: 'tldraw 1 file'
			}
		);
	}
	const issue = parsed.error.issues[0];
	throw new AppError('INVALID_INPUT', NOT_A_TLDRAW_FILE, { reason: issue ? `${issue.path.join('.') || 'file'}: ${issue.message}` : 'not a tldraw file' });
}

/** Refuses a schema with record versions newer than this Easel's, naming the first such sequence. */
function assertKnownSchema(schema: SerializedSchema): void {
	let known: boolean;
	try {
		known = tldrawSchema.getMigrationsSince(schema).ok;
	} catch {
		throw new AppError('INVALID_INPUT', NOT_A_TLDRAW_FILE, { reason: 'unreadable schema' });
	}
	if (known) return;
	const ours = tldrawSchema.serialize().sequences;
	const newer = schema.schemaVersion === 2 ? Object.entries(schema.sequences).find(([id, version]) => id in ours && version > ours[id]) : undefined;
	throw new AppError('INVALID_INPUT', madeWithNewerTldraw(newer ? `${clip(newer[0])} version ${newer[1]}; this Easel knows up to ${ours[newer[0]]}` : 'its schema'));
}

/** The records as the current schema expects them; a record a migration cannot handle is named. */
function migrate(store: Record<string, FileRecord>, schema: SerializedSchema): Record<string, TLRecord> {
	let result: ReturnType<typeof tldrawSchema.migrateStoreSnapshot>;
	try {
		result = tldrawSchema.migrateStoreSnapshot({ store: store as never, schema });
	} catch {
		throw firstUnmigratable(store, schema) ?? new AppError('INVALID_INPUT', `${NOT_A_TLDRAW_FILE.slice(0, -1)}: its records could not be brought up to date.`);
	}
	if (result.type === 'success') return result.value as Record<string, TLRecord>;
	if (result.reason === 'target-version-too-new') throw new AppError('INVALID_INPUT', madeWithNewerTldraw('its schema'));
	throw firstUnmigratable(store, schema) ?? new AppError('INVALID_INPUT', `The file's records could not be brought up to date (${result.reason}).`);
}

function firstUnmigratable(store: Record<string, FileRecord>, schema: SerializedSchema): AppError | undefined {
	for (const record of Object.values(store)) {
		try {
			const result = tldrawSchema.migratePersistedRecord(record as never, schema);
			if (result.type === 'error') return invalidRecord(record, `it cannot be brought up to date (${result.reason})`);
		} catch (error) {
			return invalidRecord(record, `it cannot be brought up to date (${error instanceof Error ? error.message : 'a migration failed'})`);
		}
	}
	return undefined;
}

/** tldraw's `pruneUnusedAssets`: asset records no shape points at are left out of files. */
function withoutUnusedAssets(records: FileRecord[]): FileRecord[] {
	const used = new Set<unknown>();
	for (const record of records) {
		const props = record.props as { assetId?: unknown } | undefined;
		if (record.typeName === 'shape' && props && typeof props === 'object' && props.assetId) used.add(props.assetId);
	}
	return records.filter((record) => record.typeName !== 'asset' || used.has(record.id));
}

function describe(record: { id: string }): string {
	return `record ${clip(record.id)}`;
}

function clip(text: string): string {
	return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
