// Where a conversation's cards go: a tree per root, top down (elk's layered layout: each generation
// a row, parents centred over their children, siblings left to right in order of arrival, so
// branches and retries sit side by side), roots' trees side by side in order of arrival. Cards
// people placed by hand keep their place: the laid-out cards below one that would overlap it move
// down past it, so the tree works around it.
import type { ElkNode } from 'elkjs/lib/elk.bundled.js';
import { layoutGraph } from '../ai/elk-layout.ts';
import { overlaps, type Box } from '../ai/diagram-layout.ts';

export interface LayoutCard {
	id: string;
	/** Its parent card, or null for a root (a parent that is not in the list also makes a root). */
	parentId: string | null;
	w: number;
	h: number;
}

/** Horizontal room between sibling cards, vertical room between generations, and between roots' trees. */
export const SIBLING_GAP = 48;
export const GENERATION_GAP = 72;
export const TREE_GAP = 96;
/** Room kept between a hand-placed card and the laid-out cards moved past it. */
export const PINNED_MARGIN = 32;

/** Every card's box in the conversation's own coordinates (the first tree's top-left at 0, 0), `cards` in order of arrival. */
export async function layoutConversationTree(cards: LayoutCard[]): Promise<Map<string, Box>> {
	const known = new Set(cards.map((card) => card.id));
	const children = new Map<string, LayoutCard[]>();
	const roots: LayoutCard[] = [];
	for (const card of cards) {
		if (card.parentId && known.has(card.parentId) && card.parentId !== card.id) children.set(card.parentId, [...(children.get(card.parentId) ?? []), card]);
		else roots.push(card);
	}
	const placed = new Map<string, Box>();
	let left = 0;
	for (const root of roots) {
		const tree: LayoutCard[] = [];
		const seen = new Set<string>();
		for (const queue = [root]; queue.length > 0;) {
			const card = queue.shift()!;
			if (seen.has(card.id)) continue;
			seen.add(card.id);
			tree.push(card);
			queue.push(...(children.get(card.id) ?? []));
		}
		// Model order decides sibling order: the nodes and edges go to elk in order of arrival.
		const ordered = cards.filter((card) => seen.has(card.id));
		const graph = await layoutGraph({
			id: 'conversation',
			layoutOptions: {
				'elk.algorithm': 'layered',
				'elk.direction': 'DOWN',
				'elk.spacing.nodeNode': String(SIBLING_GAP),
				'elk.layered.spacing.nodeNodeBetweenLayers': String(GENERATION_GAP),
				'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
				'elk.layered.crossingMinimization.forceNodeModelOrder': 'true',
				'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
				'elk.layered.nodePlacement.bk.fixedAlignment': 'BALANCED',
				'elk.padding': '[top=0,left=0,bottom=0,right=0]'
			},
			children: ordered.map((card) => ({ id: card.id, width: card.w, height: card.h, layoutOptions: { 'elk.alignment': 'TOP' } })),
			edges: ordered
				.filter((card) => card !== root && card.parentId && seen.has(card.parentId))
				.map((card) => ({ id: `edge-${card.id}`, sources: [card.parentId!], targets: [card.id] }))
		} satisfies ElkNode);
		const boxes = (graph.children ?? []).map((child) => ({ id: child.id, x: child.x ?? 0, y: child.y ?? 0, w: child.width ?? 0, h: child.height ?? 0 }));
		const minX = Math.min(...boxes.map((box) => box.x));
		const minY = Math.min(...boxes.map((box) => box.y));
		let right = left;
		for (const box of boxes) {
			const x = Math.round(left + box.x - minX);
			placed.set(box.id, { x, y: Math.round(box.y - minY), w: box.w, h: box.h });
			right = Math.max(right, x + box.w);
		}
		left = right + TREE_GAP;
	}
	return placed;
}

/**
 * The laid-out boxes moved so none overlaps a `pinned` box: the topmost laid-out box that would,
 * and every laid-out box not above it, go down past the pinned one (so the rows below keep their
 * shape), until nothing overlaps. Deterministic: the same layout and pins give the same answer.
 */
export function makeRoomForPinned(laidOut: Map<string, Box>, pinned: Box[]): Map<string, Box> {
	const result = new Map([...laidOut].map(([id, box]) => [id, { ...box }]));
	if (pinned.length === 0) return result;
	const boxes = [...result.values()];
	// Each round moves boxes strictly down past one pinned box; the bound only guards against a bug.
	for (let round = 0; round < 1000; round++) {
		let first: { box: Box; below: number } | null = null;
		for (const box of boxes) {
			for (const pin of pinned) {
				if (!overlaps(box, pin, PINNED_MARGIN)) continue;
				const below = pin.y + pin.h + PINNED_MARGIN;
				if (!first || box.y < first.box.y || (box.y === first.box.y && below > first.below)) first = { box, below };
			}
		}
		if (!first) break;
		const from = first.box.y;
		const shift = Math.ceil(first.below - from);
		for (const box of boxes) if (box.y >= from) box.y += shift;
	}
	return result;
}
