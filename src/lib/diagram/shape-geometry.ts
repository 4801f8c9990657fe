// Where tldraw shapes are on their page, from their records alone: page transforms through
// parents (frames, groups) and their rotations, and bounds from props (estimated where only a
// browser knows, like a text's height).
import { plainTextOf } from './rich-text.ts';

export interface Rect {
	x: number;
	y: number;
	w: number;
	h: number;
}

export interface ShapeRecord {
	id: string;
	typeName: 'shape';
	type: string;
	x: number;
	y: number;
	rotation: number;
	index: string;
	parentId: string;
	props: Record<string, unknown>;
	meta: Record<string, unknown>;
}

/** Base font size of tldraw's default theme; label sizes are multiples of it. */
const BASE_FONT_PX = 16;
const TEXT_FONT_SCALE: Record<string, number> = { s: 1.125, m: 1.5, l: 2.25, xl: 2.75 };
const NOTE_SIZE = 200;
/** Converts page coordinates into those of the children of `parentId` (a shape or a page). */
export function pageToParentSpace(records: Record<string, unknown>, parentId: string): (point: { x: number; y: number }) => { x: number; y: number } {
	if (!parentId.startsWith('shape:') || !records[parentId]) return (point) => point;
	const shapes = new Map<string, ShapeRecord>();
	for (const [id, record] of Object.entries(records)) if ((record as { typeName?: unknown })?.typeName === 'shape') shapes.set(id, record as ShapeRecord);
	const { cos, sin, x, y } = new ShapeGeometry(shapes).pageTransform(parentId);
	// The inverse of rotating by (cos, sin) then translating by (x, y).
	return (point) => ({ x: cos * (point.x - x) + sin * (point.y - y), y: -sin * (point.x - x) + cos * (point.y - y) });
}

/** Page positions and sizes of shapes, following parents (frames, groups) and their rotations. */
export class ShapeGeometry {
	private readonly shapes: Map<string, ShapeRecord>;
	private readonly transforms = new Map<string, Transform>();

	constructor(shapes: Map<string, ShapeRecord>) {
		this.shapes = shapes;
	}

	/** The page a shape is on (through its parents), or null when its chain is broken or loops. */
	pageOf(id: string): string | null {
		const seen = new Set<string>();
		for (let current = this.shapes.get(id); current; current = this.shapes.get(current.parentId)) {
			if (seen.has(current.id)) return null;
			seen.add(current.id);
			if (typeof current.parentId === 'string' && current.parentId.startsWith('page:')) return current.parentId;
		}
		return null;
	}

	pageBounds(id: string, depth = 0): Rect {
		const shape = this.shapes.get(id)!;
		if (shape.type === 'group' && depth < 32) {
			const children = [...this.shapes.values()].filter((child) => child.parentId === id);
			if (children.length > 0) return unionOf(children.map((child) => this.pageBounds(child.id, depth + 1)));
		}
		const local = localBounds(shape);
		const transform = this.pageTransform(id);
		const corners = [
			[local.x, local.y],
			[local.x + local.w, local.y],
			[local.x, local.y + local.h],
			[local.x + local.w, local.y + local.h]
		].map(([x, y]) => apply(transform, x, y));
		const xs = corners.map((point) => point.x);
		const ys = corners.map((point) => point.y);
		return { x: Math.min(...xs), y: Math.min(...ys), w: Math.max(...xs) - Math.min(...xs), h: Math.max(...ys) - Math.min(...ys) };
	}

	/** A point in a shape's own coordinates (an arrow's end), on the page. */
	pagePoint(id: string, point: { x: number; y: number }): { x: number; y: number } {
		return apply(this.pageTransform(id), finite(point?.x), finite(point?.y));
	}

