// The tools that change shapes already on the canvas: relabel, move, restyle, delete (with what would
// dangle) and connect. Each call is one transaction; each logical change is recorded for review.
import { labelOfShape, shapeBounds } from '../../diagram/graph-queries.ts';
import type { MapDraft } from '../collaboration-control.ts';
import type { StoredRunChange } from '../db/schema.ts';
import { pageToParentSpace } from '../../diagram/shape-geometry.ts';
import { plainTextOf } from '../../diagram/rich-text.ts';
import { nodeSizeFor } from './diagram-layout.ts';
import { normalizeKind, styleOf } from '../../diagram/node-kinds.ts';
import { arrowRecords, placeArrows, richTextOf, shortLabel, type BindingJson, type ShapeJson } from './shape-records.ts';
import { CanvasToolError, centreOf, change, checkCount, currentShape, nameOf, pageGraph, plural, requireShape, type ToolSession } from './tool-session.ts';

export async function updateShapes(session: ToolSession, updates: { id: string; label: string }[]) {
	checkCount(updates.length, 'updates');
	const records = await session.readRecords();
	const graph = pageGraph(session, records);
	const targets = updates.map((update) => ({ ...update, id: requireShape(update.id, records, session.pageId) }));
	const changes: StoredRunChange[] = [];
	await session.transact((draft) => {
		for (const target of targets) {
			const before = currentShape(draft.records, target.id);
			const next = structuredClone(before);
			if ('richText' in next.props) next.props.richText = richTextOf(target.label);
			else if (next.type === 'frame') next.props.name = target.label;
			else throw new CanvasToolError(`The shape ${target.id} (${next.type}) has no label to change.`);
			draft.records.set(target.id, next);
			const summary = labelOfShape(graph, target.id)
				? `relabelled ${nameOf(graph, before)} to '${shortLabel(target.label)}'`
				: `labelled ${nameOf(graph, before)} '${shortLabel(target.label)}'`;
			changes.push(change('updated', summary, { [target.id]: before }, { [target.id]: next }));
		}
	});
	session.moveCursor(centreOf(graph, targets[targets.length - 1]?.id));
	changes.forEach((recorded) => session.recordChange(recorded));
	return { ok: true, relabelled: targets.map((target) => target.id) };
}

export async function moveShapes(session: ToolSession, moves: { id: string; x?: number; y?: number; dx?: number; dy?: number }[]) {
	checkCount(moves.length, 'moves');
	const records = await session.readRecords();
	const graph = pageGraph(session, records);
	const bounds = shapeBounds(graph);
	// One move per shape: a later entry for the same shape wins.
	const lastMoves = [...new Map(moves.map((move) => [move.id.startsWith('shape:') ? move.id : `shape:${move.id}`, move])).values()];
	const targets = lastMoves.map((move) => {
		const id = requireShape(move.id, records, session.pageId);
		const shape = records[id] as ShapeJson;
		if (shape.type === 'arrow') throw new CanvasToolError(`${id} is an arrow: arrows follow the boxes they connect, move those instead.`);
		const from = bounds.get(id) ?? { x: shape.x, y: shape.y, w: 0, h: 0 };
		if (move.x === undefined && move.y === undefined && move.dx === undefined && move.dy === undefined)
			throw new CanvasToolError(`Say where to move ${id}: x and y, or dx and dy.`);
		const dx = move.x !== undefined ? move.x - from.x : (move.dx ?? 0);
		const dy = move.y !== undefined ? move.y - from.y : (move.dy ?? 0);
		return { id, dx, dy, to: { x: from.x + dx, y: from.y + dy, w: from.w, h: from.h } };
	});
	const before: Record<string, unknown> = {};
	const after: Record<string, unknown> = {};
	await session.transact((draft) => {
		for (const target of targets) {
			const shape = currentShape(draft.records, target.id);
			const next = structuredClone(shape);
			// A shape in a rotated frame or group moves in its parent's coordinates.
			const rotation = parentRotation(draft.records, shape);
			next.x = shape.x + Math.cos(-rotation) * target.dx - Math.sin(-rotation) * target.dy;
			next.y = shape.y + Math.sin(-rotation) * target.dx + Math.cos(-rotation) * target.dy;
			before[target.id] = shape;
			after[target.id] = next;
			draft.records.set(target.id, next);
		}
	});
	const last = targets[targets.length - 1].to;
	session.moveCursor({ x: last.x + last.w / 2, y: last.y + last.h / 2 });
	const ids = Object.keys(after);
	const summary = ids.length === 1 ? `moved ${nameOf(graph, before[ids[0]] as ShapeJson)}` : `moved ${plural(ids.length, 'shape')}`;
	session.recordChange(change('updated', summary, before, after));
	return { ok: true, moved: targets.map((target) => ({ id: target.id, x: Math.round(target.to.x), y: Math.round(target.to.y) })) };
}

