// The tldraw editor for one canvas: a React island that CanvasEditor.svelte mounts with createRoot.
import { getAssetUrlsByImport } from '@tldraw/assets/imports.vite';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Tldraw, atom, createTLCurrentUser, getUserPreferences, setUserPreferences, useEditor, useToasts, useTranslation } from 'tldraw';
import type { Editor, TLComponents, TLCurrentUser, TLStoreWithStatus, TLUserPreferences } from 'tldraw';
import 'tldraw/tldraw.css';
import { ACCEPTED_IMAGE_TYPES, installAssetHandling, type CanvasAssetStore, type FileLimit } from './canvas-assets.ts';
import { trackCanvasFocus } from './canvas-focus.ts';
import { easelBindingUtils, easelShapeUtils } from './custom-shapes.ts';
import { openCanvas } from './canvas-store.ts';
import type { CanvasUser, OpenCanvas } from './canvas-store.ts';
import { trackThumbnails, type CanvasThumbnails, type ThumbnailState } from './canvas-thumbnails.ts';
import type { CollabStatus } from './collab-session.ts';
import { NodeContextMenu } from './node-context-menu.tsx';
import { exportMenuOverrides } from './export-menu.ts';
import { TldrFileDrop } from './tldr-drop.tsx';
import type { ExportRequest } from '../exports/export-choices.ts';
import { editorGraph } from './code-context-menu.tsx';
import { provideCanvasGraph } from '../code/code-requests.ts';
import { liveSketchOverrides, LiveSketchToolbar } from '../live-sketch/live-sketch-menu.tsx';
import { LiveSketchContext, type LiveSketchUi } from '../live-sketch/live-sketch-ui.ts';
import { mountLiveSketch } from '../live-sketch/mount-live-sketch.ts';
import { LiveSketchOverlay } from '../live-sketch/sketch-overlay.tsx';
import { canvasTransport } from '../live-sketch/transports.ts';

declare global {
	interface Window {
		/** The mounted editor, only so end-to-end tests can read shapes; nothing in the app uses it. */
		__easelEditor?: Editor;
	}
}

// Icons, fonts and translations are bundled and served from our origin, so the editor works offline.
const assetUrls = getAssetUrlsByImport();

export interface TldrawIslandProps {
	canvasId: string;
	user: CanvasUser;
	readOnly: boolean;
	shareToken?: string;
	licenseKey?: string;
	/** The team's per-file limit: larger files are refused before any upload. */
	fileLimit: FileLimit;
	/** The stored thumbnail's state; editors keep it current (see canvas-thumbnails.ts). */
	thumbnail?: ThumbnailState;
	/** The mounted editor's thumbnail tracker (null once it is gone), so the page can send a last one on leaving. */
	onThumbnails?: (thumbnails: CanvasThumbnails | null) => void;
	onAccess?: (readOnly: boolean) => void;
	onStatus?: (status: CollabStatus) => void;
	onRefused?: (reason: string, code?: number) => void;
	onReady?: () => void;
	onDownloadProgress?: (received: number, total: number | null) => void;
	/** The mounted editor (null once it is gone), for the page's export dialog. */
	onEditor?: (editor: Editor | null) => void;
	/** tldraw's own Export menu items open the page's export dialog. */
	onExportRequest?: (request: ExportRequest) => void;
	/** Where "See plans and credits" leads when live sketch hits a limit; null when this person can't upgrade. */
	billingHref?: string | null;
}