	pageTransform(id: string, depth = 0): Transform {
		const cached = this.transforms.get(id);
		if (cached) return cached;
		const shape = this.shapes.get(id);
		if (!shape) return IDENTITY;
		const own = transformOf(shape);
		const parent = this.shapes.has(shape.parentId) && depth < 32 ? this.pageTransform(shape.parentId, depth + 1) : IDENTITY;
		const transform = compose(parent, own);
		this.transforms.set(id, transform);
		return transform;
	}
}

/** A 2D affine transform: rotation (cos, sin) then translation. */
interface Transform {
	cos: number;
	sin: number;
	x: number;
	y: number;
}

const IDENTITY: Transform = { cos: 1, sin: 0, x: 0, y: 0 };

function transformOf(shape: ShapeRecord): Transform {
	const rotation = finite(shape.rotation);
	return { cos: Math.cos(rotation), sin: Math.sin(rotation), x: finite(shape.x), y: finite(shape.y) };
}

function apply(transform: Transform, x: number, y: number): { x: number; y: number } {
	return { x: transform.x + transform.cos * x - transform.sin * y, y: transform.y + transform.sin * x + transform.cos * y };
}

function compose(outer: Transform, inner: Transform): Transform {
	const origin = apply(outer, inner.x, inner.y);
	return { cos: outer.cos * inner.cos - outer.sin * inner.sin, sin: outer.sin * inner.cos + outer.cos * inner.sin, x: origin.x, y: origin.y };
}

/** A shape's bounds in its own coordinates, from its props (estimated where only the browser knows, like text height). */
function localBounds(shape: ShapeRecord): Rect {
	const props = shape.props ?? {};
	const scale = finite(props.scale, 1);
	switch (shape.type) {
		case 'geo':
			return { x: 0, y: 0, w: finite(props.w), h: finite(props.h) + finite(props.growY) };
		case 'note':
			return { x: 0, y: 0, w: NOTE_SIZE * scale, h: (NOTE_SIZE + finite(props.growY)) * scale };
		case 'text': {
			const lines = Math.max(1, plainTextOf(props.richText).split('\n').length);
			const fontPx = BASE_FONT_PX * (TEXT_FONT_SCALE[String(props.size)] ?? 1.5);
			return { x: 0, y: 0, w: finite(props.w, 8) * scale, h: lines * fontPx * 1.35 * scale };
		}
		case 'line':
			return boundsOfPoints(Object.values((props.points as Record<string, { x: number; y: number }>) ?? {}));
		case 'arrow':
			return boundsOfPoints([props.start as { x: number; y: number }, props.end as { x: number; y: number }]);
		case 'draw':
		case 'highlight': {
			const segments = Array.isArray(props.segments) ? props.segments : [];
			const points = segments.flatMap((segment: { points?: unknown }) => (Array.isArray(segment?.points) ? segment.points : []));
			const bounds = boundsOfPoints(points);
			return { x: bounds.x * scale, y: bounds.y * scale, w: bounds.w * scale, h: bounds.h * scale };
		}
		default:
			return { x: 0, y: 0, w: finite(props.w), h: finite(props.h) };
	}
}

function boundsOfPoints(points: unknown[]): Rect {
	const valid = points.filter(
		(point): point is { x: number; y: number } => !!point && Number.isFinite((point as { x: number }).x) && Number.isFinite((point as { y: number }).y)
	);
	if (valid.length === 0) return { x: 0, y: 0, w: 0, h: 0 };
	const xs = valid.map((point) => point.x);
	const ys = valid.map((point) => point.y);
	return { x: Math.min(...xs), y: Math.min(...ys), w: Math.max(...xs) - Math.min(...xs), h: Math.max(...ys) - Math.min(...ys) };
}

function unionOf(rects: Rect[]): Rect {
	const x = Math.min(...rects.map((rect) => rect.x));
	const y = Math.min(...rects.map((rect) => rect.y));
	return { x, y, w: Math.max(...rects.map((rect) => rect.x + rect.w)) - x, h: Math.max(...rects.map((rect) => rect.y + rect.h)) - y };
}

function finite(value: unknown, fallback = 0): number {
	return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
