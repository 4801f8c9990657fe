// What the assistant's canvas tools share: the session a run gives them, the error they answer a
// model's mistakes with, their limits, and the lookups and records every tool needs.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CanvasDraft, MapDraft } from '../collaboration-control.ts';
import type { StoredRunChange } from '../db/schema.ts';
import { readCanvasGraph, type CanvasGraph } from '../../diagram/canvas-graph.ts';
import { labelOfShape, shapeBounds } from '../../diagram/graph-queries.ts';
import type { Box } from './diagram-layout.ts';
import { shortLabel, type ShapeJson } from './shape-records.ts';

/** What a run gives its tools: the one canvas (and page) they may touch, and how to write and report. */
export interface ToolSession {
	runId: string;
	pageId: string;
	/** One validated transaction on the live canvas; throws AppError INVALID_INPUT when a record fails (nothing written). */
	transact(change: (draft: CanvasDraft) => void): Promise<void>;
	/** Records one reviewable change (the engine stores it and shows it in the chat). */
	recordChange(change: StoredRunChange): void;
	/** Moves the assistant's cursor to where it draws. */
	moveCursor(point: { x: number; y: number }): void;
	/** Reads the live canvas records (for occupancy and ids). */
	readRecords(): Promise<Record<string, unknown>>;
	/** Where the person who asked is looking (page coordinates), if known: new diagrams go in free space near it. */
	viewport?: { x: number; y: number; w: number; h: number };
}

/**
 * A mistake in the model's tool input (unknown shape, duplicate id, too many nodes): nothing was
 * written, and the message tells the model what to fix. The AI SDK hands it back as a tool error.
 */
export class CanvasToolError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'CanvasToolError';
	}
}

export const MAX_DIAGRAM_NODES = 60;
export const MAX_DIAGRAM_EDGES = 120;
/** Most shapes one update, move, restyle, delete or connect call may name. */
export const MAX_SHAPES_PER_CALL = 60;
export const MAX_LABEL_CHARS = 200;

export const shapeIdInput = z.string().min(1).max(200).describe('A shape id from the canvas description, e.g. "shape:abc123"');
export const labelInput = z.string().max(MAX_LABEL_CHARS);

/** The session page's graph; the page must still exist. */
export function pageGraph(session: ToolSession, records: Record<string, unknown>): CanvasGraph {
	if (!records[session.pageId]) throw new CanvasToolError('The page this conversation is about no longer exists.');
	return readCanvasGraph(records, session.pageId);
}

/** The id of a shape the model named (with or without the `shape:` prefix) on the session's page; a tool error otherwise. */
export function requireShape(name: string, records: Record<string, unknown>, pageId: string): string {
	const id = name.startsWith('shape:') ? name : `shape:${name}`;
	const shape = records[id] as ShapeJson | undefined;
	if (!shape || shape.typeName !== 'shape' || pageOf(records, id) !== pageId)
		throw new CanvasToolError(`There is no shape ${name} on this page; use ids from the canvas description.`);
	return id;
}

export function existingShapeId(name: string, existing: Map<string, unknown>): string | undefined {
	const id = name.startsWith('shape:') ? name : `shape:${name}`;
	return existing.has(id) ? id : undefined;
}

export function pageOf(records: Record<string, unknown>, id: string): string | null {
	const seen = new Set<string>();
	for (let current = records[id] as ShapeJson | undefined; current && !seen.has(current.id); current = records[current.parentId] as ShapeJson | undefined) {
		seen.add(current.id);
		if (current.parentId?.startsWith('page:')) return current.parentId;
	}
	return null;
}

export function currentShape(records: MapDraft, id: string): ShapeJson {
	const shape = records.get(id) as ShapeJson | undefined;
	if (!shape) throw new CanvasToolError(`The shape ${id} was deleted meanwhile; read the canvas again.`);
	return shape;
}

export function change(kind: StoredRunChange['kind'], summary: string, before: Record<string, unknown>, after: Record<string, unknown>): StoredRunChange {
	return { id: randomUUID(), kind, recordIds: Object.keys({ ...before, ...after }), summary, state: 'pending', before, after };
}

/** A shape as a summary names it: its label in quotes, or what it is. */
export function nameOf(graph: CanvasGraph, shape: ShapeJson): string {
	const label = labelOfShape(graph, shape.id);
	if (label) return `'${shortLabel(label)}'`;
	return shape.type === 'arrow' ? 'an arrow' : `a ${shape.type === 'geo' ? String(shape.props.geo) : shape.type}`;
}

export function centreOf(graph: CanvasGraph, id: string | undefined): { x: number; y: number } {
	const shape = id ? shapeBounds(graph).get(id) : undefined;
	return shape ? { x: shape.x + shape.w / 2, y: shape.y + shape.h / 2 } : { x: 0, y: 0 };
}

/** Every box of the page a new diagram must keep clear of. */
export function occupiedBoxes(graph: CanvasGraph): Box[] {
	return [...shapeBounds(graph).values()].filter((shape) => shape.w > 0 || shape.h > 0);
}

export function checkCount(count: number, what: string): void {
	if (count === 0) throw new CanvasToolError(`Give at least one entry in ${what}.`);
	if (count > MAX_SHAPES_PER_CALL) throw new CanvasToolError(`Too many ${what} (${count}): at most ${MAX_SHAPES_PER_CALL} in one call.`);
}

export function boundsOf(boxes: Box[]): Box {
	const x = Math.min(...boxes.map((box) => box.x));
	const y = Math.min(...boxes.map((box) => box.y));
	return { x, y, w: Math.max(...boxes.map((box) => box.x + box.w)) - x, h: Math.max(...boxes.map((box) => box.y + box.h)) - y };
}

export function plural(count: number, noun: string): string {
	return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
