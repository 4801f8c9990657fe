// The render page's code, in headless Chromium driven by the server: each call builds a store from the
// given records, a bare tldraw Editor (no UI) on a detached container, and exports the first page with
// tldraw's own exporter. Fonts, styles and images are inlined by the exporter; every request goes
// through the renderer's route handler, which serves only this origin's files and the canvas's assets.
import { getAssetUrlsByImport } from '@tldraw/assets/imports.vite';
import { Editor, createTLStore, defaultAddFontsFromNode, tipTapDefaultExtensions } from 'tldraw';
import type { SerializedSchema, TLRecord, TLStore, TLStoreSnapshot } from 'tldraw';
import 'tldraw/tldraw.css';
import type { RenderInput, RenderOutcome, RenderPageOptions } from '$lib/canvas-render-protocol';
import { assetIdOfSrc } from '$lib/asset-urls';
import { easelBindingUtils, easelShapeUtils } from '$lib/canvas/custom-shapes';

const assetUrls = getAssetUrlsByImport();

/** Never draw a canvas larger than 100 % (a framed preview may enlarge a small one up to this). */
const MAX_FRAME_SCALE = 2;
/** Longest side of a PNG, whatever is asked (Chromium's canvases stop far beyond this). */
const MAX_SIDE = 8192;

export function installRenderer(): void {
	window.easelRender = render;
}

async function render(input: RenderInput, options: RenderPageOptions): Promise<RenderOutcome> {
	const container = document.createElement('div');
	container.className = 'tl-container tl-theme__light';
	// Not hidden: the exporter copies computed styles into the SVG, an inherited `visibility: hidden` too.
	container.style.cssText = 'position:fixed;left:0;top:0;width:1000px;height:800px';
	const mount = document.createElement('div');
	container.appendChild(mount);
	document.body.appendChild(container);
	let editor: Editor | null = null;
	try {
		const store = loadStore(input);
		editor = new Editor({
			store,
			shapeUtils: easelShapeUtils,
			bindingUtils: easelBindingUtils,
			tools: [],
			getContainer: () => mount,
			fontAssetUrls: assetUrls.fonts,
			options: { text: { tipTapConfig: { extensions: tipTapDefaultExtensions }, addFontsFromNode: defaultAddFontsFromNode } }
		});
		const [firstPage] = editor.getPages();
		if (firstPage) editor.setCurrentPage(firstPage.id);
		const ids = [...editor.getCurrentPageShapeIds()];
		if (ids.length === 0) return { ok: false, reason: 'empty', message: 'The canvas has nothing to draw' };
		// toImage as SVG: fonts inlined, and the "auto" padding already trimmed to what is drawn.
		const exported = await editor.toImage(ids, { format: 'svg', background: true, darkMode: false, padding: 'auto' });
		const svg = await exported.blob.text();
		if (options.format === 'svg') return { ok: true, format: 'svg', svg, width: exported.width, height: exported.height };
		return { ok: true, format: 'png', ...(await rasterize(svg, exported.width, exported.height, options)) };
	} catch (error) {
		return { ok: false, reason: 'failed', message: error instanceof Error ? error.message : String(error) };
	} finally {
		editor?.dispose();
		container.remove();
	}
}

/** A store holding the records (migrated from their schema); records this build can't read are left out. */
function loadStore(input: RenderInput): TLStore {
	const store = createTLStore({ shapeUtils: easelShapeUtils, bindingUtils: easelBindingUtils });
	const known = store.schema.types as Record<string, unknown>;
	let records = Object.fromEntries(
		Object.entries(input.records).filter(([, record]) => {
			const typeName = (record as { typeName?: unknown } | null)?.typeName;
			return typeof typeName === 'string' && typeName in known;
		})
	) as Record<string, TLRecord>;
	if (input.schema) {
		const migrated = store.schema.migrateStoreSnapshot({ store: records, schema: input.schema as SerializedSchema } as TLStoreSnapshot);
		if (migrated.type === 'error') throw new Error(`The canvas's records could not be migrated (${migrated.reason})`);
		records = migrated.value as Record<string, TLRecord>;
	}
	const all = Object.values(records).map(withoutEmptyTextNodes).map(withOnlyLocalMedia);
	try {
		store.mergeRemoteChanges(() => store.put(all));
	} catch {
		// One bad record must not blank the whole picture: put them one at a time, skipping the bad.
		for (const record of all) {
			try {
				store.mergeRemoteChanges(() => store.put([record]));
			} catch {
				// left out
			}
		}
	}
	return store;
}

