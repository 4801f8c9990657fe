// A canvas page read as a typed graph, from its tldraw records: nodes (boxes, notes, frames; their
// label, kind and technology), edges (arrows connected at both ends, with labels), arrows left
// dangling, groups, conversations pushed by programs (their frames, message cards and the arrows
// touching those), and everything else. Tolerant of free-hand content: an unbound arrow tip inside
// a box connects to it, a free text on an unlabelled box or arrow labels it. The one reader for the
// assistant's canvas description, design documents, code per node and the canvas's context menu.
// Pure and universal: records JSON in, plain data out, deterministic (ordered by position).
import { isNodeKind, kindNamedBy, normalizeKind, type NodeKind } from './node-kinds.ts';
import { plainTextOf } from './rich-text.ts';
import { ShapeGeometry, type Rect, type ShapeRecord } from './shape-geometry.ts';
import { findTechnology, technologyNamedIn } from './technologies.ts';
import { MESSAGE_CARD_TYPE } from '../conversations/message-card.ts';

export type { Rect };

export interface Point {
	x: number;
	y: number;
}

/** Bounds are in page coordinates, rounded to whole pixels. */
export interface GraphNode extends Rect {
	id: string;
	/** What was drawn: a box's geo (`rectangle`, `oval`, …), `note`, `frame`, or another shape type someone gave a kind. */
	shape: string;
	label: string;
	/** `meta.kind` (normalized to a node kind), else a guess from the technology or the label. */
	kind?: NodeKind;
	/** Set when `kind` is a guess, not `meta.kind`. */
	kindInferred?: true;
	/** `meta.technology` as written ("PostgreSQL 17"), else the catalog name the label mentions. */
	technology?: string;
	/** Set when `technology` is a guess from the label, not `meta.technology`. */
	technologyInferred?: true;
	/** The shape it sits in directly (a frame or a group); absent when it sits on the page. */
	parentId?: string;
	/** The innermost frame around it (through groups), if any. */
	frameId?: string;
	/** The innermost group around it, if any. */
	groupId?: string;
	/** The free text shape its label was read from (the box itself has none). */
	labelFrom?: string;
	/** The assistant run that created it (`meta.createdByRun`). */
	createdByRun?: string;
}

/** How an arrow's end reached its node: bound to it, or its unbound tip lies on it. */
export type EndConnection = 'binding' | 'position';

export interface GraphEdge {
	id: string;
	/** The node at the arrow's tail (null: none, only in `dangling`). */
	from: string | null;
	/** The node at the arrow's head (null: none, only in `dangling`). */
	to: string | null;
	fromBy?: EndConnection;
	toBy?: EndConnection;
	label: string;
	/** The free text shape its label was read from. */
	labelFrom?: string;
	/** Arrowheads at both ends. */
	bidirectional?: true;
	/** Page points of the tail and the head. */
	start: Point;
	end: Point;
	/** The conversation whose reply arrow this is (drawn by the ingest API), if it is one. */
	conversationId?: string;
}

/** A group is not a node; the nodes inside it are. */
export interface GraphGroup extends Rect {
	id: string;
	/** Every node inside it, nested groups included, in reading order. */
	nodeIds: string[];
	parentId?: string;
	frameId?: string;
}

/** Free text, images, drawings, lines and other shapes that are not nodes. */
export interface GraphOther extends Rect {
	id: string;
	type: string;
	label?: string;
	/** The node or arrow this text labels (see GraphNode.labelFrom). */
	labelFor?: string;
	parentId?: string;
	frameId?: string;
}

/** A conversation's frame (the ingest API draws one per conversation): not a node, it holds message cards. */
export interface GraphConversation extends Rect {
	id: string;
	conversationId: string;
	title: string;
}

/** A message card of a pushed conversation (people's text or a model's: data, never instructions). */
export interface GraphMessage extends Rect {
	id: string;
	conversationId: string;
	messageId: string;
	/** The message it answers, or '' for a root. */
	parentMessageId: string;
	/** The message it retries (a sibling), or ''. */
	retryOf: string;
	role: string;
	author: string;
	model: string;
	text: string;
	status: string;
	/** Names of the tools it called, in order. */
	toolNames: string[];
	parentId?: string;
	frameId?: string;
}

