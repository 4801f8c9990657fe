// Where a new diagram goes: elkjs's layered layout of its boxes (the model says what, elk says
// where), then the whole block moved into free space so it overlaps nothing already on the canvas.
import { layoutGraph } from './elk-layout.ts';

export interface Box {
	x: number;
	y: number;
	w: number;
	h: number;
}

export const LAYOUT_DIRECTIONS = ['RIGHT', 'DOWN', 'LEFT', 'UP'] as const;
export type LayoutDirection = (typeof LAYOUT_DIRECTIONS)[number];

export interface DiagramToLayOut {
	/** Boxes to place; without `w`/`h` they are sized from the label (`nodeSizeFor`). */
	nodes: { id: string; label: string; w?: number; h?: number }[];
	/** Arrows between the boxes (edges to anything else are ignored here); labels get room between the layers. */
	edges: { from: string; to: string; label?: string }[];
	direction?: LayoutDirection;
	/** Where the people are looking: the block goes in free space nearest its centre. */
	viewport?: Box;
}

/** Room kept free between the new block and anything already there. */
export const LAYOUT_MARGIN = 80;
const MIN_WIDTH = 180;
const MIN_HEIGHT = 80;
const MAX_WIDTH = 320;
/** Average glyph width and line height of a size `m` label (22 px) in tldraw's sans font, with room to spare. */
const CHAR_WIDTH = 12.5;
const LINE_HEIGHT = 30;
const LABEL_PADDING = 40;
/** How much bigger than a rectangle a geo must be for the same label to fit inside it. */
const GEO_ROOM: Record<string, { w: number; h: number }> = {
	ellipse: { w: 1.3, h: 1.4 },
	oval: { w: 1.15, h: 1.1 },
	cloud: { w: 1.35, h: 1.5 },
	diamond: { w: 1.6, h: 1.6 },
	hexagon: { w: 1.25, h: 1.1 },
	pentagon: { w: 1.3, h: 1.4 },
	trapezoid: { w: 1.25, h: 1.1 },
	rhombus: { w: 1.35, h: 1.1 }
};

/** A box big enough to show `label` without tldraw having to grow it. */
export function nodeSizeFor(label: string, geo = 'rectangle'): { w: number; h: number } {
	const lines = label.split('\n');
	const longest = Math.max(0, ...lines.map((line) => line.length));
	const textWidth = longest * CHAR_WIDTH;
	const w = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, textWidth + LABEL_PADDING));
	// Word wrapping rarely fills a line: count one line more for every wrapped one.
	const wrapped = lines.reduce((sum, line) => {
		const needed = Math.ceil((line.length * CHAR_WIDTH) / (w - LABEL_PADDING));
		return sum + Math.max(1, needed > 1 ? needed + 1 : needed);
	}, 0);
	const h = Math.max(MIN_HEIGHT, wrapped * LINE_HEIGHT + LABEL_PADDING);
	const room = GEO_ROOM[geo] ?? { w: 1, h: 1 };
	return { w: roundUp(w * room.w), h: roundUp(h * room.h) };
}

/**
 * Page boxes for every node: laid out by elk's layered algorithm in `direction` (default RIGHT),
 * then translated as one block so it overlaps neither itself nor any `occupied` box (keeping
 * `LAYOUT_MARGIN` clear). Near the viewport's centre when one is given, otherwise right of
 * everything already on the canvas.
 */
