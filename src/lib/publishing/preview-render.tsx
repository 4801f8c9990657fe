// Renders the picture of a published version in the browser with tldraw's own exporter (the only
// faithful renderer of its text): a hidden, off-screen editor on the frozen records, exported as a
// 1200×630 PNG (the Open Graph size), the content centred and fitted.
import { getAssetUrlsByImport } from '@tldraw/assets/imports.vite';
import { createRoot } from 'react-dom/client';
import { Box, Tldraw, createTLStore, defaultBindingUtils, defaultShapeUtils } from 'tldraw';
import type { Editor, TLRecord } from 'tldraw';
import 'tldraw/tldraw.css';

export const PREVIEW_WIDTH = 1200;
export const PREVIEW_HEIGHT = 630;
const MARGIN = 48;
/** Small content is not blown up past twice its size. */
const MAX_SCALE = 2;

/** The page area to export: the content plus a margin, widened or heightened to 1200:630 around its centre. */
export function previewBounds(content: { x: number; y: number; w: number; h: number }): Box {
	const aspect = PREVIEW_WIDTH / PREVIEW_HEIGHT;
	let w = Math.max(content.w + MARGIN * 2, PREVIEW_WIDTH / MAX_SCALE);
	let h = Math.max(content.h + MARGIN * 2, PREVIEW_HEIGHT / MAX_SCALE);
	if (w / h > aspect) h = w / aspect;
	else w = h * aspect;
	return new Box(content.x + content.w / 2 - w / 2, content.y + content.h / 2 - h / 2, w, h);
}

/** The PNG of these records' first page, or null for an empty canvas (the server's placeholder is better than a blank picture). */
export async function renderPreview(records: Record<string, unknown>, options: { licenseKey?: string; timeoutMs?: number } = {}): Promise<Blob | null> {
	const store = createTLStore({ shapeUtils: defaultShapeUtils, bindingUtils: defaultBindingUtils });
	const known = store.schema.types as Record<string, unknown>;
	store.mergeRemoteChanges(() =>
		store.put(
			Object.values(records).filter((record): record is TLRecord => {
				const typeName = (record as { typeName?: string } | null)?.typeName;
				return typeof typeName === 'string' && typeName in known;
			})
		)
	);
	const container = document.createElement('div');
	container.setAttribute('aria-hidden', 'true');
	Object.assign(container.style, { position: 'fixed', left: '-20000px', top: '0', width: `${PREVIEW_WIDTH}px`, height: `${PREVIEW_HEIGHT}px`, pointerEvents: 'none' });
	document.body.appendChild(container);
	const root = createRoot(container);
	try {
		const editor = await new Promise<Editor>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error('the preview editor did not start')), options.timeoutMs ?? 20_000);
			root.render(
				<Tldraw
					store={store}
					assetUrls={getAssetUrlsByImport()}
					licenseKey={options.licenseKey}
					hideUi
					autoFocus={false}
					onMount={(mounted) => {
						clearTimeout(timer);
						mounted.updateInstanceState({ isReadonly: true });
						resolve(mounted);
					}}
				/>
			);
		});
		const content = editor.getCurrentPageBounds();
		if (!content || editor.getCurrentPageShapeIds().size === 0) return null;
		const bounds = previewBounds(content);
		const { blob } = await editor.toImage([], { format: 'png', bounds, scale: PREVIEW_WIDTH / bounds.w, pixelRatio: 1, background: true, padding: 0, darkMode: false });
		return blob;
	} finally {
		root.unmount();
		container.remove();
	}
}
