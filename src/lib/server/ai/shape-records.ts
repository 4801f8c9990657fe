// tldraw 5 records the assistant writes, built without an editor: labelled geo boxes in a kind's
// style, arrows with a binding at each end (so they follow the boxes), and the fractional indexes
// that stack new shapes above what a page holds. Every record passes the schema's validators.
import { createBindingId, createShapeId, toRichText } from '@tldraw/tlschema';
import { getIndicesAbove, getIndicesBetween, type IndexKey } from '@tldraw/utils';
import type { MapDraft } from '../collaboration-control.ts';
import type { Box } from './diagram-layout.ts';
import { styleOf, type NodeKind } from '../../diagram/node-kinds.ts';

export type JsonRecord = Record<string, unknown> & { id: string; typeName: string };
export type ShapeJson = JsonRecord & {
	type: string;
	x: number;
	y: number;
	rotation: number;
	index: string;
	parentId: string;
	props: Record<string, unknown>;
	meta: Record<string, unknown>;
};
export type BindingJson = JsonRecord & { type: string; fromId: string; toId: string; props: Record<string, unknown>; meta: Record<string, unknown> };

/** Label text the assistant writes as tldraw rich text (one paragraph per line). */
export const richTextOf = (label: string) => toRichText(label);

export function newShapeId(): string {
	return createShapeId();
}

/** A labelled box of `kind` at `box` (page coordinates) on `pageId`. */
export function nodeShape(options: {
	id: string;
	pageId: string;
	index: string;
	box: Box;
	label: string;
	kind: NodeKind;
	technology?: string;
	runId: string;
}): ShapeJson {
	const style = styleOf(options.kind);
	return {
		id: options.id,
		typeName: 'shape',
		type: 'geo',
		x: options.box.x,
		y: options.box.y,
		rotation: 0,
		index: options.index,
		parentId: options.pageId,
		isLocked: false,
		opacity: 1,
		meta: { kind: options.kind, ...(options.technology ? { technology: options.technology } : {}), createdByRun: options.runId },
		props: {
			geo: style.geo,
			dash: style.dash,
			url: '',
			w: options.box.w,
			h: options.box.h,
			growY: 0,
			scale: 1,
			flipX: false,
			flipY: false,
			labelColor: 'black',
			color: style.color,
			fill: style.fill,
			size: 'm',
			font: 'sans',
			align: 'middle',
			verticalAlign: 'middle',
			richText: richTextOf(options.label)
		}
	};
}

/**
 * An arrow from box `from` to box `to` with its two bindings. Bound arrows are drawn by tldraw
 * from their bindings (centre anchors, stopping at the edges); `start`/`end` are set to the same
 * edge points so the record also reads right on its own.
 */
export function arrowRecords(options: {
	placement: ArrowPlacement;
	from: { id: string; box: Box };
	to: { id: string; box: Box };
	label?: string;
	/** The run that draws it (its `meta.createdByRun`); other writers give `meta` instead. */
	runId?: string;
	meta?: Record<string, unknown>;
	/** Fixed ids for the arrow and its two bindings (a writer that draws the same arrow again); fresh ones otherwise. */
	ids?: { arrow: string; start: string; end: string };
	/** Page coordinates to the coordinates of the arrow's parent (identity on the page). */
	toParentSpace?: (point: { x: number; y: number }) => { x: number; y: number };
}): { arrow: ShapeJson; bindings: [BindingJson, BindingJson] } {
	const local = options.toParentSpace ?? ((point: { x: number; y: number }) => point);
	const edge = edgePoints(options.from.box, options.to.box);
	const start = local(edge.start);
	const end = local(edge.end);
	const arrowId = options.ids?.arrow ?? createShapeId();
	const meta = options.meta ?? { createdByRun: options.runId };
	const arrow: ShapeJson = {
		id: arrowId,
		typeName: 'shape',
		type: 'arrow',
		x: start.x,
		y: start.y,
		rotation: 0,
		index: options.placement.index,
		parentId: options.placement.parentId,
		isLocked: false,
		opacity: 1,
		meta,
		props: {
			kind: 'arc',
			labelColor: 'black',
			color: 'black',
			fill: 'none',
			dash: 'solid',
			size: 'm',
			arrowheadStart: 'none',
			arrowheadEnd: 'arrow',
			font: 'sans',
			start: { x: 0, y: 0 },
			// A zero-length arrow has no direction; tldraw redraws it from the bindings anyway.
			end: end.x === start.x && end.y === start.y ? { x: 1, y: 0 } : { x: end.x - start.x, y: end.y - start.y },
			bend: 0,
			richText: richTextOf(options.label ?? ''),
			labelPosition: 0.5,
			scale: 1,
			elbowMidPoint: 0.5
		}
	};
	const binding = (terminal: 'start' | 'end', toId: string): BindingJson => ({
		id: options.ids?.[terminal] ?? createBindingId(),
		typeName: 'binding',
		type: 'arrow',
		fromId: arrowId,
		toId,
		meta,
		props: { terminal, normalizedAnchor: { x: 0.5, y: 0.5 }, isExact: false, isPrecise: false, snap: 'none' }
	});
	return { arrow, bindings: [binding('start', options.from.id), binding('end', options.to.id)] };
}

