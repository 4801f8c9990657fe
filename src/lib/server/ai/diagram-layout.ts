// Where a new diagram goes: elkjs's layered layout of its boxes, moved as one block into free space
// beside what the canvas already holds.

export interface Box {
	x: number;
	y: number;
	w: number;
	h: number;
}

export type LayoutDirection = 'RIGHT' | 'DOWN' | 'LEFT' | 'UP';

export interface DiagramToLayOut {
	nodes: { id: string; label: string }[];
	edges: { from: string; to: string }[];
	direction?: LayoutDirection;
	/** Where the people are looking: the block is placed near it when there is room. */
	viewport?: Box;
}

/** Page boxes for every node, overlapping neither each other nor any `occupied` box. */
export async function layoutDiagram(diagram: DiagramToLayOut, occupied: Box[]): Promise<Map<string, Box>> {
	void diagram;
	void occupied;
	return new Map();
}
