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