/** Where the line between two boxes' centres leaves the first and enters the second. */
function edgePoints(from: Box, to: Box): { start: { x: number; y: number }; end: { x: number; y: number } } {
	const a = { x: from.x + from.w / 2, y: from.y + from.h / 2 };
	const b = { x: to.x + to.w / 2, y: to.y + to.h / 2 };
	const exit = (box: Box, centre: { x: number; y: number }, toward: { x: number; y: number }) => {
		const dx = toward.x - centre.x;
		const dy = toward.y - centre.y;
		if (dx === 0 && dy === 0) return centre;
		const t = Math.min(dx === 0 ? Infinity : box.w / 2 / Math.abs(dx), dy === 0 ? Infinity : box.h / 2 / Math.abs(dy), 1);
		return { x: Math.round(centre.x + dx * t), y: Math.round(centre.y + dy * t) };
	};
	return { start: exit(from, a, b), end: exit(to, b, a) };
}

export interface ArrowPlacement {
	parentId: string;
	index: string;
}

/**
 * Where tldraw keeps an arrow bound to two shapes, so a browser receiving it has nothing to fix
 * (it would move it, and the record would no longer be what the run left): in the shapes' common
 * ancestor (else the page), stacked just above the higher of the two (or of their ancestors there),
 * below the next shape. One placement per pair, in order; pairs stacking on one shape get distinct indexes.
 */
export function placeArrows(records: MapDraft, pageId: string, pairs: { from: string; to: string }[]): ArrowPlacement[] {
	const shape = (id: string) => records.get(id) as ShapeJson | undefined;
	const ancestors = (id: string): string[] => {
		const chain: string[] = [];
		for (let current = shape(shape(id)?.parentId ?? ''); current && !chain.includes(current.id); current = shape(current.parentId)) chain.push(current.id);
		return chain;
	};
	const nearestIn = (parentId: string, id: string): ShapeJson | undefined => {
		for (let current = shape(id), hops = 0; current && hops < 64; current = shape(current.parentId), hops++) if (current.parentId === parentId) return current;
		return undefined;
	};
	const wanted = pairs.map(({ from, to }) => {
		const toAncestors = new Set(ancestors(to));
		const parentId = ancestors(from).find((id) => toAncestors.has(id)) ?? pageId;
		const below = [nearestIn(parentId, from), nearestIn(parentId, to)].filter((sibling): sibling is ShapeJson => !!sibling).map((sibling) => sibling.index);
		return { parentId, below: below.length > 0 ? below.reduce((a, b) => (a > b ? a : b)) : null };
	});
	// Arrows stacking on the same shape share the gap above it.
	const groups = new Map<string, number[]>();
	wanted.forEach((want, position) => {
		const key = `${want.parentId} ${want.below ?? ''}`;
		groups.set(key, [...(groups.get(key) ?? []), position]);
	});
	const placements: ArrowPlacement[] = new Array(pairs.length);
	for (const positions of groups.values()) {
		const { parentId, below } = wanted[positions[0]];
		const siblingIndexes = records
			.keys()
			.filter((key) => key.startsWith('shape:'))
			.map((key) => shape(key)!)
			.filter((sibling) => sibling.parentId === parentId && typeof sibling.index === 'string')
			.map((sibling) => sibling.index);
		const above = below === null ? null : siblingIndexes.filter((index) => index > below).reduce<string | null>((a, b) => (a === null || b < a ? b : a), null);
		const indexes = below === null ? indexesAbove(records, parentId, positions.length) : getIndicesBetween(below as IndexKey, above as IndexKey | null, positions.length);
		positions.forEach((position, i) => (placements[position] = { parentId, index: indexes[i] }));
	}
	return placements;
}

/** `count` fresh indexes above every shape directly on `pageId`, in order. */
export function indexesAbove(records: MapDraft, pageId: string, count: number): string[] {
	let top: string | null = null;
	for (const key of records.keys()) {
		if (!key.startsWith('shape:')) continue;
		const shape = records.get(key) as ShapeJson | undefined;
		if (shape?.parentId === pageId && typeof shape.index === 'string' && (top === null || shape.index > top)) top = shape.index;
	}
	return getIndicesAbove(top as IndexKey | null, count);
}

/** A label as a summary quotes it: one line, at most 40 characters. */
export function shortLabel(label: string): string {
	const line = label.replace(/\s+/g, ' ').trim();
	return line.length > 40 ? `${line.slice(0, 39)}…` : line;
}
