// The graph reader: what the assistant, design documents, code per node and the context menu see of
// a canvas page, on canvases the assistant drew and canvases people drew by hand.
import type { ToolSet } from 'ai';
import { describe, expect, it } from 'vitest';
import { readCanvasGraph, type CanvasGraph } from '../../../src/lib/diagram/canvas-graph.ts';
import { connectionsOf, nodesInFrame, topologicalOrder } from '../../../src/lib/diagram/graph-queries.ts';
import { plainTextOf } from '../../../src/lib/diagram/rich-text.ts';
import { createCanvasTools } from '../../../src/lib/server/ai/canvas-tools.ts';
import { WEB_STACK } from '../../helpers/assistant-diagrams.ts';
import { MemoryCanvas, memorySession } from '../../helpers/canvas-draft.ts';
import { arrowBinding, arrowShape, frameShape, geoShape, groupShape, imageShape, noteShape, richText, textShape } from '../../helpers/tldraw-records.ts';

const RUN = '00000000-0000-4000-8000-0000000000aa';

async function assistantDrawnWebStack() {
	const canvas = MemoryCanvas.seeded();
	const { session } = memorySession(canvas, RUN);
	const tools = createCanvasTools(session) as ToolSet;
	const result = (await tools.draw_diagram.execute!(WEB_STACK, { toolCallId: 'call-1', messages: [], context: {} })) as { shapeIds: Record<string, string> };
	return { graph: readCanvasGraph(canvas.toJSON()), ids: result.shapeIds };
}

/** A box at (x, y), 120 × 80, labelled. */
function box(id: string, x: number, y: number, label: string, overrides: Record<string, unknown> = {}, props: Record<string, unknown> = {}) {
	return geoShape(id, { x, y, ...overrides }, { richText: richText(label), ...props });
}

/** An arrow from page point `from` to `to`, bound at the ends named. */
function arrowBetween(id: string, from: { x: number; y: number }, to: { x: number; y: number }, bound: { start?: string; end?: string } = {}, label = '') {
	const records: Record<string, unknown> = {
		[id]: arrowShape(id, { x: from.x, y: from.y }, { end: { x: to.x - from.x, y: to.y - from.y }, richText: richText(label) })
	};
	if (bound.start) records[`binding:${id.slice(6)}-start`] = arrowBinding(`binding:${id.slice(6)}-start`, id, bound.start, 'start');
	if (bound.end) records[`binding:${id.slice(6)}-end`] = arrowBinding(`binding:${id.slice(6)}-end`, id, bound.end, 'end');
	return records;
}

/** A canvas drawn by a person: written through the validated write path, so tldraw accepts every record. */
function handDrawn(records: Record<string, unknown>): CanvasGraph {
	return readCanvasGraph(MemoryCanvas.seeded(records).toJSON());
}

const ends = (graph: CanvasGraph) => graph.edges.map(({ id, from, to, label }) => ({ id, from, to, label }));

describe('readCanvasGraph on a diagram the assistant drew', () => {
	it('reads its kinds and technology from meta, its arrows bound at both ends, and the run that drew it', async () => {
		const { graph, ids } = await assistantDrawnWebStack();
		const byLabel = new Map(graph.nodes.map((node) => [node.label, node]));
		expect(byLabel.get('PostgreSQL')).toMatchObject({ id: ids.pg, shape: 'oval', kind: 'database', technology: 'PostgreSQL 17', createdByRun: RUN });
		// The model gave no technology for the cache; its label names one.
		expect(byLabel.get('Redis cache')).toMatchObject({ kind: 'cache', shape: 'hexagon', technology: 'Redis', technologyInferred: true });
		expect(byLabel.get('PostgreSQL')!.technologyInferred).toBeUndefined();
		for (const node of graph.nodes) expect(node.kindInferred).toBeUndefined();
		expect(graph.edges).toHaveLength(3);
		expect(graph.edges.every((edge) => edge.fromBy === 'binding' && edge.toBy === 'binding')).toBe(true);
		expect(graph.dangling).toEqual([]);
		expect(connectionsOf(graph, ids.api).incoming.map((connection) => [connection.node.label, connection.label])).toEqual([['Web app', 'HTTPS']]);
		expect(
			connectionsOf(graph, ids.api)
				.outgoing.map((connection) => connection.node.label)
				.sort()
		).toEqual(['PostgreSQL', 'Redis cache']);
		// Callers before what they call: the web app, then the API, then its stores.
		expect(
			topologicalOrder(graph)
				.map((node) => node.label)
				.slice(0, 2)
		).toEqual(['Web app', 'API']);
	});
});

