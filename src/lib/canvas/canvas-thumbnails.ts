// A canvas's thumbnail, made in the browser: tldraw's own exporter (the only faithful renderer)
// draws the current page into a small WebP (PNG where the browser can't encode WebP), which editors
// upload with `PUT /api/v1/canvases/:id/thumbnail` when they leave the canvas and every few minutes
// while it is open, and only when the document changed since the last upload. Read-only viewers
// never upload; an emptied page removes the thumbnail, so the dashboard shows its placeholder.
import type { Editor } from 'tldraw';
import { SHARE_TOKEN_HEADER } from '../document-state.ts';

/** What the dashboard's load depends on: invalidated after a thumbnail was stored on the way out. */
export const THUMBNAILS_DEPENDENCY = 'easel:thumbnails';

/** The box a thumbnail fits in, in pixels (the dashboard shows ~300×110, twice that on sharp screens). */
const FIT = { width: 640, height: 400 };
/** Space around the shapes, in page units. */
const PADDING = 16;
/** Browsers refuse keepalive bodies past 64 KiB in flight, so thumbnails sent on leaving stay below. */
const KEEPALIVE_BYTES = 60_000;
/** Below the server's 300 KB (src/lib/server/thumbnails.ts). */
const UPLOAD_BYTES = 290_000;

export interface ThumbnailState {
	/** A thumbnail is stored. */
	exists: boolean;
	/** None is stored, or the canvas changed after it was made: make one even without edits here. */
	stale: boolean;
}

export interface ThumbnailOptions extends ThumbnailState {
	canvasId: string;
	/** A share-link guest's token (sent as `Easel-Share-Token`). */
	shareToken?: string;
	/** How often a thumbnail is sent while edits go on. */
	intervalMs?: number;
	/** How long edits must pause before the thumbnail for leaving is rendered in advance. */
	settleMs?: number;
	/** The fewest milliseconds between two renders made in advance (they cost the page some time). */
	minRenderGapMs?: number;
}

export interface CanvasThumbnails {
	/** Stops watching and sends a current thumbnail if the canvas changed since the last; resolves to whether one was stored. */
	flush(): Promise<boolean>;
	/** Stops watching, sending nothing more. */
	stop(): void;
}

/**
 * The current page as a thumbnail of at most `maxBytes`: fitted into 640×400 (never enlarged),
 * light theme, with its background; lower quality and scale until it fits. Null for an empty page.
 */
export async function renderThumbnail(editor: Editor, maxBytes: number): Promise<Blob | null> {
	const bounds = editor.getCurrentPageBounds();
	if (editor.getCurrentPageShapeIds().size === 0 || !bounds || bounds.w <= 0 || bounds.h <= 0) return null;
	let scale = Math.min(1, FIT.width / (bounds.w + 2 * PADDING), FIT.height / (bounds.h + 2 * PADDING));
	let quality = 0.85;
	for (let attempt = 0; attempt < 6; attempt++) {
		const { blob } = await editor.toImage([], { format: 'webp', quality, scale, pixelRatio: 1, padding: PADDING, background: true, darkMode: false });
		// A browser that can't encode WebP hands back a PNG: that is fine too.
		if (blob.type !== 'image/webp' && blob.type !== 'image/png') return null;
		if (blob.size <= maxBytes) return blob;
		quality = Math.max(0.4, quality - 0.15);
		scale *= 0.75;
	}
	return null;
}