export async function layoutDiagram(diagram: DiagramToLayOut, occupied: Box[]): Promise<Map<string, Box>> {
	const ids = new Set(diagram.nodes.map((node) => node.id));
	const sized = diagram.nodes.map((node) => ({ id: node.id, ...(node.w && node.h ? { w: node.w, h: node.h } : nodeSizeFor(node.label)) }));
	const direction = diagram.direction ?? 'RIGHT';
	// Arrow labels sit between the layers: across a left-right flow they need their width, up-down one line.
	const longestLabel = Math.max(0, ...diagram.edges.filter((edge) => ids.has(edge.from) && ids.has(edge.to)).map((edge) => edge.label?.length ?? 0));
	const labelRoom = longestLabel === 0 ? 0 : direction === 'RIGHT' || direction === 'LEFT' ? Math.min(400, longestLabel * CHAR_WIDTH * 0.9 + 40) : LINE_HEIGHT + 20;
	const graph = await layoutGraph({
		id: 'root',
		layoutOptions: {
			'elk.algorithm': 'layered',
			'elk.direction': direction,
			'elk.spacing.nodeNode': '60',
			'elk.layered.spacing.nodeNodeBetweenLayers': String(Math.round(Math.max(110, labelRoom + 60))),
			'elk.spacing.componentComponent': '80',
			'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
			'elk.padding': '[top=0,left=0,bottom=0,right=0]'
		},
		children: sized.map((node) => ({ id: node.id, width: node.w, height: node.h })),
		edges: diagram.edges
			.filter((edge) => ids.has(edge.from) && ids.has(edge.to) && edge.from !== edge.to)
			.map((edge, index) => ({ id: `edge-${index}`, sources: [edge.from], targets: [edge.to] }))
	});

	const local = new Map<string, Box>();
	for (const child of graph.children ?? []) {
		local.set(child.id, { x: child.x ?? 0, y: child.y ?? 0, w: child.width ?? MIN_WIDTH, h: child.height ?? MIN_HEIGHT });
	}
	if (local.size === 0) return local;
	const block = boundsOf([...local.values()]);
	const origin = freePosition({ w: block.w, h: block.h }, occupied, diagram.viewport);
	const placed = new Map<string, Box>();
	for (const [id, box] of local) {
		placed.set(id, { x: Math.round(origin.x + box.x - block.x), y: Math.round(origin.y + box.y - block.y), w: box.w, h: box.h });
	}
	return placed;
}

/** The top-left corner for a block of `size` where it keeps `LAYOUT_MARGIN` from every occupied box. */
export function freePosition(size: { w: number; h: number }, occupied: Box[], viewport?: Box): { x: number; y: number } {
	const boxes = occupied.filter((box) => [box.x, box.y, box.w, box.h].every(Number.isFinite));
	if (boxes.length === 0) {
		if (!viewport) return { x: 0, y: 0 };
		return { x: Math.round(viewport.x + (viewport.w - size.w) / 2), y: Math.round(viewport.y + (viewport.h - size.h) / 2) };
	}
	const content = boundsOf(boxes);
	// Right of everything is always free.
	const rightOfAll = { x: Math.ceil(content.x + content.w + LAYOUT_MARGIN), y: Math.round(content.y) };
	if (!viewport) return rightOfAll;

	const free = (x: number, y: number) => boxes.every((box) => !overlaps({ x, y, w: size.w, h: size.h }, box, LAYOUT_MARGIN));
	const target = { x: viewport.x + viewport.w / 2 - size.w / 2, y: viewport.y + viewport.h / 2 - size.h / 2 };
	// Candidates: centred in the viewport, and beside or below each occupied box (where free space starts).
	const candidates: { x: number; y: number }[] = [target, rightOfAll, { x: content.x, y: content.y + content.h + LAYOUT_MARGIN }];
	for (const box of boxes) {
		candidates.push(
			{ x: box.x + box.w + LAYOUT_MARGIN, y: box.y },
			{ x: box.x, y: box.y + box.h + LAYOUT_MARGIN },
			{ x: box.x - LAYOUT_MARGIN - size.w, y: box.y },
			{ x: box.x, y: box.y - LAYOUT_MARGIN - size.h },
			{ x: box.x + box.w + LAYOUT_MARGIN, y: target.y },
			{ x: target.x, y: box.y + box.h + LAYOUT_MARGIN }
		);
	}
	const distance = (point: { x: number; y: number }) => Math.hypot(point.x - target.x, point.y - target.y);
	const sorted = candidates.map((point) => ({ x: Math.round(point.x), y: Math.round(point.y) })).sort((a, b) => distance(a) - distance(b) || a.y - b.y || a.x - b.x);
	return sorted.find((point) => free(point.x, point.y)) ?? rightOfAll;
}

/** Whether two boxes come closer than `margin` (touching at exactly `margin` is fine). */
export function overlaps(a: Box, b: Box, margin = 0): boolean {
	return a.x < b.x + b.w + margin && b.x < a.x + a.w + margin && a.y < b.y + b.h + margin && b.y < a.y + a.h + margin;
}

function boundsOf(boxes: Box[]): Box {
	const x = Math.min(...boxes.map((box) => box.x));
	const y = Math.min(...boxes.map((box) => box.y));
	return { x, y, w: Math.max(...boxes.map((box) => box.x + box.w)) - x, h: Math.max(...boxes.map((box) => box.y + box.h)) - y };
}

function roundUp(value: number): number {
	return Math.ceil(value / 10) * 10;
}