describe('readCanvasGraph on a diagram drawn by hand', () => {
	const drawn = () =>
		handDrawn({
			'shape:api': box('shape:api', 300, 0, 'Orders API (FastAPI)'),
			'shape:db': box('shape:db', 600, 0, 'PostgreSQL', {}, { geo: 'ellipse' }),
			'shape:cache': box('shape:cache', 600, 200, 'Session cache'),
			'shape:checkout': box('shape:checkout', 0, 0, 'Checkout'),
			'shape:set': box('shape:set', 0, 200, 'Payments', { meta: { kind: 'Postgres', technology: 'Aurora Postgres' } }),
			...arrowBetween('shape:a1', { x: 120, y: 40 }, { x: 300, y: 40 }, { start: 'shape:checkout', end: 'shape:api' }, 'places orders'),
			...arrowBetween('shape:a2', { x: 420, y: 40 }, { x: 600, y: 40 }, { start: 'shape:api', end: 'shape:db' }),
			...arrowBetween('shape:a3', { x: 420, y: 60 }, { x: 600, y: 240 }, { start: 'shape:api', end: 'shape:cache' })
		});

	it('guesses kinds and technologies from labels, says they are guesses, and keeps what a person set', () => {
		const nodes = new Map(drawn().nodes.map((node) => [node.id, node]));
		expect(nodes.get('shape:api')).toMatchObject({ kind: 'service', kindInferred: true, technology: 'FastAPI', technologyInferred: true, shape: 'rectangle' });
		expect(nodes.get('shape:db')).toMatchObject({ kind: 'database', kindInferred: true, technology: 'PostgreSQL', shape: 'ellipse' });
		expect(nodes.get('shape:cache')).toMatchObject({ kind: 'cache', kindInferred: true });
		expect(nodes.get('shape:cache')!.technology).toBeUndefined();
		// "Checkout" names no kind and no technology: nothing is made up.
		expect(nodes.get('shape:checkout')!.kind).toBeUndefined();
		expect(nodes.get('shape:checkout')!.technology).toBeUndefined();
		// Set by hand (a loose word normalized to a kind); not marked as guessed.
		expect(nodes.get('shape:set')).toMatchObject({ kind: 'database', technology: 'Aurora Postgres' });
		expect(nodes.get('shape:set')!.kindInferred).toBeUndefined();
	});

	it('reads arrows bound at both ends as edges, in reading order of their nodes', () => {
		const graph = drawn();
		expect(ends(graph)).toEqual([
			{ id: 'shape:a1', from: 'shape:checkout', to: 'shape:api', label: 'places orders' },
			{ id: 'shape:a2', from: 'shape:api', to: 'shape:db', label: '' },
			{ id: 'shape:a3', from: 'shape:api', to: 'shape:cache', label: '' }
		]);
		expect(graph.nodes.map((node) => node.id)).toEqual(['shape:checkout', 'shape:api', 'shape:db', 'shape:set', 'shape:cache']);
	});

	it('gives the same graph whatever order the records come in', () => {
		const canvas = MemoryCanvas.seeded({
			'shape:x': box('shape:x', 0, 0, 'Redis'),
			'shape:y': box('shape:y', 0, 0, 'Kafka'),
			...arrowBetween('shape:a', { x: 60, y: 40 }, { x: 300, y: 300 }, { start: 'shape:x' })
		}).toJSON();
		const reversed = Object.fromEntries(Object.entries(canvas).reverse());
		expect(readCanvasGraph(reversed)).toEqual(readCanvasGraph(canvas));
	});
});

