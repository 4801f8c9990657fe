// A canvas's tldraw records on the server, without Yjs or I/O: the one tldraw schema (the version
// the browser pins), the validation of changes to a canvas's `records` and `meta` maps, migration
// of records an older tldraw wrote, and the diff that makes a canvas hold other records. The socket
// extension (reverting clients' bad changes) and the server-side write path (refusing them before
// they commit) both ask `validateRecordChanges` and `validateMetaChanges`, and both check the
// stored assets that `changedAssetSources` names against the canvas's own (that needs the database).
import { createTLSchema, defaultBindingSchemas, defaultShapeSchemas, type TLAsset, type TLRecord } from '@tldraw/tlschema';
import type { SerializedSchema } from '@tldraw/store';
import { SHARED_RECORD_TYPES } from '../shared-records.ts';
import { MESSAGE_CARD_SCHEMA } from '../conversations/message-card.ts';
import { ASSET_PATH_PREFIX, assetIdOfRecord, assetIdOfSrc } from '../asset-urls.ts';
import { AppError } from './errors.ts';

/** Easel's shapes beside tldraw's own: the browser registers a shape util for each (src/lib/canvas/custom-shapes.ts). */
const shapeSchemas = { ...defaultShapeSchemas, ...MESSAGE_CARD_SCHEMA };

export const tldrawSchema = createTLSchema({ shapes: shapeSchemas, bindings: defaultBindingSchemas });

/** The shape and binding types `tldrawSchema` knows (a file from a tldraw with other kinds cannot be read here). */
export const KNOWN_SHAPE_TYPES: ReadonlySet<string> = new Set(Object.keys(shapeSchemas));
export const KNOWN_BINDING_TYPES: ReadonlySet<string> = new Set(Object.keys(defaultBindingSchemas));

/** Keys a writer may set in the `meta` map. */
const META_KEYS = new Set(['schema']);

export interface RecordLimits {
	/** Largest JSON size of one record (long texts, inline images). */
	maxRecordBytes: number;
	/** Most records one canvas may hold. */
	maxRecords: number;
}

/** One key's change, as Y.YMapEvent reports it: what it was before. */
export interface KeyChange {
	action: 'add' | 'update' | 'delete';
	oldValue: unknown;
}

/** The map as it is after the changes. */
export interface MapView {
	get(key: string): unknown;
	has(key: string): boolean;
	readonly size: number;
}

/**
 * The problem with each added or changed record, by key; keys that are fine are absent. `after` is
 * the records map with the changes applied.
 */
export function validateRecordChanges(after: MapView, changes: ReadonlyMap<string, KeyChange>, limits: RecordLimits): Map<string, string> {
	const problems = new Map<string, string>();
	let added = 0;
	for (const [key, change] of changes) {
		if (change.action === 'delete') continue;
		if (change.action === 'add') added++;
		const problem = recordProblem(key, after.get(key), change.oldValue, after, limits);
		if (problem) problems.set(key, problem);
	}
	// Over the record limit, this change's additions are refused (edits to existing records still pass).
	if (added > 0 && after.size > limits.maxRecords) {
		for (const [key, change] of changes) {
			if (change.action === 'add') problems.set(key, `the canvas already holds the most records allowed (${limits.maxRecords})`);
		}
	}
	// A record whose parent is being refused would be left dangling: refuse it too.
	for (let grew = true; grew;) {
		grew = false;
		for (const [key, change] of changes) {
			if (change.action === 'delete' || problems.has(key)) continue;
			const refused = referencesOf(after.get(key) as TLRecord).find((id) => problems.has(id) && changes.get(id)?.action === 'add');
			if (refused) {
				problems.set(key, `refers to ${refused}, which was refused`);
				grew = true;
			}
		}
	}
	return problems;
}

/** The problem with each added or changed `meta` key, by key. */
export function validateMetaChanges(after: MapView, changes: ReadonlyMap<string, KeyChange>, limits: RecordLimits): Map<string, string> {
	const problems = new Map<string, string>();
	for (const [key, change] of changes) {
		if (change.action === 'delete') continue;
		const problem = metaProblem(key, after.get(key), limits);
		if (problem) problems.set(key, problem);
	}
	return problems;
}

function recordProblem(key: string, value: unknown, previous: unknown, records: MapView, limits: RecordLimits): string | undefined {
	if (!value || typeof value !== 'object' || Array.isArray(value)) return 'not a record object';
	const record = value as TLRecord;
	if (record.id !== key) return `its id ${String(record.id).slice(0, 80)} does not match its key`;
	if (typeof record.typeName !== 'string' || !SHARED_RECORD_TYPES.has(record.typeName)) {
		return `type ${String(record.typeName).slice(0, 40)} is not a canvas record`;
	}
	if (!key.startsWith(`${record.typeName}:`)) return `its id does not start with ${record.typeName}:`;
	const bytes = jsonSize(value);
	if (bytes > limits.maxRecordBytes) return `it is ${bytes} bytes, more than ${limits.maxRecordBytes}`;
	try {
		tldrawSchema.validateRecord(null as never, record, 'updateRecord', null);
	} catch (error) {
		return error instanceof Error ? error.message.slice(0, 200) : 'invalid';
	}
	// A change may not point a record at something missing. References it already had are left
	// alone: a concurrent delete elsewhere can leave them dangling, and tldraw tidies that up.
	const before = new Set(referencesOf(previous as TLRecord | undefined));
	for (const id of referencesOf(record)) {
		if (!before.has(id) && !records.has(id)) return `refers to ${id.slice(0, 80)}, which does not exist`;
	}
	return assetSourceProblem(record, previous);
}

