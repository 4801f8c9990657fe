// A read-only tldraw view of one stored version: its own store, never connected to the live document.
import { getAssetUrlsByImport } from '@tldraw/assets/imports.vite';
import { useEffect, useMemo } from 'react';
import { Tldraw } from 'tldraw';
import type { Editor } from 'tldraw';
import 'tldraw/tldraw.css';
import { createCanvasAssetStore } from './canvas-assets.ts';
import { easelBindingUtils, easelShapeUtils } from './custom-shapes.ts';
import { readOnlyStore, showWholeReadOnly } from './read-only-view.ts';

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
	const store = useMemo(() => readOnlyStore(records, assets), [records, assets]);

	return (
		<Tldraw
			store={store}
			shapeUtils={easelShapeUtils}
			bindingUtils={easelBindingUtils}
			assetUrls={assetUrls}
			licenseKey={licenseKey}
			hideUi
			onMount={(editor) => {
				showWholeReadOnly(editor);
				window.__easelPreviewEditor = editor;
				return () => {
					if (window.__easelPreviewEditor === editor) delete window.__easelPreviewEditor;
				};
			}}
		/>
	);
}
