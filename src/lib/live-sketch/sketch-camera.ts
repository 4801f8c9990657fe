// Where the camera goes so a sketch and result frame pair is in view with its controls: the
// controls sit under the sketch frame at a fixed screen size, so the zoom leaves room for them.
import { Box, type Editor } from 'tldraw';
import type { LiveSketchPair } from './sketch-frames.ts';

/** Screen space the sketch controls take under the sketch frame (with a notice showing). */
export const CONTROLS_PX = 270;
/** Screen space kept around the frames. */
const MARGIN_PX = 16;
/** tldraw's menus along the top, and the frames' names above them. */
const TOP_PX = 56;
/** tldraw's toolbar along the bottom (two rows on a phone). */
const toolbarPx = (viewportWidth: number) => (viewportWidth < 640 ? 128 : 64);

/**
 * The zoom at which frames of `size` fit a `w` × `h` viewport with the controls under the sketch:
 * side by side (`FRAME_GAP` apart, `gap`) or stacked (the controls between them). Never above 100%.
 */
export function pairZoom(viewport: { w: number; h: number }, size: number, gap: number, stacked: boolean): number {
	const width = viewport.w - 2 * MARGIN_PX;
	const height = viewport.h - 2 * MARGIN_PX - TOP_PX - toolbarPx(viewport.w) - CONTROLS_PX;
	const fit = stacked ? Math.min(width / size, height / (2 * size)) : Math.min(width / (2 * size + gap), height / size);
	return Math.max(0.1, Math.min(1, fit));
}

/** Moves the camera to show the pair and its controls, unless they are all in view already. */
export function showLiveSketchPair(editor: Editor, pair: LiveSketchPair, options: { stacked?: boolean; always?: boolean } = {}): void {
	const sketch = editor.getShapePageBounds(pair.sketchFrameId);
	const result = editor.getShapePageBounds(pair.resultFrameId);
	if (!sketch || !result) return;
	const stacked = options.stacked ?? false;
	const viewport = editor.getViewportScreenBounds();
	const zoom = Math.min(editor.getZoomLevel(), pairZoom(viewport, sketch.w, result.x - sketch.maxX, stacked));
	const view = Box.Common([sketch, result]);
	// Stacked, the controls are between the frames; beside, under both.
	if (!stacked) view.h += CONTROLS_PX / zoom;
	view.y -= TOP_PX / zoom;
	view.h += (TOP_PX + toolbarPx(viewport.w)) / zoom;
	if (!options.always && editor.getViewportPageBounds().contains(view)) return;
	editor.zoomToBounds(view, { inset: MARGIN_PX, targetZoom: zoom, animation: { duration: options.always ? 0 : 200 } });
}
