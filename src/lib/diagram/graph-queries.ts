// Questions later features ask of a canvas graph (canvas-graph.ts): a node's connections, what a
// frame holds, an order that puts callers before what they call, and where every shape is.
import { byPosition, type CanvasGraph, type GraphEdge, type GraphNode, type Rect } from './canvas-graph.ts';

export interface Connection {
	edge: GraphEdge;
	/** The node at the other end. */
	node: GraphNode;
	label: string;
}

/** The arrows into and out of a node, each with the node at its other end, in the graph's edge order. */
export function connectionsOf(graph: CanvasGraph, nodeId: string): { incoming: Connection[]; outgoing: Connection[] } {
	const nodes = new Map(graph.nodes.map((node) => [node.id, node]));
	const incoming: Connection[] = [];
	const outgoing: Connection[] = [];
	for (const edge of graph.edges) {
		if (edge.from === nodeId) outgoing.push({ edge, node: nodes.get(edge.to!)!, label: edge.label });
		if (edge.to === nodeId) incoming.push({ edge, node: nodes.get(edge.from!)!, label: edge.label });
	}
	return { incoming, outgoing };
}

/** The nodes inside a frame in reading order: nested frames and their contents too, unless `directOnly`. */
export function nodesInFrame(graph: CanvasGraph, frameId: string, options: { directOnly?: boolean } = {}): GraphNode[] {
	const frameOf = new Map(graph.nodes.map((node) => [node.id, node.frameId]));
	const within = (node: GraphNode): boolean => {
		if (options.directOnly) return node.frameId === frameId;
		const seen = new Set<string>();
		for (let frame = node.frameId; frame && !seen.has(frame); frame = frameOf.get(frame)) {
			if (frame === frameId) return true;
			seen.add(frame);
		}
		return false;
	};
	return graph.nodes.filter(within);
}

/**
 * The nodes with each before the nodes its arrows point to, where arrows allow (clients, then
 * services, then their stores); among equals reading order decides, and a cycle is entered where
 * something already placed points into it. The same graph always gives the same order, so
 * documents and code come out the same.
 */
export function topologicalOrder(graph: CanvasGraph): GraphNode[] {
	const waiting = new Map(graph.nodes.map((node) => [node.id, 0]));
	const targets = new Map<string, string[]>(graph.nodes.map((node) => [node.id, []]));
	for (const edge of graph.edges) {
		if (edge.from === edge.to || !waiting.has(edge.from!) || !waiting.has(edge.to!)) continue;
		waiting.set(edge.to!, waiting.get(edge.to!)! + 1);
		targets.get(edge.from!)!.push(edge.to!);
	}
	const remaining = [...graph.nodes].sort(byPosition);
	const reached = new Set<string>();
	const order: GraphNode[] = [];
	while (remaining.length > 0) {
		// The first node in reading order that nothing left points to; in a cycle, the first one
		// something placed already points to (else the first one left).
		let next = remaining.findIndex((node) => waiting.get(node.id) === 0);
		if (next < 0)
			next = Math.max(
				0,
				remaining.findIndex((node) => reached.has(node.id))
			);
		const [node] = remaining.splice(next, 1);
		order.push(node);
		waiting.delete(node.id);
		for (const target of targets.get(node.id)!) {
			reached.add(target);
			if (waiting.has(target)) waiting.set(target, waiting.get(target)! - 1);
		}
	}
	return order;
}

/** Page bounds of every shape of the graph but arrows: nodes, groups, conversations and their cards, and the rest. */
export function shapeBounds(graph: CanvasGraph): Map<string, Rect> {
	return new Map([...graph.nodes, ...graph.groups, ...graph.conversations, ...graph.messages, ...graph.others].map(({ id, x, y, w, h }) => [id, { x, y, w, h }]));
}

/** A shape's label as the graph reads it (an arrow's too), or ''. */
export function labelOfShape(graph: CanvasGraph, id: string): string {
	for (const list of [graph.nodes, graph.edges, graph.dangling, graph.messageArrows, graph.others]) {
		const found = (list as { id: string; label?: string }[]).find((shape) => shape.id === id);
		if (found) return found.label ?? '';
	}
	return '';
}