export function TldrawIsland({ canvasId, user, readOnly, shareToken, licenseKey, fileLimit, thumbnail, billingHref = null, ...callbacks }: TldrawIslandProps) {
	// Callbacks may change on every render; the connection must not.
	const latestCallbacks = useRef(callbacks);
	latestCallbacks.current = callbacks;
	const [canvas, setCanvas] = useState<OpenCanvas | null>(null);
	const [isReady, setIsReady] = useState(false);
	const [status, setStatus] = useState<CollabStatus>('connecting');
	const [liveSketch, setLiveSketch] = useState<LiveSketchUi | null>(null);
	const latestBillingHref = useRef(billingHref);
	latestBillingHref.current = billingHref;

	useEffect(() => {
		const opened = openCanvas({
			canvasId,
			user: { id: user.id, name: user.name, color: user.color },
			readOnly,
			shareToken,
			onAccess: (granted) => latestCallbacks.current.onAccess?.(granted),
			onStatus(next) {
				setStatus(next);
				latestCallbacks.current.onStatus?.(next);
			},
			onRefused: (reason, code) => latestCallbacks.current.onRefused?.(reason, code),
			onDownloadProgress: (received, total) => latestCallbacks.current.onDownloadProgress?.(received, total),
			onReady() {
				setIsReady(true);
				latestCallbacks.current.onReady?.();
			}
		});
		setCanvas(opened);
		return () => {
			setCanvas(null);
			setIsReady(false);
			opened.close();
		};
	}, [canvasId, user.id, user.name, user.color, readOnly, shareToken]);

	const editorUser = useMemo(() => createEditorUser(user), [user.name, user.color]);
	const overrides = useMemo(() => [exportMenuOverrides((request) => latestCallbacks.current.onExportRequest?.(request)), liveSketchOverrides()], []);

	if (!canvas || !isReady) return null;
	const storeWithStatus: TLStoreWithStatus = {
		status: 'synced-remote',
		connectionStatus: status === 'connected' ? 'online' : 'offline',
		store: canvas.store
	};
	return (
		<LiveSketchContext.Provider value={liveSketch}>
			<Tldraw
				store={storeWithStatus}
				shapeUtils={easelShapeUtils}
				bindingUtils={easelBindingUtils}
				user={editorUser}
				assetUrls={assetUrls}
				licenseKey={licenseKey}
				maxAssetSize={fileLimit.bytes}
				acceptedImageMimeTypes={ACCEPTED_IMAGE_TYPES}
				acceptedVideoMimeTypes={NO_VIDEOS}
				components={CANVAS_COMPONENTS}
				overrides={overrides}
				onMount={(editor) => {
					window.__easelEditor = editor;
					const forgetFocus = trackCanvasFocus(canvasId, editor);
					const forgetGraph = provideCanvasGraph(canvasId, editor, () => editorGraph(editor));
					// Read-only viewers never make thumbnails (and the tracker also checks before every upload).
					const thumbnails = thumbnail && !readOnly ? trackThumbnails(editor, { canvasId, shareToken, ...thumbnail }) : null;
					latestCallbacks.current.onThumbnails?.(thumbnails);
					latestCallbacks.current.onEditor?.(editor);
					const live = mountLiveSketch(editor, { mode: 'canvas', billingHref: latestBillingHref.current, transport: () => canvasTransport(canvasId) });
					setLiveSketch(live.ui);
					return () => {
						live.dispose();
						setLiveSketch(null);
						latestCallbacks.current.onEditor?.(null);
						forgetFocus();
						forgetGraph();
						thumbnails?.stop();
						latestCallbacks.current.onThumbnails?.(null);
						if (window.__easelEditor === editor) delete window.__easelEditor;
					};
				}}
			>
				<AssetHandling assets={canvas.assets} fileLimit={fileLimit} />
				<TldrFileDrop fileLimit={fileLimit} />
			</Tldraw>
		</LiveSketchContext.Provider>
	);
}

/** tldraw's UI with Easel's additions: the node kind and technology in the context menu, live sketch in the toolbar and over its frames. */
const CANVAS_COMPONENTS: TLComponents = { ContextMenu: NodeContextMenu, Toolbar: LiveSketchToolbar, InFrontOfTheCanvas: LiveSketchOverlay };

/** The server stores images only. */
const NO_VIDEOS: readonly string[] = [];

/** Inside tldraw's UI (for its toasts and translations): refused files and uploads explain themselves and leave nothing behind. */
function AssetHandling({ assets, fileLimit }: { assets: CanvasAssetStore; fileLimit: FileLimit }) {
	const editor = useEditor();
	const toasts = useToasts();
	const msg = useTranslation();
	useEffect(
		() => installAssetHandling(editor, { assets, toasts, msg, fileLimit, acceptedImageMimeTypes: ACCEPTED_IMAGE_TYPES, acceptedVideoMimeTypes: NO_VIDEOS }),
		[editor, assets, toasts, msg, fileLimit.bytes, fileLimit.plan]
	);
	return null;
}

/**
 * tldraw's local user: the account's name and colour over this browser's stored preferences.
 * Its id stays the browser's own, not the account's, because tldraw hides presences whose user
 * id equals the local one, and the same account in another tab or device should still show.
 */
function createEditorUser(user: CanvasUser): TLCurrentUser {
	const preferences = atom<TLUserPreferences>('easel user preferences', { ...getUserPreferences(), name: user.name, color: user.color });
	return createTLCurrentUser({
		userPreferences: preferences,
		setUserPreferences(next) {
			preferences.set({ ...next, name: user.name, color: user.color });
			const stored = getUserPreferences();
			// Persist settings such as dark mode for next time, but never the account's identity.
			setUserPreferences({ ...next, id: stored.id, name: stored.name, color: stored.color });
		}
	});
}