/** Watches `editor`'s document and keeps its canvas's thumbnail current (see the module comment). */
export function trackThumbnails(editor: Editor, options: ThumbnailOptions): CanvasThumbnails {
	const { canvasId, shareToken, intervalMs = 3 * 60_000, settleMs = 3_000, minRenderGapMs = 15_000 } = options;
	const url = `/api/v1/canvases/${canvasId}/thumbnail`;
	const tokenHeaders: Record<string, string> = shareToken ? { [SHARE_TOKEN_HEADER]: shareToken } : {};
	/** Counts document changes; a thumbnail shows the document at one revision. */
	let revision = options.stale ? 1 : 0;
	let sentRevision = 0;
	let stored = options.exists;
	/** Rendered in advance for leaving, when there is no time left to render. */
	let prepared: { revision: number; blob: Blob | null } | null = null;
	let lastRenderAt = -Infinity;
	let watching = true;
	/** The server refused a thumbnail (access changed, canvas deleted): none are sent any more. */
	let refused = false;
	let sending: Promise<unknown> = Promise.resolve();
	let settleTimer: ReturnType<typeof setTimeout> | undefined;

	const mayUpload = () => !refused && !editor.isDisposed && !editor.getIsReadonly();
	const changedSinceSent = () => revision > sentRevision;

	function scheduleRender(delay = settleMs): void {
		clearTimeout(settleTimer);
		settleTimer = setTimeout(() => void prepare(), Math.max(delay, lastRenderAt + minRenderGapMs - performance.now()));
	}

	async function prepare(): Promise<void> {
		if (!watching || !mayUpload() || !changedSinceSent() || prepared?.revision === revision) return;
		const at = revision;
		lastRenderAt = performance.now();
		const blob = await renderThumbnail(editor, KEEPALIVE_BYTES).catch(() => undefined);
		if (blob !== undefined && (!prepared || prepared.revision < at)) prepared = { revision: at, blob };
		// Edits made while it rendered get their own turn.
		if (watching && revision > at) scheduleRender();
	}

	/** Stores `blob` (or removes the thumbnail for an empty page) as the document at revision `at`. */
	function send(at: number, blob: Blob | null, keepalive: boolean): Promise<boolean> {
		const previous = sentRevision;
		if (at <= previous || !mayUpload()) return Promise.resolve(false);
		sentRevision = at;
		if (blob === null && !stored) return Promise.resolve(false);
		// Started now, not after the previous one: on leaving there is no later.
		const request = blob
			? fetch(url, { method: 'PUT', body: blob, headers: { 'content-type': blob.type, ...tokenHeaders }, keepalive })
			: fetch(url, { method: 'DELETE', headers: tokenHeaders, keepalive });
		const result = request.then(
			(response) => {
				if (response.ok) {
					stored = blob !== null;
					return true;
				}
				// 4xx (no longer an editor, canvas gone, over the plan) won't get better by trying again; 429 and 5xx may.
				if (response.status >= 400 && response.status < 500 && response.status !== 429) refused = true;
				else if (sentRevision === at) sentRevision = previous;
				return false;
			},
			() => {
				if (sentRevision === at) sentRevision = previous;
				return false;
			}
		);
		sending = sending.then(() => result);
		return result;
	}

	async function renderAndSend(maxBytes: number, keepalive: boolean): Promise<boolean> {
		if (!mayUpload() || !changedSinceSent()) return false;
		const at = revision;
		const blob = prepared?.revision === at ? prepared.blob : await renderThumbnail(editor, maxBytes).catch(() => undefined);
		if (blob === undefined) return false;
		return send(at, blob, keepalive);
	}

	/** The page is going away (or out of sight): send what was rendered in advance at once, then try a fresh one. */
	function onLeaving(): void {
		if (!watching || !mayUpload() || !changedSinceSent()) return;
		if (prepared && prepared.revision > sentRevision) void send(prepared.revision, prepared.blob, true);
		// Completes when the tab was only hidden; after a real unload there is simply no one left to finish it.
		void renderAndSend(KEEPALIVE_BYTES, true);
	}
	const onVisibility = () => {
		if (document.visibilityState === 'hidden') onLeaving();
	};

	const stopListening = editor.store.listen(
		() => {
			revision++;
			scheduleRender();
		},
		{ scope: 'document' }
	);
	if (options.stale) scheduleRender();
	const interval = setInterval(() => void renderAndSend(UPLOAD_BYTES, false), intervalMs);
	window.addEventListener('pagehide', onLeaving);
	document.addEventListener('visibilitychange', onVisibility);

	function stop(): void {
		if (!watching) return;
		watching = false;
		stopListening();
		clearTimeout(settleTimer);
		clearInterval(interval);
		window.removeEventListener('pagehide', onLeaving);
		document.removeEventListener('visibilitychange', onVisibility);
	}

	return {
		async flush() {
			stop();
			const storedNow = await renderAndSend(KEEPALIVE_BYTES, true);
			await sending;
			return storedNow;
		},
		stop
	};
}