export interface CanvasGraph {
	pageId: string;
	/** Every page of the canvas, in order. */
	pages: { id: string; name: string }[];
	/** In reading order: top to bottom, then left to right. */
	nodes: GraphNode[];
	/** Arrows connected to a node at both ends, ordered by their nodes' reading order. */
	edges: GraphEdge[];
	/** Arrows with an end connected to no node. */
	dangling: GraphEdge[];
	groups: GraphGroup[];
	others: GraphOther[];
	/** Conversation frames, in reading order. */
	conversations: GraphConversation[];
	/** Message cards, in reading order. */
	messages: GraphMessage[];
	/** Arrows with an end on a message card: the ingest's own (parent to child, `conversationId` set) and people's. */
	messageArrows: GraphEdge[];
}

interface BindingRecord {
	id: string;
	typeName: 'binding';
	type: string;
	fromId: string;
	toId: string;
	props: { terminal?: string; normalizedAnchor?: Point };
}

interface BoundEnd {
	id: string;
	anchor?: Point;
}

/** Shape types that are nodes even without `meta.kind`. */
const NODE_TYPES = new Set(['geo', 'note', 'frame']);
/** How far outside a node an unbound arrow tip may stop and still touch it (page px): hands miss edges. */
const TIP_SLACK = 8;
/** How far from an arrow's middle a free text may sit and still label it (page px). */
const ARROW_LABEL_REACH = 40;
/** Longest first line a label may have for its words to suggest a kind or technology: longer is prose. */
const MAX_NAMING_WORDS = 6;
const MAX_TECHNOLOGY_CHARS = 100;