export async function restyleShapes(session: ToolSession, requests: { id: string; kind?: string; color?: string; fill?: string; dash?: string }[]) {
	checkCount(requests.length, 'changes');
	const records = await session.readRecords();
	const graph = pageGraph(session, records);
	const targets = requests.map((request) => ({ ...request, id: requireShape(request.id, records, session.pageId) }));
	const changes: StoredRunChange[] = [];
	await session.transact((draft) => {
		for (const target of targets) {
			const before = currentShape(draft.records, target.id);
			const next = structuredClone(before);
			const said: string[] = [];
			if (target.kind !== undefined) {
				if (next.type !== 'geo') throw new CanvasToolError(`${target.id} is a ${next.type}, not a box: only boxes take a kind.`);
				const kind = normalizeKind(target.kind);
				const style = styleOf(kind);
				// Some geos hold less text than a rectangle of the same size: grow the box so the label still fits.
				const room = nodeSizeFor(plainTextOf(next.props.richText), style.geo);
				Object.assign(next.props, style, { w: Math.max(Number(next.props.w), room.w), h: Math.max(Number(next.props.h), room.h) });
				next.meta = { ...next.meta, kind };
				said.push(`as ${kind}`);
			}
			for (const [prop, value] of [
				['color', target.color],
				['fill', target.fill],
				['dash', target.dash]
			] as const) {
				if (value === undefined) continue;
				if (!(prop in next.props)) throw new CanvasToolError(`${target.id} (${next.type}) has no ${prop}.`);
				next.props[prop] = value;
				said.push(prop === 'color' ? value : `${prop} ${value}`);
			}
			if (said.length === 0) throw new CanvasToolError(`Say how to restyle ${target.id}: a kind, colour, fill or dash.`);
			draft.records.set(target.id, next);
			changes.push(change('updated', `restyled ${nameOf(graph, before)} ${said.join(', ')}`, { [target.id]: before }, { [target.id]: next }));
		}
	});
	session.moveCursor(centreOf(graph, targets[targets.length - 1]?.id));
	changes.forEach((recorded) => session.recordChange(recorded));
	return { ok: true, restyled: targets.map((target) => target.id) };
}

export async function deleteShapes(session: ToolSession, ids: string[]) {
	checkCount(ids.length, 'ids');
	const records = await session.readRecords();
	const graph = pageGraph(session, records);
	const targets = [...new Set(ids.map((id) => requireShape(id, records, session.pageId)))];
	const changes: StoredRunChange[] = [];
	let removed = 0;
	await session.transact((draft) => {
		const taken = new Set<string>();
		for (const target of targets) {
			if (taken.has(target)) continue;
			const doomed = doomedBy(draft.records, target).filter((id) => !taken.has(id));
			const before: Record<string, unknown> = {};
			for (const id of doomed) {
				taken.add(id);
				before[id] = draft.records.get(id);
				draft.records.delete(id);
			}
			removed += doomed.length;
			const arrows = doomed.filter((id) => id !== target && (before[id] as ShapeJson).typeName === 'shape' && (before[id] as ShapeJson).type === 'arrow').length;
			const summary = `deleted ${nameOf(graph, before[target] as ShapeJson)}${arrows > 0 ? ` and ${plural(arrows, 'arrow')}` : ''}`;
			changes.push(change('deleted', summary, before, Object.fromEntries(doomed.map((id) => [id, null]))));
		}
	});
	session.moveCursor(centreOf(graph, targets[targets.length - 1]));
	changes.forEach((recorded) => session.recordChange(recorded));
	return { ok: true, deleted: targets, removedRecords: removed };
}