describe('readCanvasGraph on loose arrows', () => {
	const graph = () =>
		handDrawn({
			'shape:web': box('shape:web', 0, 0, 'Web app'),
			'shape:api': box('shape:api', 400, 0, 'API'),
			'shape:queue': box('shape:queue', 400, 300, 'Jobs queue'),
			// Bound at its tail; its tip stops inside the API (free-hand): connected by position.
			...arrowBetween('shape:half', { x: 120, y: 40 }, { x: 410, y: 40 }, { start: 'shape:web' }, 'calls'),
			// Neither end bound, tail just short of the API's bottom edge, tip inside the queue.
			...arrowBetween('shape:free', { x: 460, y: 84 }, { x: 460, y: 340 }),
			// Bound at its tail, tip in empty space.
			...arrowBetween('shape:out', { x: 520, y: 40 }, { x: 900, y: 40 }, { start: 'shape:api' }),
			// Drawn in empty space.
			...arrowBetween('shape:nowhere', { x: 0, y: 900 }, { x: 200, y: 900 }),
			// Both tips inside one box: a mark on it, not a loop.
			...arrowBetween('shape:mark', { x: 10, y: 10 }, { x: 100, y: 70 })
		});

	it('connects an unbound tip to the box it lies on and says so', () => {
		const edges = new Map(graph().edges.map((edge) => [edge.id, edge]));
		expect(edges.get('shape:half')).toMatchObject({ from: 'shape:web', fromBy: 'binding', to: 'shape:api', toBy: 'position', label: 'calls' });
		expect(edges.get('shape:free')).toMatchObject({ from: 'shape:api', fromBy: 'position', to: 'shape:queue', toBy: 'position' });
	});

	it('keeps arrows with an end on nothing as dangling, with where that end is', () => {
		const dangling = graph().dangling;
		expect(dangling.map(({ id, from, to }) => ({ id, from, to }))).toEqual([
			{ id: 'shape:mark', from: 'shape:web', to: null },
			{ id: 'shape:out', from: 'shape:api', to: null },
			{ id: 'shape:nowhere', from: null, to: null }
		]);
		expect(dangling.find((edge) => edge.id === 'shape:out')!.end).toEqual({ x: 900, y: 40 });
		expect(connectionsOf(graph(), 'shape:api').outgoing.map((connection) => connection.node.id)).toEqual(['shape:queue']);
	});

	it('never throws on damaged records: missing props, bindings to deleted shapes, parent loops', () => {
		const records: Record<string, unknown> = {
			'page:page': { id: 'page:page', typeName: 'page', name: 'Page 1', index: 'a1' },
			'shape:box': { id: 'shape:box', typeName: 'shape', type: 'geo', parentId: 'page:page' },
			'shape:arrow': { id: 'shape:arrow', typeName: 'shape', type: 'arrow', parentId: 'page:page', props: { start: null } },
			'binding:gone': { id: 'binding:gone', typeName: 'binding', type: 'arrow', fromId: 'shape:arrow', toId: 'shape:deleted', props: { terminal: 'end' } },
			'binding:bad': { id: 'binding:bad', typeName: 'binding', type: 'arrow', fromId: 'shape:arrow', toId: 'shape:box', props: {} },
			'shape:loop-a': { id: 'shape:loop-a', typeName: 'shape', type: 'geo', parentId: 'shape:loop-b', props: {} },
			'shape:loop-b': { id: 'shape:loop-b', typeName: 'shape', type: 'group', parentId: 'shape:loop-a', props: {} },
			junk: 42,
			'shape:nameless': null
		};
		const graph = readCanvasGraph(records);
		expect(graph.nodes.map((node) => node.id)).toEqual(['shape:box']);
		expect(graph.dangling.map((edge) => edge.id)).toEqual(['shape:arrow']);
	});
});

