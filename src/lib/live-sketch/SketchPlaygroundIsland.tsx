// The /sketch playground for guests: a local tldraw editor (nothing synced or kept) with a sketch and
// a result frame ready, the same controls as a canvas, sending to the guest image API. The page
// places the finished images in the result frame itself.
import { getAssetUrlsByImport } from '@tldraw/assets/imports.vite';
import { useState } from 'react';
import { Tldraw, type Editor, type TLComponents } from 'tldraw';
import 'tldraw/tldraw.css';
import { SKETCH_FRAME_SIZE } from '../live-sketch.ts';
import type { LiveSketchUi } from './live-sketch-ui.ts';
import { LiveSketchContext } from './live-sketch-ui.ts';
import { mountLiveSketch } from './mount-live-sketch.ts';
import { LiveSketchOverlay } from './sketch-overlay.tsx';
import { CONTROLS_PX, pairZoom, showLiveSketchPair } from './sketch-camera.ts';
import { createLiveSketchPair } from './sketch-frames.ts';
import { guestTransport } from './transports.ts';

const assetUrls = getAssetUrlsByImport();

/** Below this editor width the result frame goes under the sketch instead of beside it. */
const STACK_BELOW_PX = 720;

/** Only what drawing needs: no pages, menus or sharing in a playground that keeps nothing. */
const PLAYGROUND_COMPONENTS: TLComponents = {
	InFrontOfTheCanvas: LiveSketchOverlay,
	MainMenu: null,
	PageMenu: null,
	SharePanel: null,
	HelpMenu: null,
	DebugPanel: null,
	DebugMenu: null,
	Minimap: null
};

export interface SketchPlaygroundIslandProps {
	licenseKey?: string;
}

export function SketchPlaygroundIsland({ licenseKey }: SketchPlaygroundIslandProps) {
	const [liveSketch, setLiveSketch] = useState<LiveSketchUi | null>(null);
	return (
		<LiveSketchContext.Provider value={liveSketch}>
			<Tldraw
				assetUrls={assetUrls}
				licenseKey={licenseKey}
				components={PLAYGROUND_COMPONENTS}
				onMount={(editor) => {
					setUpPlayground(editor);
					const live = mountLiveSketch(editor, { mode: 'guest', billingHref: null, transport: (poller) => guestTransport(editor, poller) });
					setLiveSketch(live.ui);
					return () => {
						live.dispose();
						setLiveSketch(null);
					};
				}}
			/>
		</LiveSketchContext.Provider>
	);
}

/** The two frames in view with room for the controls, the sketch selected and the pencil in hand. */
function setUpPlayground(editor: Editor): void {
	const viewport = editor.getViewportScreenBounds();
	const stacked = viewport.w < STACK_BELOW_PX;
	// Stacked, the gap between the frames is where the controls go, whatever the zoom.
	const placement = stacked ? { below: true, gap: CONTROLS_PX / pairZoom(viewport, SKETCH_FRAME_SIZE, 0, true) } : {};
	const pair = createLiveSketchPair(editor, { x: 0, y: 0 }, placement);
	editor.clearHistory();
	showLiveSketchPair(editor, pair, { stacked, always: true });
	editor.select(pair.sketchFrameId);
	editor.setCurrentTool('draw');
}
