// What an image job writes into its canvas, through the one server write path: the job's state on
// the result frame (everyone sees queued → generating → done or failed live) and, when done, the
// pictures as image shapes in the result frame, replacing the previous ones. A sketch or result
// frame someone deleted is left alone: the job's pictures then stay in the asset store only.
import { getIndicesAbove, type IndexKey } from '@tldraw/utils';
import { createShapeId } from '@tldraw/tlschema';
import { systemActor } from '../access.ts';
import type { CollaborationControl, DocumentWriter, MapDraft } from '../collaboration-control.ts';
import { documentName } from '../../document-names.ts';
import { assetSrc } from '../../asset-urls.ts';
import { resultFrameMeta, resultImageMeta, sketchFrameMeta, type ResultFrameJob } from '../../live-sketch.ts';
import type { ShapeJson } from '../ai/shape-records.ts';
import { imageAssetRecordId } from '../conversations/message-cards.ts';

const WRITER: DocumentWriter = { origin: 'image', actor: systemActor('live sketch image') };

/** A picture stored as an asset of the canvas. */
export interface PlacedImage {
	assetId: string;
	mimeType: string;
	width: number;
	height: number;
	bytes: number;
}

/** The result frame of a sketch frame, when both are on the canvas and linked. */
function resultFrameOf(records: MapDraft, sketchFrameId: string): ShapeJson | null {
	const sketch = records.get(sketchFrameId) as ShapeJson | undefined;
	const link = sketch?.type === 'frame' ? sketchFrameMeta(sketch.meta) : null;
	if (!link) return null;
	const result = records.get(link.resultFrameId) as ShapeJson | undefined;
	const back = result?.type === 'frame' ? resultFrameMeta(result.meta) : null;
	return back && back.sketchFrameId === sketchFrameId ? result! : null;
}

function withJob(frame: ShapeJson, job: ResultFrameJob): ShapeJson {
	const liveSketch = (frame.meta as { liveSketch: Record<string, unknown> }).liveSketch;
	return { ...frame, meta: { ...frame.meta, liveSketch: { ...liveSketch, job } } };
}

/**
 * Shows `job` on the result frame of `sketchFrameId`, unless the frame shows a newer job already (a
 * late write of a superseded one must not hide its successor). False when there is no such frame.
 */
export async function showImageJob(collaboration: CollaborationControl, canvasId: string, sketchFrameId: string, job: ResultFrameJob): Promise<boolean> {
	let shown = false;
	await collaboration.transact(documentName('canvas', canvasId), WRITER, (draft) => {
		const frame = resultFrameOf(draft.records, sketchFrameId);
		if (!frame) return;
		const current = resultFrameMeta(frame.meta)?.job;
		if (current && current.id !== job.id && current.updatedAt > job.updatedAt) return;
		draft.records.set(frame.id, withJob(frame, job));
		shown = true;
	});
	return shown;
}

/**
 * Puts a finished job's pictures in the result frame (fitted, in a grid for variations), removes the
 * previous results (and their asset records, unless a kept copy still uses one), and shows `job` as
 * done. False when the frames are gone.
 */
export async function placeImageResults(
	collaboration: CollaborationControl,
	canvasId: string,
	sketchFrameId: string,
	job: ResultFrameJob,
	images: PlacedImage[],
	prompt: string
): Promise<boolean> {
	let placed = false;
	await collaboration.transact(documentName('canvas', canvasId), WRITER, (draft) => {
		const { records } = draft;
		const frame = resultFrameOf(records, sketchFrameId);
		if (!frame) return;
		const current = resultFrameMeta(frame.meta)?.job;
		if (current && current.id !== job.id && current.updatedAt > job.updatedAt) return;
		removePreviousResults(records, frame.id);
		const frameSize = frame.props as { w: number; h: number };
		const cells = gridOf(images.length, frameSize.w, frameSize.h);
		const indexes = getIndicesAbove(topChildIndex(records, frame.id) as IndexKey | null, images.length);
		images.forEach((image, index) => {
			const assetRecordId = imageAssetRecordId(image.assetId);
			records.set(assetRecordId, {
				id: assetRecordId,
				typeName: 'asset',
				type: 'image',
				props: {
					w: image.width,
					h: image.height,
					name: `${prompt.slice(0, 60)}.png`,
					isAnimated: false,
					mimeType: image.mimeType,
					src: assetSrc(image.assetId),
					fileSize: image.bytes
				},
				meta: {}
			});
			const cell = cells[index];
			const scale = Math.min(cell.w / image.width, cell.h / image.height);
			const w = Math.max(1, Math.round(image.width * scale));
			const h = Math.max(1, Math.round(image.height * scale));
			const shape: ShapeJson = {
				id: createShapeId(),
				typeName: 'shape',
				type: 'image',
				x: cell.x + (cell.w - w) / 2,
				y: cell.y + (cell.h - h) / 2,
				rotation: 0,
				index: indexes[index],
				parentId: frame.id,
				isLocked: false,
				opacity: 1,
				meta: { liveSketchImage: { jobId: job.id, prompt, index } },
				props: { w, h, assetId: assetRecordId, playing: true, url: '', crop: null, flipX: false, flipY: false, altText: prompt.slice(0, 200) }
			};
			records.set(shape.id, shape);
		});
		draft.records.set(frame.id, withJob(records.get(frame.id) as ShapeJson, job));
		placed = true;
	});
	return placed;
}

/** Cells of a frame for `count` pictures: the whole frame for one, a 2-column grid for more. */
function gridOf(count: number, width: number, height: number): { x: number; y: number; w: number; h: number }[] {
	if (count <= 1) return [{ x: 0, y: 0, w: width, h: height }];
	const columns = 2;
	const rows = Math.ceil(count / columns);
	const w = width / columns;
	const h = height / rows;
	return Array.from({ length: count }, (_, i) => ({ x: (i % columns) * w, y: Math.floor(i / columns) * h, w, h }));
}

function topChildIndex(records: MapDraft, parentId: string): string | null {
	let top: string | null = null;
	for (const key of records.keys()) {
		if (!key.startsWith('shape:')) continue;
		const shape = records.get(key) as ShapeJson | undefined;
		if (shape?.parentId === parentId && typeof shape.index === 'string' && (top === null || shape.index > top)) top = shape.index;
	}
	return top;
}

/** Deletes the server's pictures in a result frame, and each asset record no other shape points at. */
function removePreviousResults(records: MapDraft, frameId: string): void {
	const removed = new Set<string>();
	const assetRecords = new Set<string>();
	for (const key of records.keys()) {
		if (!key.startsWith('shape:')) continue;
		const shape = records.get(key) as ShapeJson | undefined;
		if (shape?.type !== 'image' || shape.parentId !== frameId || !resultImageMeta(shape.meta)) continue;
		removed.add(key);
		const assetId = (shape.props as { assetId?: unknown }).assetId;
		if (typeof assetId === 'string') assetRecords.add(assetId);
	}
	for (const key of removed) records.delete(key);
	if (assetRecords.size === 0) return;
	for (const key of records.keys()) {
		if (!key.startsWith('shape:')) continue;
		const assetId = ((records.get(key) as ShapeJson | undefined)?.props as { assetId?: unknown } | undefined)?.assetId;
		if (typeof assetId === 'string') assetRecords.delete(assetId);
	}
	for (const assetRecordId of assetRecords) records.delete(assetRecordId);
}
