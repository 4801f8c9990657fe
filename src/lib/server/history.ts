// Version history of canvases: automatic, named and restore versions of the whole document,
// kept as long as the team's plan allows; restoring is a forward change.
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { and, desc, eq, inArray, lt, notInArray, or, sql } from 'drizzle-orm';
import * as Y from 'yjs';
import { z } from 'zod';
import { readBytes } from './db/bytea.ts';
import type { Queryable } from './db/index.ts';
import { canvases, documentVersions, publications, users, type VersionKind } from './db/schema.ts';
import { migrateRecords, recordsDiff } from './canvas-records.ts';
import { AppError, notFound, parseInput } from './errors.ts';
import { displayNameSchema } from './display-names.ts';
import { personId, requireCanvasPermission, requireEditable, isUuid, type Actor, type TeamActor } from './access.ts';
import * as billing from './billing.ts';
import { PLANS, upgradeFor } from './plans.ts';
import type { Services } from './services.ts';
import { deleteOrphanedVersions } from './documents/canvas-documents.ts';
import { DOCUMENT_KINDS, documentName, documentNamePrefix } from '../document-names.ts';

const DAY_MS = 86_400_000;
/** While a canvas is edited, at most one automatic version per this interval. */
export const AUTO_VERSION_INTERVAL_MS = 10 * 60_000;
/** Versions past the retention stay (locked) this long before pruning deletes them. */
export const PRUNE_GRACE_DAYS = 7;

export const versionLabelSchema = displayNameSchema({
	label: 'A version name',
	maxLength: 120,
	emptyMessage: 'Give the version a name.',
	tooLongMessage: 'A version name is at most 120 characters.'
});

export function compressState(state: Uint8Array): Uint8Array {
	return brotliCompressSync(state, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } });
}

export function decompressState(stored: Uint8Array): Uint8Array {
	return brotliDecompressSync(stored);
}

/** `POST /api/v1/canvases/{id}/versions` and renaming a version: `{ label }`. */
export const versionLabelRequestSchema = z.object({ label: versionLabelSchema }).strict();

export interface Version {
	id: string;
	kind: VersionKind;
	label: string | null;
	createdAt: Date;
	createdBy: string | null;
	createdByName: string | null;
	authorIds: string[];
	bytes: number;
}

export interface VersionInList extends Version {
	/** Older than the plan keeps: shown, but opening or restoring it needs an upgrade. */
	locked: boolean;
}

const versionColumns = {
	id: documentVersions.id,
	kind: documentVersions.kind,
	label: documentVersions.label,
	createdAt: documentVersions.createdAt,
	createdBy: documentVersions.createdBy,
	createdByName: users.name,
	authorIds: documentVersions.authorIds,
	bytes: documentVersions.bytes
};

/** Stores a version of a document's full state. */
export async function capture(
	db: Queryable,
	input: { document: string; state: Uint8Array; kind: VersionKind; label?: string | null; createdBy?: string | null; authorIds?: string[] }
): Promise<Version> {
	const compressed = compressState(input.state);
	const [row] = await db
		.insert(documentVersions)
		.values({
			document: input.document,
			state: compressed,
			bytes: compressed.byteLength,
			kind: input.kind,
			label: input.label ?? null,
			createdBy: input.createdBy ?? null,
			authorIds: input.authorIds ?? []
		})
		.returning({ id: documentVersions.id });
	return getVersion(db, row.id);
}

async function getVersion(db: Queryable, id: string): Promise<Version> {
	const [row] = await db.select(versionColumns).from(documentVersions).leftJoin(users, eq(users.id, documentVersions.createdBy)).where(eq(documentVersions.id, id));
	if (!row) throw notFound('Version');
	return row;
}

function isLocked(version: Pick<Version, 'kind' | 'createdAt'>, historyDays: number | null, keepsNamed: boolean, now: Date): boolean {
	if (historyDays === null) return false;
	if (version.kind === 'named' && keepsNamed) return false;
	return version.createdAt.getTime() < now.getTime() - historyDays * DAY_MS;
}