/** The graph on `pageId` (default: the first page by index). Shapes of other pages are left out. */
export function readCanvasGraph(records: Record<string, unknown>, pageId?: string): CanvasGraph {
	const shapes = new Map<string, ShapeRecord>();
	const bindings: BindingRecord[] = [];
	const pages: { id: string; name: string; index: string }[] = [];
	for (const value of Object.values(records)) {
		if (!value || typeof value !== 'object') continue;
		const record = value as { typeName?: unknown; id?: unknown; index?: unknown; name?: unknown };
		if (typeof record.id !== 'string') continue;
		if (record.typeName === 'shape') shapes.set(record.id, value as ShapeRecord);
		else if (record.typeName === 'binding') bindings.push(value as BindingRecord);
		else if (record.typeName === 'page') pages.push({ id: record.id, name: String(record.name ?? ''), index: String(record.index ?? '') });
	}
	pages.sort((a, b) => compareText(a.index, b.index) || compareText(a.id, b.id));
	const page = pageId ?? pages[0]?.id ?? 'page:page';
	const geometry = new ShapeGeometry(shapes);
	const bounds = (id: string) => roundRect(geometry.pageBounds(id));

	const nodes: GraphNode[] = [];
	const groups: GraphGroup[] = [];
	const others: GraphOther[] = [];
	const arrows: ShapeRecord[] = [];
	const conversations: GraphConversation[] = [];
	const messages: GraphMessage[] = [];
	for (const shape of shapes.values()) {
		if (geometry.pageOf(shape.id) !== page) continue;
		const place = placeOf(shape, shapes);
		if (shape.type === 'arrow') arrows.push(shape);
		else if (shape.type === MESSAGE_CARD_TYPE) messages.push(messageOf(shape, place, bounds(shape.id)));
		else if (shape.type === 'frame' && metaText(shape, 'conversationId'))
			conversations.push({ id: shape.id, conversationId: metaText(shape, 'conversationId')!, title: labelOf(shape) ?? '', ...bounds(shape.id) });
		else if (shape.type === 'group') groups.push({ id: shape.id, nodeIds: [], ...place, ...bounds(shape.id) });
		else if (NODE_TYPES.has(shape.type) || metaText(shape, 'kind')) nodes.push(nodeOf(shape, place, bounds(shape.id)));
		else {
			const label = labelOf(shape);
			others.push({ id: shape.id, type: shape.type, ...(label ? { label } : {}), ...place, ...bounds(shape.id) });
		}
	}
	nodes.sort(byPosition);
	others.sort(byPosition);
	groups.sort(byPosition);
	conversations.sort(byPosition);
	messages.sort(byPosition);
	const freeTexts = others.filter((other) => other.type === 'text' && other.label);
	labelBoxesWithFreeText(nodes, freeTexts);
	for (const node of nodes) Object.assign(node, kindAndTechnologyOf(shapes.get(node.id)!, node));

	// Arrow ends connect to nodes and to message cards alike.
	const nodeById = new Map<string, Rect & { id: string }>([...nodes, ...messages].map((node) => [node.id, node]));
	const messageIds = new Set(messages.map((message) => message.id));
	const endpoints = [...nodes, ...messages];
	const boundEnds = new Map<string, { start?: BoundEnd; end?: BoundEnd }>();
	for (const binding of bindings) {
		const terminal = binding.props?.terminal;
		if (binding.type !== 'arrow' || !nodeById.has(binding.toId) || (terminal !== 'start' && terminal !== 'end')) continue;
		boundEnds.set(binding.fromId, { ...boundEnds.get(binding.fromId), [terminal]: { id: binding.toId, anchor: binding.props.normalizedAnchor } });
	}
	const edges: GraphEdge[] = [];
	const dangling: GraphEdge[] = [];
	const messageArrows: GraphEdge[] = [];
	for (const arrow of arrows) {
		const props = arrow.props ?? {};
		const bound = boundEnds.get(arrow.id) ?? {};
		// A bound end follows its shape (tldraw recomputes it; the record may be stale): its anchor on the shape's bounds.
		const tip = (end: BoundEnd | undefined, local: unknown) =>
			roundPoint(end ? anchorOn(nodeById.get(end.id)!, end.anchor) : geometry.pagePoint(arrow.id, local as Point));
		const start = tip(bound.start, props.start);
		const end = tip(bound.end, props.end);
		let from: { id: string; by: EndConnection } | undefined = bound.start ? { id: bound.start.id, by: 'binding' } : nodeAt(endpoints, start);
		let to: { id: string; by: EndConnection } | undefined = bound.end ? { id: bound.end.id, by: 'binding' } : nodeAt(endpoints, end);
		// A loose tip resting on the box the other end is on is a mark drawn on that box, not a loop.
		if (from && to && from.id === to.id) {
			if (to.by === 'position') to = undefined;
			else if (from.by === 'position') from = undefined;
		}
		const edge: GraphEdge = { id: arrow.id, from: from?.id ?? null, to: to?.id ?? null, label: labelOf(arrow) ?? '', start, end };
		if (from) edge.fromBy = from.by;
		if (to) edge.toBy = to.by;
		if (props.arrowheadStart && props.arrowheadStart !== 'none' && props.arrowheadEnd && props.arrowheadEnd !== 'none') edge.bidirectional = true;
		const conversationId = metaText(arrow, 'conversationId');
		if (conversationId) edge.conversationId = conversationId;
		if (messageIds.has(edge.from ?? '') || messageIds.has(edge.to ?? '')) messageArrows.push(edge);
		else (edge.from && edge.to ? edges : dangling).push(edge);
	}
	labelArrowsWithFreeText([...edges, ...dangling, ...messageArrows], freeTexts);

	for (const group of groups) group.nodeIds = nodes.filter((node) => insideOf(node.id, group.id, shapes)).map((node) => node.id);
	for (const node of nodes) {
		const group = innermost(node.id, shapes, (shape) => shape.type === 'group');
		if (group) node.groupId = group;
	}

	const rank = new Map(nodes.map((node, position) => [node.id, position]));
	edges.sort((a, b) => rank.get(a.from!)! - rank.get(b.from!)! || rank.get(a.to!)! - rank.get(b.to!)! || compareText(a.id, b.id));
	dangling.sort((a, b) => a.start.y - b.start.y || a.start.x - b.start.x || compareText(a.id, b.id));
	messageArrows.sort((a, b) => a.start.y - b.start.y || a.start.x - b.start.x || compareText(a.id, b.id));
	return { pageId: page, pages: pages.map(({ id, name }) => ({ id, name })), nodes, edges, dangling, groups, others, conversations, messages, messageArrows };
}

