// Exporting a canvas without a browser, as collaborators see it now: a .tldr file as tldraw writes
// it (every picture of the canvas's asset store inlined as a `data:` URL, so it opens anywhere,
// tldraw.com included), or JSON for programs with the pictures as absolute URLs. Streamed: a
// canvas's pictures may be far larger than one string can hold.
import { randomUUID } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import type { SerializedSchema } from '@tldraw/store';
import type { TLRecord } from '@tldraw/tlschema';
import { assetBlobs, assets } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { permits, resolveCanvasAccess, type Actor } from '../access.ts';
import { migrateRecords, tldrawSchema } from '../canvas-records.ts';
import type { Services } from '../services.ts';
import { assetIdOfRecord, assetSrc } from '../../asset-urls.ts';
import { documentName } from '../../document-names.ts';
import { TLDRAW_FILE_FORMAT_VERSION } from '../../tldraw-files.ts';

export interface CanvasExport {
	canvas: { id: string; title: string };
	schema: SerializedSchema;
	/** The canvas's records, as tldraw files list them (assets no shape uses left out, as tldraw does). */
	records: TLRecord[];
}

/**
 * The live canvas's records for whoever may open it (members of any role, share-link guests, the
 * API's bearer tokens): NOT_FOUND for everyone else, UNAUTHENTICATED for anonymous callers without
 * a link. Exports are free on every plan.
 */
export async function exportCanvas(services: Services, actor: Actor, canvasId: string, options: { shareToken?: string } = {}): Promise<CanvasExport> {
	const { db, collaboration } = services;
	if (actor.kind === 'anonymous' && !options.shareToken) throw new AppError('UNAUTHENTICATED', 'Sign in, or send the share link token in Easel-Share-Token.');
	const access = await resolveCanvasAccess(db, actor, canvasId, options.shareToken);
	if (!access.link && !permits(access.standing, 'canvas.view')) throw new AppError('NOT_FOUND', 'Canvas was not found.');
	const document = await collaboration.readDocument(documentName('canvas', access.canvas.id));
	const records = Object.values(migrateRecords(document.records, document.meta.schema)) as TLRecord[];
	return { canvas: { id: access.canvas.id, title: access.canvas.title }, schema: tldrawSchema.serialize(), records: withoutUnusedAssets(records) };
}

/** The export for programs: asset records point at `origin` + `/api/v1/assets/<id>` (readable with the same credentials). */
export function withAbsoluteAssetUrls(exported: CanvasExport, origin: string): CanvasExport {
	return { ...exported, records: exported.records.map((record) => withSrc(record, (assetId) => `${origin}${assetSrc(assetId)}`)) };
}

/**
 * The .tldr file's bytes: `{ tldrawFileFormatVersion, schema, records }` with every picture stored for
 * this canvas inlined; one whose bytes are gone keeps an absolute URL (`origin`), as tldraw keeps a
 * src it could not fetch.
 */
export function tldrawFileStream(services: Services, exported: CanvasExport, origin: string): ReadableStream<Uint8Array> {
	const chunks = tldrawFileChunks(services, exported, origin);
	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			const next = await chunks.next();
			if (next.done) controller.close();
			else controller.enqueue(next.value);
		},
		async cancel() {
			await chunks.return(undefined);
		}
	});
}

async function* tldrawFileChunks(services: Services, exported: CanvasExport, origin: string): AsyncGenerator<Uint8Array> {
	const encoder = new TextEncoder();
	const stored = await storedAssets(services, exported);
	// A src stands in for the picture while its record is written out; the bytes go where it was.
	const placeholder = JSON.stringify(`easel-inline-${randomUUID()}`);
	yield encoder.encode(`{"tldrawFileFormatVersion":${TLDRAW_FILE_FORMAT_VERSION},"schema":${JSON.stringify(exported.schema)},"records":[`);
	for (const [index, record] of exported.records.entries()) {
		if (index > 0) yield encoder.encode(',');
		const assetId = assetIdOfRecord(record);
		const asset = assetId ? stored.get(assetId) : undefined;
		const blob = asset ? await services.blobs.get(asset.storageKey) : null;
		if (!asset || !blob) {
			yield encoder.encode(JSON.stringify(withSrc(record, (id) => `${origin}${assetSrc(id)}`)));
			continue;
		}
		const [before, after] = JSON.stringify(withSrc(record, () => JSON.parse(placeholder))).split(placeholder);
		yield encoder.encode(`${before}"data:${asset.mimeType};base64,`);
		yield* base64Chunks(blob.body);
		yield encoder.encode(`"${after}`);
	}
	yield encoder.encode(']}');
}

/** The canvas's own stored assets among those its records use (another canvas's are never inlined). */
async function storedAssets(services: Services, exported: CanvasExport): Promise<Map<string, { mimeType: string; storageKey: string }>> {
	const ids = [...new Set(exported.records.map(assetIdOfRecord).filter((id): id is string => id !== null))];
	if (ids.length === 0) return new Map();
	const rows = await services.db
		.select({ id: assets.id, mimeType: assets.mimeType, storageKey: assetBlobs.storageKey })
		.from(assets)
		.innerJoin(assetBlobs, eq(assetBlobs.sha256, assets.sha256))
		.where(and(inArray(assets.id, ids), eq(assets.canvasId, exported.canvas.id)));
	return new Map(rows.map((row) => [row.id, row]));
}

/** Base64 of a byte stream, in chunks (each a multiple of 3 bytes but the last). */
async function* base64Chunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
	let carry = new Uint8Array(0);
	const reader = body.getReader();
	try {
		for (;;) {
			const { done, value: chunk } = await reader.read();
			if (done) break;
			const bytes = new Uint8Array(carry.byteLength + chunk.byteLength);
			bytes.set(carry);
			bytes.set(chunk, carry.byteLength);
			const whole = bytes.byteLength - (bytes.byteLength % 3);
			if (whole > 0) yield new TextEncoder().encode(Buffer.from(bytes.buffer, bytes.byteOffset, whole).toString('base64'));
			carry = bytes.slice(whole);
		}
	} finally {
		// The download was abandoned midway: let the store's file go.
		await reader.cancel().catch(() => {});
	}
	if (carry.byteLength > 0) yield new TextEncoder().encode(Buffer.from(carry).toString('base64'));
}

/** The record with a stored asset's src replaced by `src(assetId)`; other records as they are. */
function withSrc(record: TLRecord, src: (assetId: string) => string): TLRecord {
	const assetId = assetIdOfRecord(record);
	if (!assetId) return record;
	const asset = record as TLRecord & { props: Record<string, unknown> };
	return { ...asset, props: { ...asset.props, src: src(assetId) } } as TLRecord;
}

/** tldraw's `pruneUnusedAssets`: files leave out asset records no shape points at. */
function withoutUnusedAssets(records: TLRecord[]): TLRecord[] {
	const used = new Set<unknown>();
	for (const record of records) {
		if (record.typeName === 'shape' && 'assetId' in record.props && record.props.assetId) used.add(record.props.assetId);
	}
	return records.filter((record) => record.typeName !== 'asset' || used.has(record.id));
}
