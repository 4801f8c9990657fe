// Valid tldraw 5 records for tests that write canvases without an editor (the server validates them).
const richText = (text: string) => ({ type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });

export const DOCUMENT_RECORD = { id: 'document:document', typeName: 'document', gridSize: 10, name: '', meta: {} };
export const PAGE_RECORD = { id: 'page:page', typeName: 'page', name: 'Page 1', index: 'a1', meta: {} };

/** A rectangle on the first page. */
export function geoShape(id: string, overrides: Record<string, unknown> = {}, props: Record<string, unknown> = {}) {
	return {
		id,
		typeName: 'shape',
		type: 'geo',
		x: 100,
		y: 100,
		rotation: 0,
		index: 'a1',
		parentId: 'page:page',
		isLocked: false,
		opacity: 1,
		meta: {},
		...overrides,
		props: {
			geo: 'rectangle',
			dash: 'draw',
			url: '',
			w: 120,
			h: 80,
			growY: 0,
			scale: 1,
			flipX: false,
			flipY: false,
			labelColor: 'black',
			color: 'black',
			fill: 'none',
			size: 'm',
			font: 'draw',
			align: 'middle',
			verticalAlign: 'middle',
			richText: richText(''),
			...props
		}
	};
}

export { richText };

/** A valid shape carrying test data in its `meta` (what many tests compare). */
export function testShape(id: string, meta: Record<string, unknown> = {}) {
	return geoShape(id, { meta });
}

/** Writes the document and first page a browser would seed, so shapes have a parent. */
export function seedCanvas(records: { set(key: string, value: unknown): unknown; doc: { transact(f: () => void): void } | null }): void {
	records.doc!.transact(() => {
		records.set(DOCUMENT_RECORD.id, DOCUMENT_RECORD);
		records.set(PAGE_RECORD.id, PAGE_RECORD);
	});
}

/** Records of a seeded canvas that are not shapes (document and page). */
export const SEEDED_RECORD_COUNT = 2;

/** The fields every shape has, on the first page unless `overrides` say otherwise. */
function baseShape(id: string, type: string, overrides: Record<string, unknown>) {
	return { id, typeName: 'shape', type, x: 0, y: 0, rotation: 0, index: 'a1', parentId: 'page:page', isLocked: false, opacity: 1, meta: {}, ...overrides };
}

/** An arrow as tldraw draws it: `start`/`end` in its own coordinates; bind its ends with `arrowBinding`. */
export function arrowShape(id: string, overrides: Record<string, unknown> = {}, props: Record<string, unknown> = {}) {
	return {
		...baseShape(id, 'arrow', overrides),
		props: {
			kind: 'arc',
			labelColor: 'black',
			color: 'black',
			fill: 'none',
			dash: 'draw',
			size: 'm',
			arrowheadStart: 'none',
			arrowheadEnd: 'arrow',
			font: 'draw',
			start: { x: 0, y: 0 },
			end: { x: 100, y: 0 },
			bend: 0,
			richText: richText(''),
			labelPosition: 0.5,
			scale: 1,
			elbowMidPoint: 0.5,
			...props
		}
	};
}

/** The binding tldraw writes when an arrow's `terminal` snaps to a shape. */
export function arrowBinding(id: string, arrowId: string, toId: string, terminal: 'start' | 'end', anchor = { x: 0.5, y: 0.5 }) {
	return {
		id,
		typeName: 'binding',
		type: 'arrow',
		fromId: arrowId,
		toId,
		meta: {},
		props: { terminal, normalizedAnchor: anchor, isExact: false, isPrecise: false, snap: 'none' }
	};
}

export function frameShape(id: string, overrides: Record<string, unknown> = {}, props: Record<string, unknown> = {}) {
	return { ...baseShape(id, 'frame', overrides), props: { w: 600, h: 400, name: '', color: 'black', ...props } };
}

/** A group; its children name it as their `parentId` (with positions relative to it). */
export function groupShape(id: string, overrides: Record<string, unknown> = {}) {
	return { ...baseShape(id, 'group', overrides), props: {} };
}

export function textShape(id: string, text: string, overrides: Record<string, unknown> = {}) {
	return {
		...baseShape(id, 'text', overrides),
		props: { color: 'black', size: 'm', font: 'draw', textAlign: 'start', w: 160, richText: richText(text), scale: 1, autoSize: true }
	};
}

export function noteShape(id: string, text: string, overrides: Record<string, unknown> = {}) {
	return {
		...baseShape(id, 'note', overrides),
		props: {
			color: 'yellow',
			labelColor: 'black',
			size: 'm',
			font: 'draw',
			fontSizeAdjustment: null,
			align: 'middle',
			verticalAlign: 'middle',
			growY: 0,
			url: '',
			richText: richText(text),
			scale: 1,
			textLastEditedBy: null
		}
	};
}

/** An image shape without its asset (tldraw's state while a file uploads). */
export function imageShape(id: string, overrides: Record<string, unknown> = {}) {
	return {
		...baseShape(id, 'image', overrides),
		props: { w: 300, h: 200, playing: true, url: '', assetId: null, crop: null, flipX: false, flipY: false, altText: '' }
	};
}
