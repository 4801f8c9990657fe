// The canvas renderer on headless system Chromium (playwright-core): it opens this server's own render
// page (/render/canvas, src/routes/render/canvas/) and asks it, through `page.evaluate`, to export the
// records with tldraw's own exporter. The browser starts on first use, is reused, and closes after a
// minute idle; one render runs at a time behind a short queue; a crashed browser is started again on
// the next render. The page may reach nothing but this origin's app files and the canvas's assets,
// which the renderer itself serves from the store (no session, no request leaves the machine).
import { chromium, type Browser, type BrowserContext, type Page, type Route } from 'playwright-core';
import { assetIdOfSrc } from '../../asset-urls.ts';
import { RENDER_PAGE_PATH, type RenderInput, type RenderOutcome, type RenderPageOptions } from '../../canvas-render-protocol.ts';
import type { Logger } from '../logger.ts';
import { CanvasRenderError, type CanvasRenderer, type RenderedImage, type RenderOptions } from './canvas-renderer.ts';

export interface LoadedAsset {
	bytes: Uint8Array;
	mimeType: string;
}

/** The bytes of a stored asset (`/api/v1/assets/<id>`), or null; with `canvasId`, only that canvas's own. */
export type AssetLoader = (assetId: string, canvasId: string | undefined) => Promise<LoadedAsset | null>;

export interface ChromiumRendererOptions {
	/** The Chromium binary (config CHROMIUM_PATH). */
	executablePath: string;
	/** This server as the browser reaches it, e.g. `http://localhost:3000` (the render page is there). */
	origin: string;
	loadAsset: AssetLoader;
	logger?: Logger;
	/** The browser closes after this long without a render. */
	idleMs?: number;
	/** Longest one render (the export in the page) may take. */
	renderTimeoutMs?: number;
	/** Longest starting the browser and loading the render page may take. */
	startTimeoutMs?: number;
	/** Renders that may wait behind the running one; more are refused (`busy`). */
	maxQueue?: number;
	/** The page is loaded afresh after this many renders (bounds what a long-lived page accumulates). */
	rendersPerPage?: number;
}

export interface RendererStats {
	/** Browsers started so far. */
	launches: number;
	renders: number;
	failures: number;
	/** Requests of the page refused by the route handler (other origins, other paths). */
	blockedRequests: number;
	/** Whether a browser is running now. */
	browserOpen: boolean;
	/** Renders running or waiting. */
	pending: number;
	/** Most renders that ran at the same time (1 unless the queue is broken). */
	maxConcurrent: number;
}

const LAUNCH_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run',
	// Containers give /dev/shm 64 MB; Chromium then crashes on large pages unless it uses /tmp.
	'--disable-dev-shm-usage'
];

export class ChromiumCanvasRenderer implements CanvasRenderer {
	private readonly options: Required<Omit<ChromiumRendererOptions, 'logger'>> & { logger?: Logger };
	private readonly origin: string;
	private browser: Browser | null = null;
	private context: BrowserContext | null = null;
	private page: Page | null = null;
	private pageRenders = 0;
	private tail: Promise<unknown> = Promise.resolve();
	private idleTimer: ReturnType<typeof setTimeout> | null = null;
	private closed = false;
	/** The render in progress: whose assets the page may load. */
	private active: { canvasId: string | undefined } | null = null;
	private running = 0;
	private readonly counts: Omit<RendererStats, 'browserOpen' | 'pending'> = { launches: 0, renders: 0, failures: 0, blockedRequests: 0, maxConcurrent: 0 };
	private pending = 0;

	constructor(options: ChromiumRendererOptions) {
		this.options = { idleMs: 60_000, renderTimeoutMs: 10_000, startTimeoutMs: 30_000, maxQueue: 8, rendersPerPage: 100, ...options };
		this.origin = new URL(options.origin).origin;
	}

	stats(): RendererStats {
		return { ...this.counts, browserOpen: this.browser !== null, pending: this.pending };
	}

	async render(records: Record<string, unknown>, options: RenderOptions): Promise<RenderedImage> {
		if (this.closed) throw new CanvasRenderError('closed', 'The renderer is shut down');
		if (this.pending > this.options.maxQueue) throw new CanvasRenderError('busy', `Too many canvases are being rendered (${this.pending}); try again shortly`);
		this.pending++;
		this.clearIdleTimer();
		const run = this.tail.then(() => this.renderNow(records, options));
		this.tail = run.catch(() => undefined);
		try {
			return await run;
		} finally {
			this.pending--;
			if (this.pending === 0 && !this.closed) this.scheduleIdleClose();
		}
	}

