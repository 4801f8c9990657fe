// Importing a .tldr file as a new canvas of a team: who may (as creating a canvas), how large, its
// pictures moved into the asset store, and its records passing the same validation a client's
// changes pass, all written in one transaction or not at all.
import { eq } from 'drizzle-orm';
import * as Y from 'yjs';
import type { Transaction } from '../db/index.ts';
import { assetBlobs, assets, canvases as canvasRows } from '../db/schema.ts';
import { personId, requireTeamRole, type TeamActor } from '../access.ts';
import { AppError, parseInput } from '../errors.ts';
import { tldrawSchema, validateRecordChanges, type KeyChange, type RecordLimits } from '../canvas-records.ts';
import { blobKey } from '../assets/assets.ts';
import { assertStorageAvailable } from '../assets/storage-quota.ts';
import { importFileLimit } from '../assets/upload-limits.ts';
import { writeNewDocument } from '../documents/document-store.ts';
import { searchIndexOf } from '../canvas-search-index.ts';
import { displayNameForOutput } from '../display-names.ts';
import { PLANS } from '../plans.ts';
import * as audit from '../audit.ts';
import * as billing from '../billing.ts';
import * as canvases from '../canvases.ts';
import type { Services } from '../services.ts';
import { documentName } from '../../document-names.ts';
import { formatBytes } from '../../format-bytes.ts';
import { IMPORTED_CANVAS_TITLE, titleFromFileName } from '../../tldraw-files.ts';
import { extractEmbeddedImages, type ImportedImage } from './embedded-images.ts';
import { invalidRecord, readTldrawFile } from './read-file.ts';

export interface ImportLimits extends RecordLimits {
	/** Largest stored canvas (MAX_DOCUMENT_BYTES). */
	maxDocumentBytes: number;
	maxTitleLength: number;
}

export interface ImportInput {
	teamId: string;
	/** The file's bytes, as sent. */
	bytes: Uint8Array;
	/** The name it was sent with: the title when none is given. */
	fileName?: string;
	/** A title; blank or missing means the file name's. */
	title?: string;
}

/**
 * Makes a new canvas of team `teamId` holding the file's records: older tldraw schemas are migrated,
 * inline pictures become the canvas's assets (counted against the team's storage), anything else
 * refused with a message that names it (see read-file.ts and embedded-images.ts). The actor needs
 * canvas.create in the team and room under the plan's canvas limit. Nothing is written unless all of
 * it is: no canvas, no asset row, no stored bytes for a refused file.
 */
