// A read-only tldraw view of one stored version: its own store, never connected to the live document.
import { getAssetUrlsByImport } from '@tldraw/assets/imports.vite';
import { useEffect, useMemo } from 'react';
import { Tldraw, createTLStore, defaultBindingUtils, defaultShapeUtils } from 'tldraw';
import type { Editor, TLRecord } from 'tldraw';
import 'tldraw/tldraw.css';
import { createCanvasAssetStore } from './canvas-assets.ts';

declare global {
	interface Window {
		/** The preview's editor, only so end-to-end tests can read what a preview shows. */
		__easelPreviewEditor?: Editor;
	}
}

const assetUrls = getAssetUrlsByImport();

export interface VersionPreviewIslandProps {
	/** The version's tldraw records keyed by id, as `GET /api/v1/canvases/:id/versions/:versionId` answers them. */
	records: Record<string, unknown>;
	/** The canvas the version belongs to: its images are shown from the asset store, as on the live canvas. */
	canvasId: string;
	shareToken?: string;
	licenseKey?: string;
}

export function VersionPreviewIsland({ records, canvasId, shareToken, licenseKey }: VersionPreviewIslandProps) {
	const assets = useMemo(() => createCanvasAssetStore({ canvasId, shareToken }), [canvasId, shareToken]);
	useEffect(() => () => assets.dispose(), [assets]);
	const store = useMemo(() => {
		const created = createTLStore({ shapeUtils: defaultShapeUtils, bindingUtils: defaultBindingUtils, assets });
		const known = created.schema.types as Record<string, unknown>;
		// Only document-scoped records a version stores; anything this build does not know is skipped.
		const usable = Object.values(records).filter((record): record is TLRecord => {
			const typeName = (record as { typeName?: string } | null)?.typeName;
			return typeof typeName === 'string' && typeName in known;
		});
		created.mergeRemoteChanges(() => created.put(usable));
		return created;
	}, [records, assets]);

	return (
		<Tldraw
			store={store}
			assetUrls={assetUrls}
			licenseKey={licenseKey}
			hideUi
			onMount={(editor) => {
				editor.updateInstanceState({ isReadonly: true });
				editor.zoomToFit({ animation: { duration: 0 } });
				// A version with one small shape should not fill the screen: never zoom in past 100%.
				if (editor.getZoomLevel() > 1) editor.resetZoom(editor.getViewportScreenCenter());
				window.__easelPreviewEditor = editor;
				return () => {
					if (window.__easelPreviewEditor === editor) delete window.__easelPreviewEditor;
				};
			}}
		/>
	);
}