describe('readCanvasGraph on frames, groups, free text, notes and images', () => {
	const graph = () =>
		handDrawn({
			'shape:outer': frameShape('shape:outer', { x: 1000, y: 0 }, { name: 'Backend', w: 800, h: 600 }),
			'shape:inner': frameShape('shape:inner', { x: 50, y: 100, parentId: 'shape:outer' }, { name: 'Redis cluster', w: 400, h: 300 }),
			'shape:deep': box('shape:deep', 20, 40, 'Primary cache', { parentId: 'shape:inner' }),
			'shape:beside': box('shape:beside', 500, 100, 'Worker', { parentId: 'shape:outer' }),
			'shape:group': groupShape('shape:group', { x: 0, y: 700 }),
			'shape:g1': box('shape:g1', 0, 0, 'Auth', { parentId: 'shape:group' }),
			'shape:g2': box('shape:g2', 200, 0, '', { parentId: 'shape:group' }),
			// A text typed over the unlabelled box: its label.
			'shape:g2-label': textShape('shape:g2-label', 'Billing', { x: 210, y: 730 }),
			'shape:a': box('shape:a', 0, 0, 'Web'),
			'shape:b': box('shape:b', 400, 0, 'API'),
			...arrowBetween('shape:ab', { x: 120, y: 40 }, { x: 400, y: 40 }, { start: 'shape:a', end: 'shape:b' }),
			// A text written next to the middle of the arrow: its label.
			'shape:ab-label': textShape('shape:ab-label', 'HTTPS', { x: 230, y: 10 }),
			'shape:remark': textShape('shape:remark', 'Remember the SLA', { x: 0, y: 1200 }),
			'shape:sticky': noteShape('shape:sticky', 'We should probably put Redis in front of this later', { x: 0, y: 1400 }),
			'shape:picture': imageShape('shape:picture', { x: 600, y: 1400 })
		});

	it('reads frames as nodes of their own, with what sits in them, nested frames included', () => {
		const result = graph();
		const nodes = new Map(result.nodes.map((node) => [node.id, node]));
		expect(nodes.get('shape:outer')).toMatchObject({ shape: 'frame', label: 'Backend', x: 1000, y: 0, w: 800, h: 600 });
		expect(nodes.get('shape:inner')).toMatchObject({ shape: 'frame', label: 'Redis cluster', parentId: 'shape:outer', frameId: 'shape:outer' });
		// Frames are containers: their names suggest no kind.
		expect(nodes.get('shape:inner')!.kind).toBeUndefined();
		expect(nodes.get('shape:deep')).toMatchObject({ x: 1070, y: 140, parentId: 'shape:inner', frameId: 'shape:inner', kind: 'cache' });
		expect(nodesInFrame(result, 'shape:outer').map((node) => node.id)).toEqual(['shape:inner', 'shape:beside', 'shape:deep']);
		expect(nodesInFrame(result, 'shape:outer', { directOnly: true }).map((node) => node.id)).toEqual(['shape:inner', 'shape:beside']);
		expect(nodesInFrame(result, 'shape:inner').map((node) => node.id)).toEqual(['shape:deep']);
	});

	it('reads the shapes in a group as nodes and records the group', () => {
		const result = graph();
		expect(result.nodes.some((node) => node.id === 'shape:group')).toBe(false);
		expect(result.groups).toEqual([{ id: 'shape:group', nodeIds: ['shape:g1', 'shape:g2'], x: 0, y: 700, w: 320, h: 80 }]);
		expect(result.nodes.find((node) => node.id === 'shape:g1')).toMatchObject({ x: 0, y: 700, parentId: 'shape:group', groupId: 'shape:group' });
	});

	it('reads free text on an unlabelled box or beside an arrow as its label, and other text as other', () => {
		const result = graph();
		expect(result.nodes.find((node) => node.id === 'shape:g2')).toMatchObject({ label: 'Billing', labelFrom: 'shape:g2-label' });
		expect(result.edges.find((edge) => edge.id === 'shape:ab')).toMatchObject({ label: 'HTTPS', labelFrom: 'shape:ab-label' });
		const others = new Map(result.others.map((other) => [other.id, other]));
		expect(others.get('shape:g2-label')).toMatchObject({ type: 'text', labelFor: 'shape:g2' });
		expect(others.get('shape:remark')).toMatchObject({ type: 'text', label: 'Remember the SLA' });
		expect(others.get('shape:remark')!.labelFor).toBeUndefined();
		expect(others.get('shape:picture')).toMatchObject({ type: 'image', x: 600, y: 1400, w: 300, h: 200 });
		expect(result.nodes.some((node) => ['shape:remark', 'shape:picture'].includes(node.id))).toBe(false);
	});

	it('reads notes as nodes, but guesses nothing from a sentence', () => {
		const sticky = graph().nodes.find((node) => node.id === 'shape:sticky')!;
		expect(sticky).toMatchObject({ shape: 'note', label: 'We should probably put Redis in front of this later' });
		expect(sticky.kind).toBeUndefined();
		expect(sticky.technology).toBeUndefined();
	});

	it('places children of a rotated frame where they appear', () => {
		const result = handDrawn({
			'shape:frame': frameShape('shape:frame', { rotation: Math.PI / 2 }),
			'shape:in': geoShape('shape:in', { x: 100, y: 0, parentId: 'shape:frame' }, { w: 100, h: 50 })
		});
		// Rotated a quarter turn about the frame's origin: (100..200, 0..50) becomes (-50..0, 100..200).
		expect(result.nodes.find((node) => node.id === 'shape:in')).toMatchObject({ x: -50, y: 100, w: 50, h: 100 });
	});
});

