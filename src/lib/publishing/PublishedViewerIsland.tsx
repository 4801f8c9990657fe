// The read-only tldraw viewer of a published canvas: its own store filled from the frozen snapshot
// (fetched over HTTP), no socket, no presence; visitors pan, zoom, select and copy, never edit.
import { getAssetUrlsByImport } from '@tldraw/assets/imports.vite';
import { useMemo } from 'react';
import { Tldraw } from 'tldraw';
import type { Editor } from 'tldraw';
import { easelBindingUtils, easelShapeUtils } from '../canvas/custom-shapes.ts';
import { readOnlyStore, showWholeReadOnly } from '../canvas/read-only-view.ts';
import 'tldraw/tldraw.css';

declare global {
	interface Window {
		/** The published viewer's editor, only so end-to-end tests can read what it shows. */
		__easelPublishedEditor?: Editor;
	}
}

const assetUrls = getAssetUrlsByImport();

export interface PublishedViewerIslandProps {
	/** The frozen records by id, as `GET /p/<slug>/snapshot` answers them. */
	records: Record<string, unknown>;
	licenseKey?: string;
	onReady?: () => void;
}

export function PublishedViewerIsland({ records, licenseKey, onReady }: PublishedViewerIslandProps) {
	// The server already migrated the records to this build's schema.
	const store = useMemo(() => readOnlyStore(records), [records]);

	return (
		<Tldraw
			store={store}
			shapeUtils={easelShapeUtils}
			bindingUtils={easelBindingUtils}
			assetUrls={assetUrls}
			licenseKey={licenseKey}
			autoFocus={false}
			onMount={(editor) => {
				showWholeReadOnly(editor);
				window.__easelPublishedEditor = editor;
				onReady?.();
				return () => {
					if (window.__easelPublishedEditor === editor) delete window.__easelPublishedEditor;
				};
			}}
		/>
	);
}
