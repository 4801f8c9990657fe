// A canvas's preview picture for link unfurls (Open Graph, Twitter cards) and the gallery: a PNG of
// 1200×630, the canvas fitted inside on its background, drawn by the server's renderer.
import type { Logger } from '../logger.ts';
import { canvasRenderer, isCanvasRenderError, type CanvasRenderer, type RenderedImage } from './canvas-renderer.ts';

/** The size Open Graph and Twitter's large card expect. */
export const PREVIEW_SIZE = { width: 1200, height: 630 } as const;

export interface PreviewOptions {
	/** The canvas the records belong to: only its own stored assets are drawn. */
	canvasId?: string;
	/** The serialized tldraw schema the records were written with (the document's `meta.schema`). */
	schema?: unknown;
	/** Told why a preview could not be made (an empty canvas is not worth a word). */
	logger?: Logger;
	/** Default: the process's renderer (null without Chromium). */
	renderer?: CanvasRenderer | null;
}

/**
 * The preview PNG of a canvas's records, or null when none can be made here: no Chromium, an empty
 * canvas, too many renders waiting, a render that failed. Callers then keep the placeholder.
 */
export async function renderRecordsToPreview(records: Record<string, unknown>, options: PreviewOptions = {}): Promise<RenderedImage | null> {
	const renderer = options.renderer === undefined ? canvasRenderer() : options.renderer;
	if (!renderer) return null;
	try {
		return await renderer.render(records, { format: 'png', frame: PREVIEW_SIZE, canvasId: options.canvasId, schema: options.schema });
	} catch (error) {
		if (!(isCanvasRenderError(error) && error.reason === 'empty')) options.logger?.warn({ err: error, canvasId: options.canvasId }, 'could not render a canvas preview');
		return null;
	}
}
