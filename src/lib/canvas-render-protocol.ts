// What the server's canvas renderer (src/lib/server/rendering/chromium-renderer.ts) and its page in
// headless Chromium (src/routes/render/canvas/) say to each other: the page defines
// `window.easelRender(input, options)`, the renderer calls it through `page.evaluate`.

/** The page the renderer opens on the server's own origin. */
export const RENDER_PAGE_PATH = '/render/canvas';

export interface RenderInput {
	/** tldraw records by id, as a canvas stores them (document, pages, shapes, bindings, assets). */
	records: Record<string, unknown>;
	/** The serialized tldraw schema the records were written with; without it they are taken as this build's. */
	schema?: unknown;
}

export interface RenderPageOptions {
	format: 'png' | 'svg';
	/** Largest width of a PNG in pixels; a canvas is never drawn bigger than 100 %. */
	maxWidth?: number;
	/** A PNG of exactly this size: the canvas fitted inside, centred on its background colour. */
	frame?: { width: number; height: number };
}

export type RenderOutcome =
	| { ok: true; format: 'svg'; svg: string; width: number; height: number }
	| { ok: true; format: 'png'; dataUrl: string; width: number; height: number }
	| { ok: false; reason: 'empty' | 'failed'; message: string };

declare global {
	interface Window {
		/** Defined by the render page once tldraw is loaded. */
		easelRender?: (input: RenderInput, options: RenderPageOptions) => Promise<RenderOutcome>;
	}
}
