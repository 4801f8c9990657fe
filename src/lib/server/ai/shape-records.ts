// tldraw 5 records the assistant writes, built without an editor: labelled geo boxes in a kind's
// style, arrows with a binding at each end (so they follow the boxes), and the fractional indexes
// that stack new shapes above what a page holds. Every record passes the schema's validators.
import { createBindingId, createShapeId, toRichText } from '@tldraw/tlschema';
import { getIndicesAbove, type IndexKey } from '@tldraw/utils';
import type { MapDraft } from '../collaboration-control.ts';
import type { Box } from './diagram-layout.ts';
import { styleOf, type NodeKind } from './node-kinds.ts';

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
export function arrowRecords(options: { pageId: string; index: string; from: { id: string; box: Box }; to: { id: string; box: Box }; label?: string; runId: string }): {
	arrow: ShapeJson;
	bindings: [BindingJson, BindingJson];
} {
	const { start, end } = edgePoints(options.from.box, options.to.box);
	const arrowId = createShapeId();
	const meta = { createdByRun: options.runId };
	const arrow: ShapeJson = {
		id: arrowId,
		typeName: 'shape',
		type: 'arrow',
		x: start.x,
		y: start.y,
		rotation: 0,
		index: options.index,
		parentId: options.pageId,
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
		id: createBindingId(),
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