export async function importTldrawFile(
	services: Services,
	actor: TeamActor,
	input: ImportInput,
	limits: ImportLimits,
	context: { ip?: string | null } = {}
): Promise<canvases.CanvasSummary> {
	const { db, blobs } = services;
	if (typeof input.teamId !== 'string' || !input.teamId) throw new AppError('INVALID_INPUT', 'Choose the team to import into (teamId).', { field: 'teamId' });
	if (!(input.bytes instanceof Uint8Array)) throw new AppError('INVALID_INPUT', 'Send the .tldr file in the field file.', { field: 'file' });
	await requireTeamRole(db, actor, input.teamId, 'canvas.create');
	const teamId = input.teamId;
	const title = importTitle(input, limits.maxTitleLength);

	const { limits: plan } = await billing.teamPlan(db, teamId);
	const fileLimit = importFileLimit(plan.plan, limits.maxDocumentBytes);
	if (input.bytes.byteLength > fileLimit) {
		throw new AppError(
			'PAYLOAD_TOO_LARGE',
			`This file is ${formatBytes(input.bytes.byteLength)}; on the ${PLANS[plan.plan].name} plan a .tldr file may be at most ${formatBytes(fileLimit)} (a canvas of ${formatBytes(limits.maxDocumentBytes)} plus images of ${formatBytes(plan.storage.fileBytes)}).`,
			{ limit: 'importBytes', allowed: fileLimit, plan: plan.plan }
		);
	}
	const read = readTldrawFile(input.bytes);
	const recordCount = Object.keys(read).length;
	if (recordCount > limits.maxRecords) {
		throw new AppError('PAYLOAD_TOO_LARGE', `This file holds ${recordCount} records; a canvas holds at most ${limits.maxRecords}.`, {
			limit: 'records',
			allowed: limits.maxRecords
		});
	}
	const { records, images } = await extractEmbeddedImages(read, { fileBytes: plan.storage.fileBytes, plan: plan.plan });
	assertValidRecords(records, limits);
	const doc = canvasDocument(records);
	const state = Y.encodeStateAsUpdate(doc);
	const stateVector = Y.encodeStateVector(doc);
	doc.destroy();
	if (state.byteLength > limits.maxDocumentBytes) {
		throw new AppError(
			'PAYLOAD_TOO_LARGE',
			`The canvas in this file takes ${formatBytes(state.byteLength)} without its images; a canvas may take at most ${formatBytes(limits.maxDocumentBytes)}.`,
			{ limit: 'documentBytes', allowed: limits.maxDocumentBytes }
		);
	}
	const imageBytes = images.reduce((sum, image) => sum + image.file.bytes.byteLength, 0);

	// Limits first, so a refused import stores no bytes; they are asked again under the lock below.
	await db.transaction((tx) => assertRoomFor(tx, teamId, imageBytes));
	const known = await storeBlobs(services, images);

	const id = await db.transaction(async (tx) => {
		await assertRoomFor(tx, teamId, imageBytes);
		const [row] = await tx
			.insert(canvasRows)
			.values({ teamId, title, createdBy: personId(actor), ...searchIndexOf(records) })
			.returning({ id: canvasRows.id });
		for (const image of images) {
			const created = await tx
				.insert(assetBlobs)
				.values({ sha256: image.sha256, storageKey: blobKey(image.sha256), mimeType: image.file.mimeType, bytes: image.file.bytes.byteLength })
				.onConflictDoNothing()
				.returning({ sha256: assetBlobs.sha256 });
			// The row was there when we looked but has been collected since: its bytes may be gone too.
			if (known.has(image.sha256) && created.length > 0) await blobs.put(blobKey(image.sha256), image.file.bytes, image.file.mimeType);
			await tx.insert(assets).values({
				id: image.assetId,
				canvasId: row.id,
				sha256: image.sha256,
				mimeType: image.file.mimeType,
				bytes: image.file.bytes.byteLength,
				width: image.file.width ?? null,
				height: image.file.height ?? null,
				fileName: image.fileName,
				uploadedBy: personId(actor)
			});
		}
		await writeNewDocument(tx, documentName('canvas', row.id), state, stateVector);
		await audit.record(tx, {
			teamId,
			actor,
			action: 'canvas.import',
			targetType: 'canvas',
			targetId: row.id,
			details: { title, fileName: input.fileName?.slice(0, 200) ?? null, records: recordCount, images: images.length, imageBytes },
			ip: context.ip
		});
		return row.id;
	});
	return canvases.get(db, actor, id);
}

/** The given title (refused when it is not a valid one), else the file name's cleaned up, else the default. */
function importTitle(input: ImportInput, maxTitleLength: number): string {
	const given = typeof input.title === 'string' && input.title.trim() ? input.title : undefined;
	if (given !== undefined) return parseInput(canvases.titleSchema(maxTitleLength), given);
	const fromName = titleFromFileName(input.fileName);
	const cleaned = fromName ? displayNameForOutput(fromName, maxTitleLength) : '';
	return canvases.titleSchema(maxTitleLength).safeParse(cleaned).data ?? IMPORTED_CANVAS_TITLE;
}

/** The same checks a client's new records pass (schema, references, sizes, asset sources), naming the first failure. */
function assertValidRecords(records: Record<string, unknown>, limits: RecordLimits): void {
	const map = new Map(Object.entries(records));
	const additions = new Map<string, KeyChange>([...map.keys()].map((key) => [key, { action: 'add', oldValue: undefined }]));
	const problems = validateRecordChanges({ get: (key) => map.get(key), has: (key) => map.has(key), size: map.size }, additions, limits);
	const [first] = problems;
	if (first) throw invalidRecord({ id: first[0] }, first[1]);
}

function canvasDocument(records: Record<string, unknown>): Y.Doc {
	const doc = new Y.Doc();
	doc.transact(() => {
		const map = doc.getMap('records');
		for (const [key, record] of Object.entries(records)) map.set(key, record);
		doc.getMap('meta').set('schema', tldrawSchema.serialize());
	});
	return doc;
}

async function assertRoomFor(tx: Transaction, teamId: string, imageBytes: number): Promise<void> {
	await billing.assertCanCreateCanvas(tx, teamId);
	await assertStorageAvailable(tx, teamId, imageBytes);
}

/** Stores the bytes of each image whose blob is not stored yet; answers the ones that were. */
async function storeBlobs(services: Services, images: ImportedImage[]): Promise<Set<string>> {
	const known = new Set<string>();
	for (const image of images) {
		const [row] = await services.db.select({ sha256: assetBlobs.sha256 }).from(assetBlobs).where(eq(assetBlobs.sha256, image.sha256));
		if (row) known.add(image.sha256);
		else await services.blobs.put(blobKey(image.sha256), image.file.bytes, image.file.mimeType);
	}
	return known;
}