/** The canvas's versions, newest first, with older-than-plan ones marked locked (never hidden). */
export async function list(db: Queryable, actor: Actor, canvasId: string, now = new Date()): Promise<{ versions: VersionInList[]; historyDays: number | null }> {
	const access = await requireCanvasPermission(db, actor, canvasId, 'canvas.view');
	const { limits } = await billing.teamPlan(db, access.canvas.teamId, now);
	const rows = await db
		.select(versionColumns)
		.from(documentVersions)
		.leftJoin(users, eq(users.id, documentVersions.createdBy))
		.where(eq(documentVersions.document, documentName('canvas', canvasId)))
		.orderBy(desc(documentVersions.createdAt))
		.limit(500);
	return {
		versions: rows.map((row) => ({ ...row, locked: isLocked(row, limits.historyDays, limits.keepsNamedVersions, now) })),
		historyDays: limits.historyDays
	};
}

async function requireVersion(db: Queryable, actor: Actor, canvasId: string, versionId: string, action: 'canvas.view' | 'history.restore' | 'history.manage', now: Date) {
	const access = await requireCanvasPermission(db, actor, canvasId, action);
	// Restoring writes the canvas's content, so it needs an editable canvas, not just the role.
	if (action === 'history.restore') await requireEditable(db, access);
	if (!isUuid(versionId)) throw notFound('Version');
	const [row] = await db
		.select({ ...versionColumns, state: readBytes(documentVersions.state), document: documentVersions.document })
		.from(documentVersions)
		.leftJoin(users, eq(users.id, documentVersions.createdBy))
		.where(and(eq(documentVersions.id, versionId), eq(documentVersions.document, documentName('canvas', canvasId))));
	if (!row) throw notFound('Version');
	const { limits } = await billing.teamPlan(db, access.canvas.teamId, now);
	if (isLocked(row, limits.historyDays, limits.keepsNamedVersions, now) && action !== 'history.manage') {
		const next = upgradeFor(limits.plan);
		throw new AppError(
			'LIMIT_EXCEEDED',
			`The ${PLANS[limits.plan].name} plan keeps ${limits.historyDays} days of history; this version is older.${next ? ` Upgrade to ${next.name} to open it.` : ''}`,
			{ limit: 'history', allowedDays: limits.historyDays, plan: limits.plan }
		);
	}
	return row;
}

/** A version's tldraw records, for preview (read-only, nothing changes). */
export async function getRecords(db: Queryable, actor: Actor, canvasId: string, versionId: string, now = new Date()) {
	const row = await requireVersion(db, actor, canvasId, versionId, 'canvas.view', now);
	const { state, document, ...version } = row;
	return { version, records: recordsOf(decompressState(state)) };
}

/**
 * A version's records by id, with no access check: for callers that already decided the reader may
 * see them (a published version's visitors). Null when there is no such version.
 */
export async function readVersionRecords(db: Queryable, versionId: string): Promise<Record<string, unknown> | null> {
	if (!isUuid(versionId)) return null;
	const [row] = await db
		.select({ state: readBytes(documentVersions.state) })
		.from(documentVersions)
		.where(eq(documentVersions.id, versionId));
	return row ? recordsOf(decompressState(row.state)) : null;
}

/** A stored state's records, migrated to the current tldraw schema if an older one wrote them. */
export function recordsOf(state: Uint8Array): Record<string, unknown> {
	const doc = new Y.Doc();
	Y.applyUpdate(doc, state);
	const records = doc.getMap('records').toJSON();
	const writtenWith = doc.getMap('meta').get('schema');
	doc.destroy();
	return migrateRecords(records, writtenWith);
}

/** Who a version made by `actor` is by: a person, or nobody named for a key (the API key is not a person). */
function authorship(actor: TeamActor): { createdBy: string | null; authorIds: string[] } {
	const person = personId(actor);
	return { createdBy: person, authorIds: person ? [person] : [] };
}

/** Saves the canvas as it is now under a name. */
export async function saveNamed(services: Services, actor: TeamActor, canvasId: string, label: string): Promise<Version> {
	const { db, collaboration } = services;
	await requireEditable(db, await requireCanvasPermission(db, actor, canvasId, 'history.save'));
	const name = parseInput(versionLabelSchema, label);
	const document = documentName('canvas', canvasId);
	const state = await collaboration.readDocumentState(document);
	return capture(db, { document, state, kind: 'named', label: name, ...authorship(actor) });
}

