// The graph a canvas page draws, read from its tldraw records: boxes (with kind and label), arrows
// between them (from their bindings), and everything else. Shared by the assistant's canvas
// description, design documents and code per node. Pure: records JSON in, plain data out.
import { plainTextOf } from './rich-text.ts';
import { ShapeGeometry, type Rect, type ShapeRecord } from './shape-geometry.ts';

export type { Rect };

export interface GraphNode {
	id: string;
	/** `meta.kind` when set (the assistant's kinds), otherwise the geo type (`rectangle`, …) or `note`. */
	kind: string;
	label: string;
	/** Page coordinates of the shape's bounds. */
	x: number;
	y: number;
	w: number;
	h: number;
	/** `meta.technology` when set (e.g. "PostgreSQL"). */
	technology?: string;
	/** The frame or group the shape sits in, if any. */
	parentId?: string;
	/** The assistant run that created it (`meta.createdByRun`). */
	createdByRun?: string;
}

export interface GraphEdge {
	id: string;
	/** The shape the arrow's start is bound to (null: not bound). */
	from: string | null;
	/** The shape the arrow's end is bound to (null: not bound). */
	to: string | null;
	label: string;
}

export interface GraphOther {
	id: string;
	type: string;
	label?: string;
	x: number;
	y: number;
	w: number;
	h: number;
}

export interface CanvasGraph {
	pageId: string;
	nodes: GraphNode[];
	edges: GraphEdge[];
	others: GraphOther[];
}

interface BindingRecord {
	id: string;
	typeName: 'binding';
	type: string;
	fromId: string;
	toId: string;
	props: { terminal?: string };
}

/** Shape types that are boxes in the graph even without `meta.kind`. */
const NODE_TYPES = new Set(['geo', 'note']);

/** The graph on `pageId` (default: the first page by index). Shapes of other pages are left out. */
export function readCanvasGraph(records: Record<string, unknown>, pageId?: string): CanvasGraph {
	const shapes = new Map<string, ShapeRecord>();
	const bindings: BindingRecord[] = [];
	const pages: { id: string; index: string }[] = [];
	for (const value of Object.values(records)) {
		if (!value || typeof value !== 'object') continue;
		const record = value as { typeName?: unknown; id?: unknown; index?: unknown };
		if (typeof record.id !== 'string') continue;
		if (record.typeName === 'shape') shapes.set(record.id, value as ShapeRecord);
		else if (record.typeName === 'binding') bindings.push(value as BindingRecord);
		else if (record.typeName === 'page') pages.push({ id: record.id, index: String(record.index ?? '') });
	}
	pages.sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : a.id < b.id ? -1 : 1));
	const page = pageId ?? pages[0]?.id ?? 'page:page';
	const geometry = new ShapeGeometry(shapes);

	const nodes: GraphNode[] = [];
	const others: GraphOther[] = [];
	const arrows: ShapeRecord[] = [];
	for (const shape of shapes.values()) {
		if (geometry.pageOf(shape.id) !== page) continue;
		if (shape.type === 'arrow') {
			arrows.push(shape);
			continue;
		}
		const bounds = roundRect(geometry.pageBounds(shape.id));
		const meta = shape.meta && typeof shape.meta === 'object' ? shape.meta : {};
		const kind = typeof meta.kind === 'string' && meta.kind ? meta.kind : undefined;
		if (kind || NODE_TYPES.has(shape.type)) {
			const node: GraphNode = {
				id: shape.id,
				kind: kind ?? (shape.type === 'geo' ? String(shape.props?.geo ?? 'rectangle') : shape.type),
				label: labelOf(shape) ?? '',
				...bounds
			};
			if (typeof meta.technology === 'string' && meta.technology) node.technology = meta.technology;
			if (shape.parentId !== page) node.parentId = shape.parentId;
			if (typeof meta.createdByRun === 'string') node.createdByRun = meta.createdByRun;
			nodes.push(node);
		} else {
			const label = labelOf(shape);
			others.push({ id: shape.id, type: shape.type, ...(label ? { label } : {}), ...bounds });
		}
	}

	const ends = new Map<string, { start?: string; end?: string }>();
	for (const binding of bindings) {
		if (binding.type !== 'arrow' || !shapes.has(binding.toId)) continue;
		const terminal = binding.props?.terminal;
		if (terminal !== 'start' && terminal !== 'end') continue;
		const arrowEnds = ends.get(binding.fromId) ?? {};
		arrowEnds[terminal] = binding.toId;
		ends.set(binding.fromId, arrowEnds);
	}
	const edges: GraphEdge[] = arrows.map((arrow) => ({
		id: arrow.id,
		from: ends.get(arrow.id)?.start ?? null,
		to: ends.get(arrow.id)?.end ?? null,
		label: labelOf(arrow) ?? ''
	}));

	nodes.sort(byPosition);
	others.sort(byPosition);
	edges.sort((a, b) => compareText(a.from ?? '', b.from ?? '') || compareText(a.to ?? '', b.to ?? '') || compareText(a.id, b.id));
	return { pageId: page, nodes, edges, others };
}

function labelOf(shape: ShapeRecord): string | undefined {
	const props = shape.props ?? {};
	if (props.richText) return plainTextOf(props.richText);
	if (typeof props.name === 'string') return props.name.trim();
	if (typeof props.text === 'string') return props.text.trim();
	return undefined;
}

function roundRect(rect: Rect): Rect {
	return { x: Math.round(rect.x), y: Math.round(rect.y), w: Math.round(rect.w), h: Math.round(rect.h) };
}

export function byPosition(a: Rect & { id: string }, b: Rect & { id: string }): number {
	return a.y - b.y || a.x - b.x || compareText(a.id, b.id);
}

function compareText(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}
