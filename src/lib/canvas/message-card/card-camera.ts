// Moving one viewer to a card (a retry sibling, the call a tool message answers): its page, selected,
// in view. Camera, page and selection belong to this tab; nothing is written to the document.
import type { Editor, TLShapeId } from 'tldraw';

/** Largest share of the viewport a card may take before the camera zooms out to fit it rather than only panning. */
const FITS_VIEWPORT = 0.9;

export function showCard(editor: Editor, shapeId: string): void {
	const id = shapeId as TLShapeId;
	if (!editor.getShape(id)) return;
	const pageId = editor.getAncestorPageId(id);
	if (pageId && pageId !== editor.getCurrentPageId()) editor.setCurrentPage(pageId);
	editor.select(id);
	const bounds = editor.getShapePageBounds(id);
	if (!bounds) return;
	const viewport = editor.getViewportPageBounds();
	const animation = { animation: { duration: editor.options.animationMediumMs } };
	if (bounds.w > viewport.w * FITS_VIEWPORT || bounds.h > viewport.h * FITS_VIEWPORT) {
		editor.zoomToBounds(bounds, { inset: 32, ...animation });
	} else {
		editor.centerOnPoint(bounds.center, animation);
	}
}