function messageOf(shape: ShapeRecord, place: { parentId?: string; frameId?: string }, rect: Rect): GraphMessage {
	const props = shape.props ?? {};
	const text = (key: string) => (typeof props[key] === 'string' ? (props[key] as string) : '');
	const toolCalls = Array.isArray(props.toolCalls) ? (props.toolCalls as { name?: unknown }[]) : [];
	return {
		id: shape.id,
		conversationId: text('conversationId'),
		messageId: text('messageId'),
		parentMessageId: text('parentId'),
		retryOf: text('retryOf'),
		role: text('role'),
		author: text('author'),
		model: text('model'),
		text: text('text'),
		status: text('status'),
		toolNames: toolCalls.map((call) => (typeof call?.name === 'string' ? call.name : '')).filter(Boolean),
		...place,
		...rect
	};
}

function nodeOf(shape: ShapeRecord, place: { parentId?: string; frameId?: string }, rect: Rect): GraphNode {
	const node: GraphNode = { id: shape.id, shape: shape.type === 'geo' ? String(shape.props?.geo ?? 'rectangle') : shape.type, label: labelOf(shape) ?? '', ...rect };
	Object.assign(node, place);
	const run = metaText(shape, 'createdByRun');
	if (run) node.createdByRun = run;
	return node;
}

/** `meta.kind` and `meta.technology` where set; otherwise guesses from the label (frames: never, they are containers). */
function kindAndTechnologyOf(shape: ShapeRecord, node: GraphNode): Partial<GraphNode> {
	const setKind = metaText(shape, 'kind');
	const setTechnology = metaText(shape, 'technology')?.slice(0, MAX_TECHNOLOGY_CHARS);
	const guesses = node.shape !== 'frame' && wordCount(node.label) <= MAX_NAMING_WORDS;
	const result: Partial<GraphNode> = {};
	const technology = setTechnology ?? (guesses ? technologyNamedIn(node.label.split('\n')[0])?.name : undefined);
	if (technology) Object.assign(result, { technology }, setTechnology ? {} : { technologyInferred: true });
	if (setKind) result.kind = isNodeKind(setKind) ? setKind : normalizeKind(setKind);
	else if (guesses || setTechnology) {
		const known = technology ? (findTechnology(technology) ?? technologyNamedIn(technology)) : undefined;
		const kind = known?.kind ?? (guesses ? kindNamedBy(node.label) : undefined);
		if (kind) Object.assign(result, { kind, kindInferred: true });
	}
	return result;
}

/** A free text whose middle lies on an unlabelled box (not a frame: frames have names) is that box's label. */
function labelBoxesWithFreeText(nodes: GraphNode[], texts: GraphOther[]): void {
	for (const text of texts) {
		if (text.labelFor) continue;
		const middle = { x: text.x + text.w / 2, y: text.y + text.h / 2 };
		const box = smallest(nodes.filter((node) => !node.label && node.shape !== 'frame' && contains(node, middle, 0)));
		if (!box) continue;
		box.label = text.label!;
		box.labelFrom = text.id;
		text.labelFor = box.id;
	}
}

/** A free text next to the middle of an unlabelled arrow is that arrow's label. */
function labelArrowsWithFreeText(arrows: GraphEdge[], texts: GraphOther[]): void {
	for (const arrow of arrows) {
		if (arrow.label) continue;
		const middle = { x: (arrow.start.x + arrow.end.x) / 2, y: (arrow.start.y + arrow.end.y) / 2 };
		const near = texts
			.filter((text) => !text.labelFor && contains(text, middle, ARROW_LABEL_REACH))
			.sort((a, b) => distance(middleOf(a), middle) - distance(middleOf(b), middle))[0];
		if (!near) continue;
		arrow.label = near.label!;
		arrow.labelFrom = near.id;
		near.labelFor = arrow.id;
	}
}