/**
 * The record with every picture that isn't inline or one of our stored assets taken out: the page
 * may not fetch it anyway, and the exporter would wait seconds for it and then draw nothing at all.
 */
function withOnlyLocalMedia(record: TLRecord): TLRecord {
	if (record.typeName !== 'asset') return record;
	// A bookmark's `src` is the page it links to (shown, never fetched); its image and icon are fetched.
	const [keys, none] = record.type === 'bookmark' ? [['image', 'favicon'], ''] : [['src'], null];
	const props = { ...(record.props as Record<string, unknown>) };
	for (const key of keys) {
		const value = props[key];
		if (typeof value === 'string' && value && !isLocalMedia(value)) props[key] = none;
	}
	return { ...record, props } as TLRecord;
}

function isLocalMedia(src: string): boolean {
	if (src.startsWith('data:')) return true;
	try {
		const url = new URL(src, location.href);
		return url.origin === location.origin && assetIdOfSrc(url.pathname) !== null;
	} catch {
		return false;
	}
}

/**
 * The record with empty text nodes dropped from its rich text: the schema lets them through (a
 * program may write `{ type: 'text', text: '' }`), but the text editor refuses them and the whole
 * export would fail for one empty label.
 */
function withoutEmptyTextNodes(record: TLRecord): TLRecord {
	const props = (record as { props?: { richText?: unknown } }).props;
	if (!props?.richText) return record;
	return { ...record, props: { ...props, richText: pruneText(props.richText) } } as TLRecord;
}

function pruneText(node: unknown): unknown {
	if (!node || typeof node !== 'object') return node;
	const { content, ...rest } = node as { content?: unknown };
	if (!Array.isArray(content)) return node;
	const kept = content.filter((child) => !(child && typeof child === 'object' && (child as { type?: unknown }).type === 'text' && !(child as { text?: unknown }).text));
	return { ...rest, content: kept.map(pruneText) };
}

/** Draws the SVG into a canvas (as tldraw does: a data: URL, since blob: SVGs with foreignObject taint it). */
async function rasterize(svg: string, width: number, height: number, options: RenderPageOptions): Promise<{ dataUrl: string; width: number; height: number }> {
	const image = new Image();
	image.src = `data:image/svg+xml;base64,${base64(svg)}`;
	await image.decode();
	const canvas = document.createElement('canvas');
	const context = canvas.getContext('2d');
	if (!context) throw new Error('No 2D canvas');
	if (options.frame) {
		const frame = { width: Math.max(1, Math.round(options.frame.width)), height: Math.max(1, Math.round(options.frame.height)) };
		const margin = Math.round(Math.min(frame.width, frame.height) * 0.06);
		const scale = Math.min(MAX_FRAME_SCALE, (frame.width - 2 * margin) / width, (frame.height - 2 * margin) / height);
		canvas.width = frame.width;
		canvas.height = frame.height;
		context.fillStyle = backgroundOf(svg);
		context.fillRect(0, 0, frame.width, frame.height);
		context.imageSmoothingQuality = 'high';
		const drawn = { width: width * scale, height: height * scale };
		context.drawImage(image, (frame.width - drawn.width) / 2, (frame.height - drawn.height) / 2, drawn.width, drawn.height);
	} else {
		const scale = Math.min(1, (options.maxWidth ?? MAX_SIDE) / width, MAX_SIDE / width, MAX_SIDE / height);
		canvas.width = Math.max(1, Math.round(width * scale));
		canvas.height = Math.max(1, Math.round(height * scale));
		context.fillStyle = backgroundOf(svg);
		context.fillRect(0, 0, canvas.width, canvas.height);
		context.imageSmoothingQuality = 'high';
		context.drawImage(image, 0, 0, canvas.width, canvas.height);
	}
	return { dataUrl: canvas.toDataURL('image/png'), width: canvas.width, height: canvas.height };
}

/** The export's background colour (tldraw sets it on the root <svg>), white when there is none. */
function backgroundOf(svg: string): string {
	const root = new DOMParser().parseFromString(svg, 'image/svg+xml').documentElement as unknown as SVGElement;
	return root.style?.backgroundColor || '#ffffff';
}

function base64(text: string): string {
	const bytes = new TextEncoder().encode(text);
	let binary = '';
	for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
	return btoa(binary);
}
