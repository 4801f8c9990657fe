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
	/** A PNG of exactly this size, the canvas fitted inside on its background (an Open Graph image: 1200×630). */
	frame?: { width: number; height: number };
	/** The canvas the records belong to: only its own stored assets are drawn (others show as missing). */
	canvasId?: string;
	/** The serialized tldraw schema the records were written with (a canvas's `meta.schema`); default this build's. */
	schema?: unknown;
}

/**
 * Why a render did not happen; callers fall back (a stored thumbnail, a placeholder). `empty`: the
 * canvas draws nothing; `busy`: too many renders waiting; `timeout`: one took too long; `closed`: the
 * server is stopping; `failed`: anything else (the browser would not start, the export threw).
 */
export class CanvasRenderError extends Error {
	readonly reason: 'empty' | 'busy' | 'timeout' | 'closed' | 'failed';

	constructor(reason: CanvasRenderError['reason'], message: string) {
		super(message);
		this.name = 'CanvasRenderError';
		this.reason = reason;
	}
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

/**
 * Whether `error` is a CanvasRenderError. Use this, not `instanceof`: the renderer runs in the
 * server's own copy of this module, and the SvelteKit build bundles another, with another class.
 */
export function isCanvasRenderError(error: unknown): error is CanvasRenderError {
	return error instanceof Error && error.name === 'CanvasRenderError' && typeof (error as { reason?: unknown }).reason === 'string';
}
