// The read-only tldraw viewer of a published canvas: its own store filled from the frozen snapshot
// (fetched over HTTP), no socket, no presence; visitors pan, zoom, select and copy, never edit.
import { getAssetUrlsByImport } from '@tldraw/assets/imports.vite';
import { useMemo } from 'react';
import { Tldraw, createTLStore, defaultBindingUtils, defaultShapeUtils } from 'tldraw';
import type { Editor, TLRecord } from 'tldraw';
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
	const store = useMemo(() => {
		const created = createTLStore({ shapeUtils: defaultShapeUtils, bindingUtils: defaultBindingUtils });
		const known = created.schema.types as Record<string, unknown>;
		// Only record types this build knows; the server already migrated them to this schema.
		const usable = Object.values(records).filter((record): record is TLRecord => {
			const typeName = (record as { typeName?: string } | null)?.typeName;
			return typeof typeName === 'string' && typeName in known;
		});
		created.mergeRemoteChanges(() => created.put(usable));
		return created;
	}, [records]);

	return (
		<Tldraw
			store={store}
			assetUrls={assetUrls}
			licenseKey={licenseKey}
			autoFocus={false}
			onMount={(editor) => {
				editor.updateInstanceState({ isReadonly: true });
				editor.zoomToFit({ animation: { duration: 0 } });
				if (editor.getZoomLevel() > 1) editor.resetZoom(editor.getViewportScreenCenter());
				window.__easelPublishedEditor = editor;
				onReady?.();
				return () => {
					if (window.__easelPublishedEditor === editor) delete window.__easelPublishedEditor;
				};
			}}
		/>
	);
}
