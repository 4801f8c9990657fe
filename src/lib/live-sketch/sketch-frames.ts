// The live sketch frames in a tldraw document: making a linked sketch and result frame, finding the
// sketch frame a change touched, editing a sketch's prompt and strength, laying out and keeping
// result images. Plain functions over the editor (or its store), shared by the canvas and /sketch.
import { AssetRecordType, createShapeId } from 'tldraw';
import type { Editor, RecordsDiff, TLAssetId, TLFrameShape, TLImageShape, TLParentId, TLRecord, TLShape, TLShapeId } from 'tldraw';
import {
	DEFAULT_STRENGTH,
	SKETCH_FRAME_SIZE,
	resultFrameMeta,
	resultImageMeta,
	sketchFrameMeta,
	type ResultFrameJob,
	type ResultFrameMeta,
	type SketchFrameMeta
} from '../live-sketch.ts';

/** Space between the sketch frame and its result frame, and between kept images and the result frame. */
export const FRAME_GAP = 64;
/** Space between result images when a job made several. */
export const RESULT_IMAGE_GAP = 8;

export interface LiveSketchPair {
	sketchFrameId: TLShapeId;
	resultFrameId: TLShapeId;
}

/**
 * Makes a sketch frame and its result frame around `center` (page space), linked by meta, as one
 * undoable step: the result to the right, `FRAME_GAP` away, or (`below`, for narrow screens) under the
 * sketch, `gap` away so the sketch's controls fit between them.
 */
export function createLiveSketchPair(editor: Editor, center: { x: number; y: number }, placement: { below?: boolean; gap?: number } = {}): LiveSketchPair {
	const sketchFrameId = createShapeId();
	const resultFrameId = createShapeId();
	const size = SKETCH_FRAME_SIZE;
	const gap = placement.gap ?? FRAME_GAP;
	const x = placement.below ? center.x - size / 2 : center.x - size - gap / 2;
	const y = placement.below ? center.y - size - gap / 2 : center.y - size / 2;
	const resultX = placement.below ? x : x + size + gap;
	const resultY = placement.below ? y + size + gap : y;
	const prompt = '';
	const sketch: SketchFrameMeta = { role: 'sketch', resultFrameId, prompt, strength: DEFAULT_STRENGTH };
	const result: ResultFrameMeta = { role: 'result', sketchFrameId };
	editor.markHistoryStoppingPoint('create live sketch');
	editor.run(() => {
		editor.createShapes<TLFrameShape>([
			{ id: sketchFrameId, type: 'frame', x, y, props: { w: size, h: size, name: 'Sketch' }, meta: { liveSketch: sketch } },
			{ id: resultFrameId, type: 'frame', x: resultX, y: resultY, props: { w: size, h: size, name: 'Result' }, meta: { liveSketch: result } }
		]);
	});
	return { sketchFrameId, resultFrameId };
}

type RecordLookup = (id: TLRecord['id']) => TLRecord | undefined;

/** The sketch frame `shape` sits in (at any depth), or null. */
export function enclosingSketchFrameId(shape: TLShape, getRecord: RecordLookup): TLShapeId | null {
	let parentId: TLParentId = shape.parentId;
	for (let depth = 0; depth < 100; depth++) {
		const parent = getRecord(parentId);
		if (!parent || parent.typeName !== 'shape') return null;
		if (parent.type === 'frame' && sketchFrameMeta(parent.meta)) return parent.id;
		parentId = parent.parentId;
	}
	return null;
}

function promptOrStrengthChanged(from: TLShape, to: TLShape): boolean {
	const before = sketchFrameMeta(from.meta);
	const after = sketchFrameMeta(to.meta);
	return !!after && (!before || before.prompt !== after.prompt || before.strength !== after.strength);
}

/**
 * The sketch frames a change touched: shapes drawn, changed or erased inside them (or moved in or
 * out), and sketch frames whose prompt or strength changed. Moving a sketch frame itself is no change to its sketch.
 */
export function touchedSketchFrames(changes: RecordsDiff<TLRecord>, getRecord: RecordLookup): Set<TLShapeId> {
	const touched = new Set<TLShapeId>();
	const lookup: RecordLookup = (id) => getRecord(id) ?? changes.removed[id];
	const consider = (shape: TLShape) => {
		const frameId = enclosingSketchFrameId(shape, lookup);
		if (frameId) touched.add(frameId);
	};
	for (const record of [...Object.values(changes.added), ...Object.values(changes.removed)]) {
		if (record.typeName === 'shape') consider(record);
	}
	for (const [from, to] of Object.values(changes.updated)) {
		if (from.typeName !== 'shape' || to.typeName !== 'shape') continue;
		if (promptOrStrengthChanged(from, to)) touched.add(to.id);
		consider(from);
		consider(to);
	}
	return touched;
}

export interface SketchFrameView {
	id: TLShapeId;
	meta: SketchFrameMeta;
}

export interface ResultFrameView {
	id: TLShapeId;
	meta: ResultFrameMeta;
	images: TLImageShape[];
}

/** Sketch frames on the current page. */
export function sketchFramesOnPage(editor: Editor): SketchFrameView[] {
	const frames: SketchFrameView[] = [];
	for (const shape of editor.getCurrentPageShapes()) {
		if (shape.type !== 'frame') continue;
		const meta = sketchFrameMeta(shape.meta);
		if (meta) frames.push({ id: shape.id, meta });
	}
	return frames;
}