describe('readCanvasGraph on several pages', () => {
	const records = () =>
		MemoryCanvas.seeded({
			'page:second': { id: 'page:second', typeName: 'page', name: 'Page 2', index: 'a2', meta: {} },
			'shape:here': box('shape:here', 0, 0, 'Here'),
			'shape:there': box('shape:there', 0, 0, 'There', { parentId: 'page:second' }),
			'shape:there-frame': frameShape('shape:there-frame', { parentId: 'page:second', x: 500 }),
			'shape:there-in': box('shape:there-in', 10, 10, 'Inside', { parentId: 'shape:there-frame' })
		}).toJSON();

	it('reads the first page by default, another when asked, and lists every page', () => {
		const first = readCanvasGraph(records());
		expect(first.pageId).toBe('page:page');
		expect(first.pages).toEqual([
			{ id: 'page:page', name: 'Page 1' },
			{ id: 'page:second', name: 'Page 2' }
		]);
		expect(first.nodes.map((node) => node.label)).toEqual(['Here']);
		const second = readCanvasGraph(records(), 'page:second');
		expect(second.nodes.map((node) => node.label)).toEqual(['There', '', 'Inside']);
	});
});

describe('topologicalOrder', () => {
	it('puts sources first, follows arrows, breaks cycles by reading order, and is the same every time', () => {
		const graph = handDrawn({
			'shape:c': box('shape:c', 0, 0, 'C'),
			'shape:a': box('shape:a', 0, 400, 'A'),
			'shape:b': box('shape:b', 400, 400, 'B'),
			'shape:d': box('shape:d', 800, 0, 'D'),
			...arrowBetween('shape:ab', { x: 120, y: 440 }, { x: 400, y: 440 }, { start: 'shape:a', end: 'shape:b' }),
			...arrowBetween('shape:bc', { x: 400, y: 420 }, { x: 60, y: 80 }, { start: 'shape:b', end: 'shape:c' }),
			...arrowBetween('shape:cb', { x: 100, y: 80 }, { x: 420, y: 400 }, { start: 'shape:c', end: 'shape:b' })
		});
		// D and A have no callers (reading order: D is higher up); B and C call each other, and B, which A calls, goes first.
		expect(topologicalOrder(graph).map((node) => node.label)).toEqual(['D', 'A', 'B', 'C']);
		expect(topologicalOrder(graph)).toEqual(topologicalOrder(graph));
	});
});

describe('plainTextOf', () => {
	it('joins paragraphs with line breaks and keeps hard breaks', () => {
		const doc = {
			type: 'doc',
			content: [
				{
					type: 'paragraph',
					content: [
						{ type: 'text', text: 'Line ' },
						{ type: 'text', text: 'one', marks: [{ type: 'bold' }] }
					]
				},
				{ type: 'paragraph' },
				{ type: 'paragraph', content: [{ type: 'text', text: 'a' }, { type: 'hardBreak' }, { type: 'text', text: 'b' }] }
			]
		};
		expect(plainTextOf(doc)).toBe('Line one\n\na\nb');
	});
});