export async function rename(db: Queryable, actor: Actor, canvasId: string, versionId: string, label: string): Promise<Version> {
	const row = await requireVersion(db, actor, canvasId, versionId, 'history.manage', new Date());
	if (row.kind !== 'named') throw new AppError('INVALID_INPUT', 'Only named versions can be renamed.');
	await db
		.update(documentVersions)
		.set({ label: parseInput(versionLabelSchema, label) })
		.where(eq(documentVersions.id, versionId));
	return getVersion(db, versionId);
}

export async function remove(db: Queryable, actor: Actor, canvasId: string, versionId: string): Promise<void> {
	const row = await requireVersion(db, actor, canvasId, versionId, 'history.manage', new Date());
	if (row.kind !== 'named') throw new AppError('INVALID_INPUT', 'Only named versions can be deleted; automatic ones expire with the plan.');
	await db.delete(documentVersions).where(eq(documentVersions.id, versionId));
}

/**
 * Restores a version as a new forward change that every collaborator sees live. The replaced state
 * is kept as a "Before restore" version (restoring it undoes the restore) and the point is marked
 * with a `restore` version.
 */
export async function restore(services: Services, actor: TeamActor, canvasId: string, versionId: string, now = new Date()): Promise<Version> {
	const { db, collaboration } = services;
	const row = await requireVersion(db, actor, canvasId, versionId, 'history.restore', now);
	const document = documentName('canvas', canvasId);
	// Keep the state being replaced, so the restore itself can be undone by restoring this.
	const replaced = await collaboration.readDocumentState(document);
	await capture(db, { document, state: replaced, kind: 'auto', label: 'Before restore', ...authorship(actor) });
	const target = recordsOf(decompressState(row.state));
	await collaboration.transact(document, { origin: 'restore', actor }, (draft) => {
		const { set, remove } = recordsDiff(draft.records.toJSON(), target);
		for (const key of remove) draft.records.delete(key);
		for (const [key, value] of set) draft.records.set(key, value);
	});
	const state = await collaboration.readDocumentState(document);
	const when = row.createdAt.toISOString().slice(0, 16).replace('T', ' ');
	return capture(db, {
		document,
		state,
		kind: 'restore',
		label: `Restored ${row.label ? `“${row.label}”` : `version of ${when} UTC`}`,
		...authorship(actor)
	});
}

/**
 * Deletes versions past their team's retention plus the grace period (named versions stay on plans
 * that keep them; the version a publication shows stays while it is published), and any version
 * whose canvas no longer exists. Returns how many were deleted.
 */
export async function prune(db: Queryable, now = new Date()): Promise<number> {
	const teamRows = await db.selectDistinct({ teamId: canvases.teamId }).from(canvases);
	// Deleting a canvas deletes its versions; this catches any that a past bug or a race left behind.
	let deleted = await deleteOrphanedVersions(db);
	for (const { teamId } of teamRows) {
		const { limits } = await billing.teamPlan(db, teamId, now);
		if (limits.historyDays === null) continue;
		const cutoff = new Date(now.getTime() - (limits.historyDays + PRUNE_GRACE_DAYS) * DAY_MS);
		// Every kind of document of the team's canvases, as names (so the index on `document` serves).
		const teamDocuments = DOCUMENT_KINDS.map((kind) =>
			inArray(
				documentVersions.document,
				db
					.select({ name: sql<string>`${documentNamePrefix(kind)}::text || ${canvases.id}::text` })
					.from(canvases)
					.where(eq(canvases.teamId, teamId))
			)
		);
		const kinds: VersionKind[] = limits.keepsNamedVersions ? ['auto', 'restore', 'assistant', 'publish'] : ['auto', 'restore', 'assistant', 'publish', 'named'];
		const published = db.select({ id: publications.versionId }).from(publications);
		const removed = await db
			.delete(documentVersions)
			.where(and(or(...teamDocuments), lt(documentVersions.createdAt, cutoff), inArray(documentVersions.kind, kinds), notInArray(documentVersions.id, published)))
			.returning({ id: documentVersions.id });
		deleted += removed.length;
	}
	return deleted;
}
