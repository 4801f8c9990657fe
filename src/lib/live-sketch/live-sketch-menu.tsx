// The "Live sketch" toolbar button (a linked sketch and result frame at the viewport's centre) and
// "Keep image" in a result image's context menu. Read-only viewers see neither.
import {
	DefaultToolbar,
	DefaultToolbarContent,
	TldrawUiMenuGroup,
	TldrawUiMenuItem,
	useActions,
	useEditor,
	useReadonly,
	useValue,
	type Editor,
	type TLUiOverrides,
	type DefaultToolbarProps,
	type TLUiIconJsx
} from 'tldraw';
import { resultImageMeta } from '../live-sketch.ts';
import { showLiveSketchPair } from './sketch-camera.ts';
import { createLiveSketchPair, keepResultImage, type LiveSketchPair } from './sketch-frames.ts';

export const LIVE_SKETCH_ACTION = 'easel-live-sketch';

/** Makes a sketch and result frame at the viewport's centre, shows them, selects the sketch and picks the pencil. */
export function startLiveSketch(editor: Editor): LiveSketchPair {
	const pair = createLiveSketchPair(editor, editor.getViewportPageBounds().center);
	showLiveSketchPair(editor, pair);
	editor.select(pair.sketchFrameId);
	editor.setCurrentTool('draw');
	return pair;
}

/** A sparkle, drawn here: tldraw's icon set has nothing for "make an image". */
const SPARKLE_ICON: TLUiIconJsx = (
	<div className="tlui-icon easel-live-sketch-icon" style={{ mask: 'none', WebkitMask: 'none', backgroundColor: 'transparent' }}>
		<svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinejoin="round" aria-hidden="true">
			<path d="M12 3l1.9 5.1L19 10l-5.1 1.9L12 17l-1.9-5.1L5 10l5.1-1.9z" />
			<path d="M19 15l.8 2.2L22 18l-2.2.8L19 21l-.8-2.2L16 18l2.2-.8z" />
		</svg>
	</div>
);

/** UI overrides adding the Live sketch action; build once per editor mount (tldraw compares by identity). */
export function liveSketchOverrides(): TLUiOverrides {
	return {
		actions(editor, actions) {
			actions[LIVE_SKETCH_ACTION] = {
				id: LIVE_SKETCH_ACTION,
				label: 'Live sketch',
				icon: SPARKLE_ICON,
				onSelect: () => {
					if (!editor.getIsReadonly()) startLiveSketch(editor);
				}
			};
			return actions;
		}
	};
}

/** tldraw's toolbar with a "Live sketch" button after its tools. */
export function LiveSketchToolbar(props: DefaultToolbarProps) {
	const actions = useActions();
	const readOnly = useReadonly();
	const action = actions[LIVE_SKETCH_ACTION];
	return (
		<DefaultToolbar {...props}>
			{!readOnly && action && <TldrawUiMenuItem {...action} icon={SPARKLE_ICON} />}
			<DefaultToolbarContent />
		</DefaultToolbar>
	);
}

/** "Keep image" in the context menu of a result image. */
export function KeepImageMenuItem() {
	const editor = useEditor();
	const image = useValue(
		'selected result image',
		() => {
			if (editor.getIsReadonly()) return null;
			const selected = editor.getOnlySelectedShape();
			return selected?.type === 'image' && resultImageMeta(selected.meta) ? selected.id : null;
		},
		[editor]
	);
	if (!image) return null;
	return (
		<TldrawUiMenuGroup id="easel-live-sketch">
			<TldrawUiMenuItem
				id="easel-keep-image"
				label="Keep image"
				onSelect={() => {
					keepResultImage(editor, image);
				}}
			/>
		</TldrawUiMenuGroup>
	);
}