export async function connectShapes(session: ToolSession, connections: { from: string; to: string; label?: string }[]) {
	checkCount(connections.length, 'connections');
	const records = await session.readRecords();
	const graph = pageGraph(session, records);
	const boxes = shapeBounds(graph);
	const targets = connections.map((connection) => {
		const from = requireShape(connection.from, records, session.pageId);
		const to = requireShape(connection.to, records, session.pageId);
		for (const id of [from, to]) {
			if ((records[id] as ShapeJson).type === 'arrow') throw new CanvasToolError(`${id} is an arrow; connect boxes, not arrows.`);
		}
		if (from === to) throw new CanvasToolError(`An arrow can't start and end at the same shape (${from}).`);
		return { from, to, label: connection.label };
	});
	const changes: StoredRunChange[] = [];
	const arrowIds: string[] = [];
	await session.transact((draft) => {
		for (const id of targets.flatMap((target) => [target.from, target.to])) {
			if (!draft.records.has(id)) throw new CanvasToolError(`The shape ${id} was deleted meanwhile; read the canvas again.`);
		}
		const placements = placeArrows(draft.records, session.pageId, targets);
		targets.forEach((target, position) => {
			const { arrow, bindings } = arrowRecords({
				placement: placements[position],
				toParentSpace: pageToParentSpace(records, placements[position].parentId),
				from: { id: target.from, box: boxes.get(target.from)! },
				to: { id: target.to, box: boxes.get(target.to)! },
				label: target.label,
				runId: session.runId
			});
			const created = [arrow, ...bindings];
			for (const record of created) draft.records.set(record.id, record);
			arrowIds.push(arrow.id);
			const summary = `connected ${nameOf(graph, records[target.from] as ShapeJson)} to ${nameOf(graph, records[target.to] as ShapeJson)}`;
			changes.push(
				change('created', summary, Object.fromEntries(created.map((record) => [record.id, null])), Object.fromEntries(created.map((record) => [record.id, record])))
			);
		});
	});
	session.moveCursor(centreOf(graph, targets[targets.length - 1]?.to));
	changes.forEach((recorded) => session.recordChange(recorded));
	return { ok: true, arrows: arrowIds };
}

/** The sum of the rotations of a shape's parents (frames, groups). */
function parentRotation(records: MapDraft, shape: ShapeJson): number {
	let rotation = 0;
	const seen = new Set<string>();
	for (
		let parent = records.get(shape.parentId) as ShapeJson | undefined;
		parent && parent.typeName === 'shape' && !seen.has(parent.id);
		parent = records.get(parent.parentId) as ShapeJson | undefined
	) {
		seen.add(parent.id);
		rotation += parent.rotation ?? 0;
	}
	return rotation;
}

/**
 * What deleting `shapeId` removes: the shape, what it contains (frames, groups), the arrows bound to
 * any of those (they would dangle) and every binding of the removed shapes.
 */
function doomedBy(records: MapDraft, shapeId: string): string[] {
	const keys = records.keys();
	const shapes = new Set<string>([shapeId]);
	for (let grew = true; grew;) {
		grew = false;
		for (const key of keys) {
			if (shapes.has(key) || !key.startsWith('shape:')) continue;
			if (shapes.has((records.get(key) as ShapeJson).parentId)) {
				shapes.add(key);
				grew = true;
			}
		}
	}
	const bindings = keys.filter((key) => key.startsWith('binding:')).map((key) => records.get(key) as BindingJson);
	for (const binding of bindings) {
		if (binding.type === 'arrow' && shapes.has(binding.toId) && records.has(binding.fromId)) shapes.add(binding.fromId);
	}
	const doomedBindings = bindings.filter((binding) => shapes.has(binding.fromId) || shapes.has(binding.toId)).map((binding) => binding.id);
	return [...shapes, ...doomedBindings];
}
