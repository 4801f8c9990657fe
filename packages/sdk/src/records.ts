// Reading a canvas's tldraw records out of its Yjs document: the `records` map, its shapes, and their text.
import type * as Y from 'yjs';

/** Every canvas record has these; shapes, bindings, pages, assets and the document itself carry more. */
export interface CanvasRecord {
	id: string;
	typeName: string;
	[field: string]: unknown;
}

/** A tldraw shape record (`typeName: 'shape'`): `type` is 'geo', 'text', 'arrow', 'note', 'frame', 'message-card', ... */
export interface ShapeRecord extends CanvasRecord {
	typeName: 'shape';
	type: string;
	parentId: string;
	x: number;
	y: number;
	props: Record<string, unknown>;
	meta: Record<string, unknown>;
}

/** The doc's map of tldraw records, keyed by record id (`shape:…`, `page:…`, `binding:…`). Write whole, valid records: the server reverts invalid ones. */
export function recordsMap(doc: Y.Doc): Y.Map<CanvasRecord> {
	return doc.getMap<CanvasRecord>('records');
}

/** Every record in the doc, as plain objects. */
export function records(doc: Y.Doc): CanvasRecord[] {
	return [...recordsMap(doc).values()];
}

/** The doc's shapes, optionally only those of one `type` ('geo', 'text', 'arrow', ...). */
export function shapes(doc: Y.Doc, type?: string): ShapeRecord[] {
	return records(doc).filter((record): record is ShapeRecord => record.typeName === 'shape' && (type === undefined || record.type === type));
}

/**
 * A shape's text as a person reads it: its rich text (tldraw 5 `props.richText`) flattened, one
 * line per paragraph; a message card's or frame's plain `text`/`name` otherwise; '' when it has none.
 */
export function shapeText(shape: ShapeRecord): string {
	const props = shape.props ?? {};
	if (props.richText && typeof props.richText === 'object') return richTextToPlain(props.richText);
	for (const key of ['text', 'name', 'title']) if (typeof props[key] === 'string') return props[key] as string;
	return '';
}

/** The first shape whose text contains `text`, or undefined. */
export function findShapeByText(doc: Y.Doc, text: string): ShapeRecord | undefined {
	return shapes(doc).find((shape) => shapeText(shape).includes(text));
}

interface RichTextNode {
	type?: string;
	text?: string;
	content?: RichTextNode[];
}

function richTextToPlain(node: RichTextNode): string {
	if (typeof node.text === 'string') return node.text;
	const children = (node.content ?? []).map(richTextToPlain);
	return node.type === 'doc' ? children.join('\n') : children.join('');
}

/** tldraw rich text holding `text`, one paragraph per line: what `props.richText` of a geo, text or note shape takes. */
export function richText(text: string): { type: 'doc'; content: { type: 'paragraph'; content?: { type: 'text'; text: string }[] }[] } {
	return {
		type: 'doc',
		content: text.split('\n').map((line) => (line ? { type: 'paragraph' as const, content: [{ type: 'text' as const, text: line }] } : { type: 'paragraph' as const }))
	};
}