/** An inline image or video, as tldraw stored pasted files before Easel had an asset store. */
const INLINE_MEDIA = /^data:(image|video)\//i;

/**
 * Where an image's or video's content may come from: an uploaded asset (`/api/v1/assets/<id>`,
 * whose owner `changedAssetSources` leaves to the caller), a legacy inline `data:` URL of its kind
 * (old clients still inline; the record size limit bounds it), or nothing yet (null or '' while
 * tldraw uploads). Never another host, `asset:` or `blob:`. A src the record already had is left
 * alone, like references. A bookmark's src is the page it links to, never loaded as content.
 * See docs/decisions/2026-12-02-asset-records.md.
 */
function assetSourceProblem(record: TLRecord, previous: unknown): string | undefined {
	if (record.typeName !== 'asset' || (record.type !== 'image' && record.type !== 'video')) return undefined;
	const src = (record as TLAsset<'image' | 'video'>).props.src;
	if (src === null || src === '' || src === (previous as TLAsset | undefined)?.props?.src) return undefined;
	if (assetIdOfSrc(src)) return undefined;
	const inline = INLINE_MEDIA.exec(src);
	if (inline && inline[1].toLowerCase() === record.type) return undefined;
	return `its src must be an uploaded file (${ASSET_PATH_PREFIX}<id>), not ${JSON.stringify(src.slice(0, 60))}`;
}

/**
 * The stored asset each added or changed asset record now points at, by record key, where that is
 * a different asset than before: the asset must belong to the canvas (the caller asks the
 * database). An asset the record already pointed at is left alone, like references.
 */
export function changedAssetSources(after: MapView, changes: ReadonlyMap<string, KeyChange>): Map<string, string> {
	const sources = new Map<string, string>();
	for (const [key, change] of changes) {
		if (change.action === 'delete') continue;
		const assetId = assetIdOfRecord(after.get(key));
		if (assetId && assetId !== assetIdOfRecord(change.oldValue)) sources.set(key, assetId);
	}
	return sources;
}

/** The problem named for an asset record whose stored asset is not one of the canvas's (missing, or another canvas's). */
export function foreignAssetProblem(assetId: string): string {
	return `points at ${ASSET_PATH_PREFIX}${assetId}, which is not a file of this canvas`;
}

function metaProblem(key: string, value: unknown, limits: RecordLimits): string | undefined {
	if (!META_KEYS.has(key)) return `unknown meta key ${key.slice(0, 40)}`;
	if (jsonSize(value) > limits.maxRecordBytes) return 'meta value too large';
	// The schema the records were written with: older ones are migrated on load, newer ones are unknown here.
	try {
		const migrations = tldrawSchema.getMigrationsSince(value as SerializedSchema);
		return migrations.ok ? undefined : 'written by a newer or unknown tldraw schema';
	} catch {
		return 'not a tldraw schema';
	}
}

/**
 * The records as the current tldraw expects them. `writtenWith` is the serialized schema stored
 * beside them (a document's `meta.schema`); without one they are taken as current.
 */
export function migrateRecords(records: Record<string, unknown>, writtenWith: unknown): Record<string, unknown> {
	if (!writtenWith || typeof writtenWith !== 'object') return records;
	const result = tldrawSchema.migrateStoreSnapshot({ store: records as never, schema: writtenWith as SerializedSchema });
	if (result.type === 'error') {
		throw new AppError('CONFLICT', 'This version was saved by a newer or unknown version of the editor and can’t be opened here.');
	}
	return result.value as Record<string, unknown>;
}

/** What to set and delete so that a map holding `current` holds exactly `target` (unchanged records are left alone). */
export function recordsDiff(current: Record<string, unknown>, target: Record<string, unknown>): { set: [string, unknown][]; remove: string[] } {
	return {
		set: Object.entries(target).filter(([key, value]) => JSON.stringify(current[key]) !== JSON.stringify(value)),
		remove: Object.keys(current).filter((key) => !(key in target))
	};
}

/** Ids a record points at that must exist: a shape's parent, a binding's two shapes. */
function referencesOf(record: TLRecord | undefined): string[] {
	if (!record || typeof record !== 'object') return [];
	if (record.typeName === 'shape' && typeof record.parentId === 'string') return [record.parentId];
	if (record.typeName === 'binding') return [record.fromId as unknown, record.toId as unknown].filter((id): id is string => typeof id === 'string');
	return [];
}

function jsonSize(value: unknown): number {
	try {
		return Buffer.byteLength(JSON.stringify(value) ?? '');
	} catch {
		return Number.POSITIVE_INFINITY;
	}
}