/** Result frames on the current page, with the result images in each. */
export function resultFramesOnPage(editor: Editor): ResultFrameView[] {
	const frames: ResultFrameView[] = [];
	for (const shape of editor.getCurrentPageShapes()) {
		if (shape.type !== 'frame') continue;
		const meta = resultFrameMeta(shape.meta);
		if (meta) frames.push({ id: shape.id, meta, images: resultImagesIn(editor, shape.id) });
	}
	return frames;
}

export function resultImagesIn(editor: Editor, resultFrameId: TLShapeId): TLImageShape[] {
	return editor
		.getSortedChildIdsForParent(resultFrameId)
		.map((id) => editor.getShape(id))
		.filter((shape): shape is TLImageShape => shape?.type === 'image' && !!resultImageMeta(shape.meta));
}

/** Whether anything is drawn in the frame. */
export function frameHasContent(editor: Editor, frameId: TLShapeId): boolean {
	return editor.getSortedChildIdsForParent(frameId).length > 0;
}

/** Sets the sketch frame's prompt and/or strength (kept in its meta, so collaborators see them). */
export function updateSketchFrame(editor: Editor, frameId: TLShapeId, patch: Partial<Pick<SketchFrameMeta, 'prompt' | 'strength'>>): void {
	const frame = editor.getShape(frameId);
	const meta = frame && sketchFrameMeta(frame.meta);
	if (!frame || !meta) return;
	editor.updateShape({ id: frameId, type: 'frame', meta: { ...frame.meta, liveSketch: { ...meta, ...patch } } });
}

/** Where each of `count` result images goes inside a frame of `w` × `h`: one fills it; more share a 2 × 2 grid. */
export function resultImageLayout(w: number, h: number, count: number): { x: number; y: number; w: number; h: number }[] {
	if (count <= 1) return count === 1 ? [{ x: 0, y: 0, w, h }] : [];
	const cellW = (w - RESULT_IMAGE_GAP) / 2;
	const cellH = (h - RESULT_IMAGE_GAP) / 2;
	return Array.from({ length: count }, (_, index) => ({
		x: (index % 2) * (cellW + RESULT_IMAGE_GAP),
		y: Math.floor(index / 2) * (cellH + RESULT_IMAGE_GAP),
		w: cellW,
		h: cellH
	}));
}

/**
 * Copies a result image onto the canvas as an ordinary image beside its result frame (same asset,
 * no live-sketch meta, not in the frame), selects it, and returns its id.
 */
export function keepResultImage(editor: Editor, imageId: TLShapeId): TLShapeId | null {
	const image = editor.getShape<TLImageShape>(imageId);
	if (!image || image.type !== 'image') return null;
	const frameBounds = editor.getShapePageBounds(image.parentId as TLShapeId);
	const imageBounds = editor.getShapePageBounds(image);
	if (!imageBounds) return null;
	const keptId = createShapeId();
	const x = (frameBounds?.maxX ?? imageBounds.maxX) + FRAME_GAP;
	const y = imageBounds.minY;
	const { liveSketchImage: _live, ...meta } = image.meta;
	editor.markHistoryStoppingPoint('keep result image');
	editor.createShape<TLImageShape>({ id: keptId, type: 'image', x, y, props: { ...image.props }, meta });
	editor.select(keptId);
	return keptId;
}

/**
 * At /sketch only, where no server writes the document: sets the result frame's job (null: no job).
 * On a synced canvas the server alone writes it.
 */
export function setResultFrameJob(editor: Editor, resultFrameId: TLShapeId, job: ResultFrameJob | null): void {
	const frame = editor.getShape(resultFrameId);
	const meta = frame && resultFrameMeta(frame.meta);
	if (!frame || !meta) return;
	editor.updateShape({ id: resultFrameId, type: 'frame', meta: { ...frame.meta, liveSketch: { ...meta, job } } });
}

/**
 * At /sketch only: replaces the result frame's images with the job's (asset records whose src is
 * the job's image URL), as the server does on a canvas.
 */
export function placeResultImages(editor: Editor, resultFrameId: TLShapeId, job: { id: string; prompt: string; imageUrls: string[] }): void {
	const frame = editor.getShape<TLFrameShape>(resultFrameId);
	if (!frame || frame.type !== 'frame') return;
	const previous = resultImagesIn(editor, resultFrameId);
	const layout = resultImageLayout(frame.props.w, frame.props.h, job.imageUrls.length);
	editor.run(() => {
		editor.deleteShapes(previous.map((image) => image.id));
		job.imageUrls.forEach((src, index) => {
			const place = layout[index];
			const assetId: TLAssetId = AssetRecordType.createId();
			editor.createAssets([
				AssetRecordType.create({
					id: assetId,
					type: 'image',
					props: { name: `sketch-${index + 1}.png`, src, w: SKETCH_FRAME_SIZE, h: SKETCH_FRAME_SIZE, mimeType: 'image/png', isAnimated: false }
				})
			]);
			editor.createShape<TLImageShape>({
				id: createShapeId(),
				type: 'image',
				parentId: resultFrameId,
				x: place.x,
				y: place.y,
				props: { assetId, w: place.w, h: place.h },
				meta: { liveSketchImage: { jobId: job.id, prompt: job.prompt, index } }
			});
		});
	});
}
