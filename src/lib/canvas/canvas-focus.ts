// Where a person is looking on a canvas (page, selection, viewport in page coordinates), read from
// the mounted editor when they ask the assistant: "this box" and "over here" mean what they see.
import type { Editor } from 'tldraw';

export interface CanvasFocus {
	pageId: string;
	selectedShapeIds: string[];
	viewport: { x: number; y: number; w: number; h: number };
}

const editors = new Map<string, Editor>();

/** Registers the editor of `canvasId` while it is mounted; returns the unregister. */
export function trackCanvasFocus(canvasId: string, editor: Editor): () => void {
	editors.set(canvasId, editor);
	return () => {
		if (editors.get(canvasId) === editor) editors.delete(canvasId);
	};
}

/** The focus on `canvasId` now, or undefined when its editor isn't mounted (the assistant then looks at the whole page). */
export function canvasFocus(canvasId: string): CanvasFocus | undefined {
	const editor = editors.get(canvasId);
	if (!editor) return undefined;
	const bounds = editor.getViewportPageBounds();
	return {
		pageId: editor.getCurrentPageId(),
		selectedShapeIds: editor.getSelectedShapeIds().slice(0, 500),
		viewport: { x: bounds.x, y: bounds.y, w: Math.max(1, bounds.w), h: Math.max(1, bounds.h) }
	};
}

/** The mounted editor of `canvasId`, for changes a panel makes as the person (a design document saved as a note). */
export function mountedEditor(canvasId: string): Editor | undefined {
	return editors.get(canvasId);
}