	async close(): Promise<void> {
		this.closed = true;
		this.clearIdleTimer();
		await this.closeBrowser();
	}

	private async renderNow(records: Record<string, unknown>, options: RenderOptions): Promise<RenderedImage> {
		if (this.closed) throw new CanvasRenderError('closed', 'The renderer is shut down');
		this.running++;
		this.counts.maxConcurrent = Math.max(this.counts.maxConcurrent, this.running);
		const started = performance.now();
		try {
			const page = await this.readyPage();
			this.active = { canvasId: options.canvasId };
			const input: RenderInput = { records, schema: options.schema };
			const pageOptions: RenderPageOptions = { format: options.format, maxWidth: options.maxWidth, frame: options.frame };
			const outcome = await this.withTimeout(
				page.evaluate(([input, pageOptions]) => window.easelRender!(input, pageOptions), [input, pageOptions] as const),
				this.options.renderTimeoutMs,
				() => {
					// The page is in an unknown state: drop it (this also ends the evaluate).
					void this.discardPage();
					return new CanvasRenderError('timeout', `Rendering the canvas took longer than ${this.options.renderTimeoutMs / 1000} s`);
				}
			);
			this.pageRenders++;
			const image = imageOf(outcome);
			this.counts.renders++;
			this.options.logger?.debug({ ms: Math.round(performance.now() - started), format: options.format, width: image.width, height: image.height }, 'rendered a canvas');
			return image;
		} catch (error) {
			this.counts.failures++;
			if (error instanceof CanvasRenderError) throw error;
			if (this.closed) throw new CanvasRenderError('closed', 'The renderer is shut down');
			this.options.logger?.warn({ err: error }, 'rendering a canvas failed');
			// Whatever broke (a crash, a page that would not load), the next render starts afresh.
			await this.discardPage();
			throw new CanvasRenderError('failed', `The canvas could not be rendered: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
		} finally {
			this.active = null;
			this.running--;
		}
	}

	/** The render page, loaded and ready (starting the browser first when none runs). */
	private async readyPage(): Promise<Page> {
		if (this.page && !this.page.isClosed() && this.pageRenders < this.options.rendersPerPage) return this.page;
		await this.discardPage();
		return this.withTimeout(this.openPage(), this.options.startTimeoutMs, () => {
			void this.closeBrowser();
			return new CanvasRenderError('timeout', `Starting Chromium and the render page took longer than ${this.options.startTimeoutMs / 1000} s`);
		});
	}

	private async openPage(): Promise<Page> {
		const browser = await this.openBrowser();
		const context = await browser.newContext({
			viewport: { width: 1280, height: 800 },
			deviceScaleFactor: 1,
			serviceWorkers: 'block',
			acceptDownloads: false,
			colorScheme: 'light',
			locale: 'en-US',
			timezoneId: 'UTC'
		});
		this.context = context;
		await context.route('**/*', (route) => this.handleRequest(route));
		await context.routeWebSocket(/.*/, (socket) => {
			this.counts.blockedRequests++;
			return socket.close();
		});
		const page = await context.newPage();
		page.on('crash', () => {
			this.options.logger?.warn('the render page crashed; it is reloaded for the next render');
			if (this.page === page) this.page = null;
		});
		page.on('pageerror', (error) => this.options.logger?.debug({ err: error }, 'render page error'));
		await page.goto(`${this.origin}${RENDER_PAGE_PATH}`, { waitUntil: 'load', timeout: this.options.startTimeoutMs });
		await page.waitForFunction(() => typeof window.easelRender === 'function', undefined, { timeout: this.options.startTimeoutMs });
		this.page = page;
		this.pageRenders = 0;
		return page;
	}

	private async openBrowser(): Promise<Browser> {
		if (this.browser?.isConnected()) return this.browser;
		this.browser = null;
		const hostname = new URL(this.origin).hostname;
		const browser = await chromium.launch({
			executablePath: this.options.executablePath,
			headless: true,
			timeout: this.options.startTimeoutMs,
			// Names other than this server's resolve to nothing: a second wall behind the route handler.
			args: [...LAUNCH_ARGS, `--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE ${hostname}`]
		});
		this.counts.launches++;
		browser.on('disconnected', () => {
			if (this.browser !== browser) return;
			this.browser = null;
			this.context = null;
			this.page = null;
			if (!this.closed) this.options.logger?.info('Chromium stopped; it starts again on the next render');
		});
		this.browser = browser;
		this.options.logger?.debug({ executablePath: this.options.executablePath }, 'started Chromium for canvas rendering');
		return browser;
	}

	/** Every request of the page: this origin's render page and app files pass, assets come from the store, the rest is refused. */
	private async handleRequest(route: Route): Promise<void> {
		const request = route.request();
		let url: URL;
		try {
			url = new URL(request.url());
		} catch {
			return this.refuse(route);
		}
		if (url.origin !== this.origin || request.method() !== 'GET') return this.refuse(route, url);
		const assetId = assetIdOfSrc(url.pathname);
		if (assetId) {
			const active = this.active;
			let asset: LoadedAsset | null = null;
			try {
				asset = active ? await this.options.loadAsset(assetId, active.canvasId) : null;
			} catch (error) {
				this.options.logger?.warn({ err: error, assetId }, 'could not read an asset for rendering');
			}
			if (!asset) return route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' });
			return route.fulfill({ status: 200, contentType: asset.mimeType, body: Buffer.from(asset.bytes.buffer, asset.bytes.byteOffset, asset.bytes.byteLength) });
		}
		if (url.pathname === RENDER_PAGE_PATH || url.pathname.startsWith(`${RENDER_PAGE_PATH}/`) || url.pathname.startsWith('/_app/')) return route.continue();
		return this.refuse(route, url);
	}

	private refuse(route: Route, url?: URL): Promise<void> {
		this.counts.blockedRequests++;
		this.options.logger?.debug({ url: url ? `${url.origin}${url.pathname}`.slice(0, 200) : 'unparsable' }, 'render page request refused');
		return route.abort('blockedbyclient');
	}

	private async discardPage(): Promise<void> {
		const context = this.context;
		this.page = null;
		this.context = null;
		await context?.close().catch(() => undefined);
	}

	private async closeBrowser(): Promise<void> {
		const browser = this.browser;
		this.browser = null;
		this.context = null;
		this.page = null;
		await browser?.close().catch(() => undefined);
	}

	private scheduleIdleClose(): void {
		this.clearIdleTimer();
		this.idleTimer = setTimeout(() => {
			this.idleTimer = null;
			if (this.pending === 0 && this.browser) {
				this.options.logger?.debug('closing idle Chromium');
				void this.closeBrowser();
			}
		}, this.options.idleMs);
		this.idleTimer.unref();
	}

	private clearIdleTimer(): void {
		if (this.idleTimer) clearTimeout(this.idleTimer);
		this.idleTimer = null;
	}

	private withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
		let timer: ReturnType<typeof setTimeout> | undefined;
		const timeout = new Promise<never>((_, reject) => {
			timer = setTimeout(() => reject(onTimeout()), ms);
		});
		return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
	}
}

/**
 * This server as a browser on the same machine reaches it: `localhost` for a wildcard or loopback
 * HOST (Chromium tries it on IPv4 and IPv6, whichever the server listens on), else HOST itself.
 */
export function renderOrigin(host: string, port: number): string {
	if (['0.0.0.0', '::', '127.0.0.1', '::1', '[::1]', 'localhost'].includes(host)) return `http://localhost:${port}`;
	return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function imageOf(outcome: RenderOutcome): RenderedImage {
	if (!outcome.ok) throw new CanvasRenderError(outcome.reason, outcome.message);
	if (outcome.format === 'svg') {
		return { bytes: new TextEncoder().encode(outcome.svg), mimeType: 'image/svg+xml', width: Math.round(outcome.width), height: Math.round(outcome.height) };
	}
	const prefix = 'data:image/png;base64,';
	if (!outcome.dataUrl.startsWith(prefix)) throw new CanvasRenderError('failed', 'The render page answered something other than a PNG');
	const bytes = new Uint8Array(Buffer.from(outcome.dataUrl.slice(prefix.length), 'base64'));
	if (!PNG_SIGNATURE.every((byte, i) => bytes[i] === byte)) throw new CanvasRenderError('failed', 'The render page answered something other than a PNG');
	return { bytes, mimeType: 'image/png', width: outcome.width, height: outcome.height };
}