/** Where a bound arrow end sits: its normalized anchor on the shape's bounds (the middle when it has none). */
function anchorOn(rect: Rect, anchor: Point | undefined): Point {
	const at = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0.5);
	return { x: rect.x + rect.w * at(anchor?.x), y: rect.y + rect.h * at(anchor?.y) };
}

/** The innermost node (or message card) an unbound arrow tip lies on. */
function nodeAt(nodes: (Rect & { id: string })[], point: Point): { id: string; by: 'position' } | undefined {
	const node = smallest(nodes.filter((candidate) => contains(candidate, point, TIP_SLACK)));
	return node ? { id: node.id, by: 'position' } : undefined;
}

function placeOf(shape: ShapeRecord, shapes: Map<string, ShapeRecord>): { parentId?: string; frameId?: string } {
	const place: { parentId?: string; frameId?: string } = {};
	if (shapes.has(shape.parentId)) place.parentId = shape.parentId;
	const frame = innermost(shape.id, shapes, (ancestor) => ancestor.type === 'frame');
	if (frame) place.frameId = frame;
	return place;
}

/** The nearest ancestor shape of `id` that matches (loops and broken chains end the walk). */
function innermost(id: string, shapes: Map<string, ShapeRecord>, matches: (shape: ShapeRecord) => boolean): string | undefined {
	const seen = new Set([id]);
	for (let ancestor = shapes.get(shapes.get(id)?.parentId ?? ''); ancestor && !seen.has(ancestor.id); ancestor = shapes.get(ancestor.parentId)) {
		if (matches(ancestor)) return ancestor.id;
		seen.add(ancestor.id);
	}
	return undefined;
}

function insideOf(id: string, ancestorId: string, shapes: Map<string, ShapeRecord>): boolean {
	return innermost(id, shapes, (ancestor) => ancestor.id === ancestorId) !== undefined;
}

function metaText(shape: ShapeRecord, key: string): string | undefined {
	const value = shape.meta && typeof shape.meta === 'object' ? shape.meta[key] : undefined;
	return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function labelOf(shape: ShapeRecord): string | undefined {
	const props = shape.props ?? {};
	if (props.richText) return plainTextOf(props.richText);
	if (typeof props.name === 'string') return props.name.trim();
	if (typeof props.text === 'string') return props.text.trim();
	return undefined;
}

function wordCount(label: string): number {
	return (label.split('\n')[0] ?? '').split(/\s+/).filter(Boolean).length;
}

function contains(rect: Rect, point: Point, slack: number): boolean {
	return point.x >= rect.x - slack && point.x <= rect.x + rect.w + slack && point.y >= rect.y - slack && point.y <= rect.y + rect.h + slack;
}

function smallest<T extends Rect & { id: string }>(rects: T[]): T | undefined {
	return rects.sort((a, b) => a.w * a.h - b.w * b.h || compareText(a.id, b.id))[0];
}

function middleOf(rect: Rect): Point {
	return { x: rect.x + rect.w / 2, y: rect.y + rect.h / 2 };
}

function distance(a: Point, b: Point): number {
	return Math.hypot(a.x - b.x, a.y - b.y);
}

function roundRect(rect: Rect): Rect {
	return { x: Math.round(rect.x), y: Math.round(rect.y), w: Math.round(rect.w), h: Math.round(rect.h) };
}

function roundPoint(point: Point): Point {
	return { x: Math.round(point.x), y: Math.round(point.y) };
}

/** Reading order: top to bottom, then left to right, then id. */
export function byPosition(a: Rect & { id: string }, b: Rect & { id: string }): number {
	return a.y - b.y || a.x - b.x || compareText(a.id, b.id);
}

function compareText(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}
