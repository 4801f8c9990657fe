// What the read-only tldraw views (a version preview, a published canvas) share: a store of their own
// filled from stored records, and the first view of the whole drawing.
import { createTLStore } from 'tldraw';
import type { Editor, TLAssetStore, TLRecord, TLStore } from 'tldraw';
import { easelBindingUtils, easelShapeUtils } from './custom-shapes.ts';

/** A store holding `records` (keyed by id, as the server answers them), skipping types this build does not know. */
export function readOnlyStore(records: Record<string, unknown>, assets?: TLAssetStore): TLStore {
	const store = createTLStore({ shapeUtils: easelShapeUtils, bindingUtils: easelBindingUtils, assets });
	const known = store.schema.types as Record<string, unknown>;
	const usable = Object.values(records).filter((record): record is TLRecord => {
		const typeName = (record as { typeName?: string } | null)?.typeName;
		return typeof typeName === 'string' && typeName in known;
	});
	store.mergeRemoteChanges(() => store.put(usable));
	return store;
}

/** Makes the editor read-only and fits the drawing in view, never zooming in past 100% (one small shape should not fill the screen). */
export function showWholeReadOnly(editor: Editor): void {
	editor.updateInstanceState({ isReadonly: true });
	editor.zoomToFit({ animation: { duration: 0 } });
	if (editor.getZoomLevel() > 1) editor.resetZoom(editor.getViewportScreenCenter());
}
