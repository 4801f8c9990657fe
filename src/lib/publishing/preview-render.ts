// Renders the picture of a published version in the browser with tldraw's own exporter (the only
// faithful renderer of its text): a hidden, off-screen editor on the frozen records, exported as a
// 1200×630 PNG (the Open Graph size), the content centred and fitted.
import { Box } from 'tldraw';
import { mountOffscreenEditor } from '../canvas/offscreen-editor.tsx';

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
	const { editor, dispose } = await mountOffscreenEditor(records, { width: PREVIEW_WIDTH, height: PREVIEW_HEIGHT, ...options });
	try {
		const content = editor.getCurrentPageBounds();
		if (!content || editor.getCurrentPageShapeIds().size === 0) return null;
		const bounds = previewBounds(content);
		const { blob } = await editor.toImage([], { format: 'png', bounds, scale: PREVIEW_WIDTH / bounds.w, pixelRatio: 1, background: true, padding: 0, darkMode: false });
		return blob;
	} finally {
		dispose();
	}
}
