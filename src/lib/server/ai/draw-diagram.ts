// draw_diagram: the model names boxes and arrows; elk places them in free space, and one
// transaction writes labelled boxes in their kind's style with arrows bound at both ends.
import { shapeBounds } from '../../diagram/graph-queries.ts';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { pageToParentSpace } from '../../diagram/shape-geometry.ts';
import { LAYOUT_DIRECTIONS, layoutDiagram, nodeSizeFor, type Box } from './diagram-layout.ts';
import { NODE_KINDS, normalizeKind, styleOf } from '../../diagram/node-kinds.ts';
import { arrowRecords, indexesAbove, newShapeId, nodeShape, placeArrows, type JsonRecord } from './shape-records.ts';
import {
	boundsOf,
	CanvasToolError,
	existingShapeId,
	labelInput,
	MAX_DIAGRAM_EDGES,
	MAX_DIAGRAM_NODES,
	occupiedBoxes,
	pageGraph,
	plural,
	type ToolSession
} from './tool-session.ts';

export const drawDiagramInput = z.object({
	nodes: z
		.array(
			z.object({
				id: z.string().min(1).max(100).describe('Your own name for this box, used by edges in this call (e.g. "api")'),
				label: labelInput.describe('The text shown in the box'),
				kind: z
					.string()
					.max(40)
					.optional()
					.describe(`One of ${NODE_KINDS.join(', ')}; decides the shape and colour`),
				technology: z.string().max(80).optional().describe('The product or technology, e.g. "PostgreSQL"')
			})
		)
		.describe(`The boxes to draw (at most ${MAX_DIAGRAM_NODES})`),
	edges: z
		.array(
			z.object({
				from: z.string().min(1).max(200).describe('A node id of this call, or the id of a shape already on the canvas'),
				to: z.string().min(1).max(200).describe('A node id of this call, or the id of a shape already on the canvas'),
				label: labelInput.optional()
			})
		)
		.default([])
		.describe('Arrows between boxes'),
	direction: z.enum(LAYOUT_DIRECTIONS).optional().describe('Which way the diagram flows (default RIGHT)')
});

export type DrawDiagramInput = z.infer<typeof drawDiagramInput>;

export async function drawDiagram(session: ToolSession, input: DrawDiagramInput) {
	const { nodes, direction } = input;
	const edges = input.edges ?? [];
	if (nodes.length === 0) throw new CanvasToolError('A diagram needs at least one node.');
	if (nodes.length > MAX_DIAGRAM_NODES) throw new CanvasToolError(`Too many nodes (${nodes.length}): draw at most ${MAX_DIAGRAM_NODES} in one call.`);
	if (edges.length > MAX_DIAGRAM_EDGES) throw new CanvasToolError(`Too many edges (${edges.length}): draw at most ${MAX_DIAGRAM_EDGES} in one call.`);
	const seen = new Set<string>();
	for (const node of nodes) {
		if (seen.has(node.id)) throw new CanvasToolError(`Duplicate node id "${node.id}": give every node its own id.`);
		seen.add(node.id);
	}

	const records = await session.readRecords();
	const graph = pageGraph(session, records);
	const existing = shapeBounds(graph);
	const endpoint = (name: string): { kind: 'new'; id: string } | { kind: 'existing'; id: string } => {
		if (seen.has(name)) return { kind: 'new', id: name };
		const id = existingShapeId(name, existing);
		if (id) return { kind: 'existing', id };
		throw new CanvasToolError(`The edge end "${name}" is neither a node id of this diagram nor a shape on the canvas.`);
	};
	const resolvedEdges = edges.map((edge) => {
		const from = endpoint(edge.from);
		const to = endpoint(edge.to);
		if (from.kind === to.kind && from.id === to.id) throw new CanvasToolError(`The edge from "${edge.from}" to "${edge.to}" starts and ends at the same box.`);
		return { from, to, label: edge.label };
	});

	// An unknown kind may still be clear from the technology ("PostgreSQL" is a database).
	const kinds = new Map(
		nodes.map((node) => [
			node.id,
			normalizeKind(node.kind) === 'other' && node.kind?.toLowerCase() !== 'other' ? normalizeKind(node.technology) : normalizeKind(node.kind)
		])
	);
	const layout = await layoutDiagram(
		{
			nodes: nodes.map((node) => ({ id: node.id, label: node.label, ...nodeSizeFor(node.label, styleOf(kinds.get(node.id)!).geo) })),
			edges: resolvedEdges
				.filter((edge) => edge.from.kind === 'new' && edge.to.kind === 'new')
				.map((edge) => ({ from: edge.from.id, to: edge.to.id, label: edge.label })),
			direction,
			viewport: session.viewport
		},
		occupiedBoxes(graph)
	);
	const shapeIds = new Map(nodes.map((node) => [node.id, newShapeId()]));
	const block = boundsOf([...layout.values()]);
	const endOf = (end: { kind: 'new' | 'existing'; id: string }): { id: string; box: Box } =>
		end.kind === 'new' ? { id: shapeIds.get(end.id)!, box: layout.get(end.id)! } : { id: end.id, box: existing.get(end.id)! };
	session.moveCursor({ x: block.x + block.w / 2, y: block.y + block.h / 2 });

	const after: Record<string, JsonRecord> = {};
	const arrows: { id: string; from: string; to: string }[] = [];
	await session.transact((draft) => {
		const missing = resolvedEdges.flatMap((edge) => [edge.from, edge.to]).find((end) => end.kind === 'existing' && !draft.records.has(end.id));
		if (missing) throw new CanvasToolError(`The shape ${missing.id} was deleted meanwhile; read the canvas again.`);
		const indexes = indexesAbove(draft.records, session.pageId, nodes.length);
		nodes.forEach((node, position) => {
			const shape = nodeShape({
				id: shapeIds.get(node.id)!,
				pageId: session.pageId,
				index: indexes[position],
				box: layout.get(node.id)!,
				label: node.label,
				kind: kinds.get(node.id)!,
				technology: node.technology,
				runId: session.runId
			});
			after[shape.id] = shape;
			draft.records.set(shape.id, shape);
		});
		const ends = resolvedEdges.map((edge) => ({ from: endOf(edge.from), to: endOf(edge.to), label: edge.label }));
		const placements = placeArrows(
			draft.records,
			session.pageId,
			ends.map((end) => ({ from: end.from.id, to: end.to.id }))
		);
		ends.forEach((end, position) => {
			const { arrow, bindings } = arrowRecords({
				placement: placements[position],
				from: end.from,
				to: end.to,
				label: end.label,
				runId: session.runId,
				toParentSpace: pageToParentSpace(records, placements[position].parentId)
			});
			for (const record of [arrow, ...bindings]) {
				after[record.id] = record;
				draft.records.set(record.id, record);
			}
			arrows.push({ id: arrow.id, from: bindings[0].toId, to: bindings[1].toId });
		});
	});

	const recordIds = Object.keys(after);
	session.recordChange({
		id: randomUUID(),
		kind: 'created',
		recordIds,
		summary: `added ${plural(nodes.length, 'shape')}${arrows.length > 0 ? ` and ${plural(arrows.length, 'arrow')}` : ''}`,
		state: 'pending',
		before: Object.fromEntries(recordIds.map((id) => [id, null])),
		after
	});
	return {
		ok: true,
		shapeIds: Object.fromEntries(shapeIds),
		arrows,
		bounds: block
	};
}
