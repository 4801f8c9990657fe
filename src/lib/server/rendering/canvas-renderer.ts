// Pictures of a canvas made on the server, where no browser of a user is there to make them (a canvas
// published through the API, an Open Graph image). Only tldraw's own exporter renders a canvas
// faithfully (its text sits in <foreignObject>), and it needs a DOM: the renderer drives headless
// system Chromium. It is optional: without Chromium the callers fall back (a thumbnail, a placeholder).

export interface RenderedImage {
	bytes: Uint8Array;
	mimeType: 'image/png' | 'image/svg+xml';
	width: number;
	height: number;
}

export interface RenderOptions {
	format: 'png' | 'svg';
	/** Largest width in CSS pixels of a PNG (it keeps the canvas's aspect ratio). */
	maxWidth?: number;
}

export interface CanvasRenderer {
	/** Renders a canvas's tldraw records (by id, as stored) to an image of its whole first page. */
	render(records: Record<string, unknown>, options: RenderOptions): Promise<RenderedImage>;
	close(): Promise<void>;
}

const RENDERER_KEY = Symbol.for('easel.canvasRenderer');
type Holder = { [RENDERER_KEY]?: CanvasRenderer | null };

/** Registers the process's renderer (server/bootstrap.ts), or null when Chromium is not available. */
export function setCanvasRenderer(renderer: CanvasRenderer | null): void {
	(globalThis as Holder)[RENDERER_KEY] = renderer;
}

/** The process's renderer, or null when this server can't render (no Chromium): callers fall back. */
export function canvasRenderer(): CanvasRenderer | null {
	return (globalThis as Holder)[RENDERER_KEY] ?? null;
}
