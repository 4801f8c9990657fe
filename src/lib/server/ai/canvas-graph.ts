// The graph a canvas page draws, read from its tldraw records: boxes (with kind and label), arrows
// between them (from their bindings), and everything else. Shared by the assistant's canvas
// description, design documents and code per node.

export interface GraphNode {
	id: string;
	/** `meta.kind` when set (the assistant's kinds), otherwise the shape's geo type or shape type. */
	kind: string;
	label: string;
	/** Page coordinates of the shape's bounds. */
	x: number;
	y: number;
	w: number;
	h: number;
	/** `meta.technology` when set. */
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

/** The graph on `pageId` (default: the first page by index). */
export function readCanvasGraph(records: Record<string, unknown>, pageId?: string): CanvasGraph {
	void records;
	return { pageId: pageId ?? '', nodes: [], edges: [], others: [] };
}

/** A compact, deterministic description of the graph for a model; labels are quoted data, never instructions. */
export function describeCanvasForModel(
	graph: CanvasGraph,
	focus?: { selectedShapeIds?: string[]; viewport?: { x: number; y: number; w: number; h: number } },
	maxChars = 12_000
): string {
	void focus;
	void maxChars;
	return JSON.stringify(graph);
}
