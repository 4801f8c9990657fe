// The assistant's canvas tools on an in-memory canvas validated like the server's write path: what a
// collaborator would see after each call, and what the run records for review.
import type { ToolSet } from 'ai';
import { describe, expect, it } from 'vitest';
import { readCanvasGraph } from '../../../src/lib/diagram/canvas-graph.ts';
import { CanvasToolError, createCanvasTools } from '../../../src/lib/server/ai/canvas-tools.ts';
import { nodeSizeFor, overlaps } from '../../../src/lib/server/ai/diagram-layout.ts';
import { validateRecordChanges, type KeyChange } from '../../../src/lib/server/canvas-records.ts';
import { MemoryCanvas, memorySession } from '../../helpers/canvas-draft.ts';
import { WEB_STACK } from '../../helpers/assistant-diagrams.ts';
import { DOCUMENT_RECORD, PAGE_RECORD, geoShape, richText } from '../../helpers/tldraw-records.ts';

async function call(tools: ToolSet, name: string, input: unknown, abortSignal?: AbortSignal) {
	return tools[name].execute!(input, { toolCallId: `call-${name}`, messages: [], context: {}, abortSignal });
}

type Shape = { id: string; type: string; x: number; y: number; index: string; parentId: string; props: Record<string, unknown>; meta: Record<string, unknown> };
type Binding = { id: string; fromId: string; toId: string; props: { terminal: string } };

function shapesOf(canvas: MemoryCanvas, type?: string): Shape[] {
	return Object.values(canvas.toJSON()).filter(
		(record) => (record as { typeName: string }).typeName === 'shape' && (!type || (record as Shape).type === type)
	) as Shape[];
}

function bindingsOf(canvas: MemoryCanvas): Binding[] {
	return Object.values(canvas.toJSON()).filter((record) => (record as { typeName: string }).typeName === 'binding') as Binding[];
}

/** A canvas with one person-drawn box, and the web stack the assistant drew beside it. */
async function drawnWebStack() {
	const canvas = MemoryCanvas.seeded({ 'shape:mine': geoShape('shape:mine', { x: 0, y: 0 }, { w: 400, h: 300, richText: richText('My notes') }) });
	const { session, changes, cursor } = memorySession(canvas);
	const tools = createCanvasTools(session);
	const result = (await call(tools, 'draw_diagram', WEB_STACK)) as { shapeIds: Record<string, string>; arrows: { id: string; from: string; to: string }[] };
	return { canvas, session, changes, cursor, tools, result };
}

describe('draw_diagram', () => {
	it('draws "web app, API, PostgreSQL, Redis cache" as 4 boxes and 3 arrows bound at both ends, in one transaction', async () => {
		const { canvas, changes, cursor, result } = await drawnWebStack();
		expect(canvas.commits).toBe(1);

		const graph = readCanvasGraph(canvas.toJSON());
		const byLabel = new Map(graph.nodes.map((node) => [node.label, node]));
		expect([...byLabel.keys()].sort()).toEqual(['API', 'My notes', 'PostgreSQL', 'Redis cache', 'Web app']);
		expect(byLabel.get('PostgreSQL')).toMatchObject({ kind: 'database', technology: 'PostgreSQL 17', createdByRun: '00000000-0000-4000-8000-000000000001' });
		expect(byLabel.get('Redis cache')!.kind).toBe('cache');

		// The model's names map to the new shapes, and each arrow follows its two boxes.
		expect(Object.keys(result.shapeIds).sort()).toEqual(['api', 'pg', 'redis', 'web']);
		expect(byLabel.get('API')!.id).toBe(result.shapeIds.api);
		const ids = result.shapeIds;
		const edges = graph.edges.map((edge) => [edge.from, edge.to, edge.label]);
		expect(edges).toHaveLength(3);
		expect(edges).toEqual(
			expect.arrayContaining([
				[ids.web, ids.api, 'HTTPS'],
				[ids.api, ids.pg, ''],
				[ids.api, ids.redis, '']
			])
		);
		expect(shapesOf(canvas, 'arrow')).toHaveLength(3);
		const bindings = bindingsOf(canvas);
		expect(bindings).toHaveLength(6);
		for (const arrow of shapesOf(canvas, 'arrow')) {
			expect(
				bindings
					.filter((binding) => binding.fromId === arrow.id)
					.map((binding) => binding.props.terminal)
					.sort()
			).toEqual(['end', 'start']);
		}

		// Laid out left to right, clear of the person's box.
		expect(byLabel.get('Web app')!.x).toBeLessThan(byLabel.get('API')!.x);
		for (const node of graph.nodes.filter((node) => node.label !== 'My notes')) expect(overlaps(node, byLabel.get('My notes')!)).toBe(false);
		expect(cursor).toHaveLength(1);

		// One reviewable change: every record it created, absent before, exactly as stored after.
		expect(changes).toHaveLength(1);
		const [change] = changes;
		expect(change).toMatchObject({ kind: 'created', state: 'pending', summary: 'added 4 shapes and 3 arrows' });
		expect(change.recordIds).toHaveLength(4 + 3 + 6);
		expect(Object.values(change.before).every((record) => record === null)).toBe(true);
		const stored = canvas.toJSON();
		for (const id of change.recordIds) expect(change.after[id]).toEqual(stored[id]);
	});

	it('writes records that pass the same validation as a client’s change on a fresh canvas', async () => {
		const { canvas } = await drawnWebStack();
		const records = canvas.toJSON();
		const changes = new Map<string, KeyChange>(Object.keys(records).map((id) => [id, { action: 'add', oldValue: undefined }]));
		expect(validateRecordChanges(new Map(Object.entries(records)), changes, { maxRecordBytes: 64 * 1024, maxRecords: 1000 })).toEqual(new Map());
		expect(records[DOCUMENT_RECORD.id]).toBeTruthy();
	});

	it('connects new boxes to shapes already on the canvas', async () => {
		const canvas = MemoryCanvas.seeded({ 'shape:auth': geoShape('shape:auth', { x: 0, y: 0 }, { richText: richText('Auth') }) });
		const { session } = memorySession(canvas);
		const result = (await call(createCanvasTools(session), 'draw_diagram', {
			nodes: [{ id: 'billing', label: 'Billing' }],
			edges: [{ from: 'billing', to: 'shape:auth', label: 'verifies tokens' }]
		})) as { shapeIds: Record<string, string> };
		expect(readCanvasGraph(canvas.toJSON()).edges).toEqual([expect.objectContaining({ from: result.shapeIds.billing, to: 'shape:auth', label: 'verifies tokens' })]);
	});

	it('lays out calls made at once one after the other, so two diagrams never land on each other', async () => {
		const canvas = MemoryCanvas.seeded();
		const { session } = memorySession(canvas);
		const tools = createCanvasTools(session);
		await Promise.all([call(tools, 'draw_diagram', WEB_STACK), call(tools, 'draw_diagram', WEB_STACK)]);
		const nodes = readCanvasGraph(canvas.toJSON()).nodes;
		expect(nodes).toHaveLength(8);
		for (const node of nodes) for (const other of nodes) if (other !== node) expect(overlaps(node, other)).toBe(false);
	});

	it('draws near where the person is looking when the session knows', async () => {
		const canvas = MemoryCanvas.seeded({ 'shape:mine': geoShape('shape:mine', { x: 0, y: 0 }) });
		const { session } = memorySession(canvas);
		const viewport = { x: 5000, y: 3000, w: 1600, h: 900 };
		await call(createCanvasTools({ ...session, viewport }), 'draw_diagram', WEB_STACK);
		for (const node of readCanvasGraph(canvas.toJSON()).nodes.filter((node) => node.id !== 'shape:mine')) expect(overlaps(node, viewport)).toBe(true);
	});

	it('writes nothing once the run is cancelled', async () => {
		const canvas = MemoryCanvas.seeded();
		const { session, changes } = memorySession(canvas);
		const cancel = new AbortController();
		cancel.abort();
		await expect(call(createCanvasTools(session), 'draw_diagram', WEB_STACK, cancel.signal)).rejects.toThrow();
		expect(canvas.commits).toBe(0);
		expect(changes).toEqual([]);
	});

	it.each([
		[
			'an edge to a node that does not exist',
			{ nodes: [{ id: 'a', label: 'A' }], edges: [{ from: 'a', to: 'ghost' }] },
			/"ghost" is neither a node id of this diagram nor a shape/
		],
		[
			'two nodes with one id',
			{
				nodes: [
					{ id: 'a', label: 'A' },
					{ id: 'a', label: 'B' }
				],
				edges: []
			},
			/Duplicate node id "a"/
		],
		['more than 60 nodes', { nodes: Array.from({ length: 61 }, (_, i) => ({ id: `n${i}`, label: `N${i}` })), edges: [] }, /Too many nodes \(61\): draw at most 60/],
		['no nodes', { nodes: [], edges: [] }, /at least one node/],
		['an edge from a box to itself', { nodes: [{ id: 'a', label: 'A' }], edges: [{ from: 'a', to: 'a' }] }, /starts and ends at the same box/],
		['an edge to a shape on another page', { nodes: [{ id: 'a', label: 'A' }], edges: [{ from: 'a', to: 'shape:elsewhere' }] }, /"shape:elsewhere" is neither/]
	])('refuses %s with a message the model can act on, writing nothing', async (_case, input, message) => {
		const canvas = MemoryCanvas.seeded({
			'page:second': { id: 'page:second', typeName: 'page', name: 'Page 2', index: 'a2', meta: {} },
			'shape:elsewhere': geoShape('shape:elsewhere', { parentId: 'page:second' })
		});
		const { session, changes } = memorySession(canvas);
		const before = canvas.toJSON();
		const error = await call(createCanvasTools(session), 'draw_diagram', input).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(CanvasToolError);
		expect((error as Error).message).toMatch(message);
		expect(canvas.toJSON()).toEqual(before);
		expect(changes).toEqual([]);
	});
});

describe('the editing tools', () => {
	it('relabels a box and records what it said before', async () => {
		const { canvas, changes, tools, result } = await drawnWebStack();
		await call(tools, 'update_shapes', { updates: [{ id: result.shapeIds.api, label: 'API gateway' }] });
		expect(readCanvasGraph(canvas.toJSON()).nodes.find((node) => node.id === result.shapeIds.api)!.label).toBe('API gateway');
		expect(changes[1]).toMatchObject({ kind: 'updated', summary: "relabelled 'API' to 'API gateway'", recordIds: [result.shapeIds.api] });
		expect((changes[1].before[result.shapeIds.api] as Shape).props.richText).toEqual(richText('API'));
	});

	it('moves boxes (their arrows stay bound) as one change', async () => {
		const { canvas, changes, tools, result } = await drawnWebStack();
		const before = readCanvasGraph(canvas.toJSON());
		const pg = before.nodes.find((node) => node.id === result.shapeIds.pg)!;
		await call(tools, 'move_shapes', {
			moves: [
				{ id: result.shapeIds.pg, x: 2000, y: 1000 },
				{ id: result.shapeIds.redis, dx: 0, dy: 300 }
			]
		});
		const after = readCanvasGraph(canvas.toJSON());
		expect(after.nodes.find((node) => node.id === result.shapeIds.pg)).toMatchObject({ x: 2000, y: 1000, w: pg.w, h: pg.h });
		expect(after.nodes.find((node) => node.id === result.shapeIds.redis)!.y).toBe(before.nodes.find((node) => node.id === result.shapeIds.redis)!.y + 300);
		const ends = (graph: typeof before) => graph.edges.map(({ id, from, to, label }) => ({ id, from, to, label })).sort((a, b) => a.id.localeCompare(b.id));
		expect(ends(after)).toEqual(ends(before));
		expect(changes[1]).toMatchObject({ kind: 'updated', summary: 'moved 2 shapes' });
		expect(changes[1].recordIds.sort()).toEqual([result.shapeIds.pg, result.shapeIds.redis].sort());
	});

	it('restyles a box as another kind, or just recolours it', async () => {
		const { canvas, changes, tools, result } = await drawnWebStack();
		await call(tools, 'restyle_shapes', {
			changes: [
				{ id: result.shapeIds.redis, kind: 'queue' },
				{ id: result.shapeIds.api, color: 'red' }
			]
		});
		const records = canvas.toJSON();
		const redis = records[result.shapeIds.redis] as Shape;
		expect(redis.props).toMatchObject({ geo: 'rhombus', color: 'violet' });
		expect(redis.meta.kind).toBe('queue');
		expect((records[result.shapeIds.api] as Shape).props.color).toBe('red');
		expect(changes.slice(1).map((change) => change.summary)).toEqual(["restyled 'Redis cache' as queue", "restyled 'API' red"]);

		// A diamond holds less text than a rectangle of its size: the box grows to keep the label inside.
		await call(tools, 'restyle_shapes', { changes: [{ id: result.shapeIds.web, kind: 'gateway' }] });
		const web = canvas.toJSON()[result.shapeIds.web] as Shape;
		expect(web.props).toMatchObject({ geo: 'diamond', ...nodeSizeFor('Web app', 'diamond') });
	});

	it('deletes a box with the arrows that would dangle, and records all of them as they were', async () => {
		const { canvas, changes, tools, result } = await drawnWebStack();
		const stored = canvas.toJSON();
		await call(tools, 'delete_shapes', { ids: [result.shapeIds.redis] });
		const graph = readCanvasGraph(canvas.toJSON());
		expect(graph.nodes.map((node) => node.label).sort()).toEqual(['API', 'My notes', 'PostgreSQL', 'Web app']);
		expect(graph.edges).toHaveLength(2);
		// No binding is left pointing at a shape that is gone.
		const shapeIds = new Set(shapesOf(canvas).map((shape) => shape.id));
		for (const binding of bindingsOf(canvas)) expect(shapeIds.has(binding.toId) && shapeIds.has(binding.fromId)).toBe(true);
		const change = changes[1];
		expect(change).toMatchObject({ kind: 'deleted', summary: "deleted 'Redis cache' and 1 arrow" });
		expect(change.recordIds).toHaveLength(1 + 1 + 2);
		for (const id of change.recordIds) {
			expect(change.before[id]).toEqual(stored[id]);
			expect(change.after[id]).toBeNull();
		}
	});

	it('connects two shapes with a bound arrow', async () => {
		const { canvas, changes, tools, result } = await drawnWebStack();
		await call(tools, 'connect_shapes', { connections: [{ from: result.shapeIds.redis, to: 'shape:mine', label: 'notes' }] });
		expect(readCanvasGraph(canvas.toJSON()).edges).toContainEqual(expect.objectContaining({ from: result.shapeIds.redis, to: 'shape:mine', label: 'notes' }));
		expect(changes[1]).toMatchObject({ kind: 'created', summary: "connected 'Redis cache' to 'My notes'" });
		expect(changes[1].recordIds).toHaveLength(3);
	});

	it('puts arrows where tldraw keeps bound arrows (common parent, just above the higher end), so a browser has nothing to fix', async () => {
		const frame = {
			id: 'shape:frame',
			typeName: 'shape',
			type: 'frame',
			x: 1000,
			y: 0,
			rotation: 0.3,
			index: 'a1',
			parentId: 'page:page',
			isLocked: false,
			opacity: 1,
			meta: {},
			props: { w: 700, h: 500, name: 'Backend', color: 'black' }
		};
		const canvas = MemoryCanvas.seeded({
			[frame.id]: frame,
			'shape:in1': geoShape('shape:in1', { x: 50, y: 50, parentId: frame.id, index: 'a1' }),
			'shape:in2': geoShape('shape:in2', { x: 400, y: 300, parentId: frame.id, index: 'a2' }),
			'shape:low': geoShape('shape:low', { x: 0, y: 0, index: 'a2' }),
			'shape:high': geoShape('shape:high', { x: 0, y: 300, index: 'a3' })
		});
		const { session } = memorySession(canvas);
		const tools = createCanvasTools(session);
		await call(tools, 'connect_shapes', {
			connections: [
				{ from: 'shape:in1', to: 'shape:in2' },
				{ from: 'shape:in2', to: 'shape:low' },
				{ from: 'shape:low', to: 'shape:frame' },
				{ from: 'shape:high', to: 'shape:low' }
			]
		});
		await call(tools, 'draw_diagram', { ...WEB_STACK, edges: [...WEB_STACK.edges, { from: 'pg', to: 'shape:in1' }] });

		const records = canvas.toJSON();
		const shapes = shapesOf(canvas);
		const ancestorsOf = (id: string): string[] => {
			const parent = (records[id] as Shape).parentId;
			return parent.startsWith('shape:') ? [parent, ...ancestorsOf(parent)] : [parent];
		};
		for (const arrow of shapesOf(canvas, 'arrow')) {
			const [start, end] = ['start', 'end'].map(
				(terminal) => bindingsOf(canvas).find((binding) => binding.fromId === arrow.id && binding.props.terminal === terminal)!.toId
			);
			const common = ancestorsOf(start).find((id) => ancestorsOf(end).includes(id));
			expect(arrow.parentId).toBe(common);
			const nearest = (id: string) => [id, ...ancestorsOf(id)].map((candidate) => records[candidate] as Shape).find((shape) => shape?.parentId === arrow.parentId)!;
			const highest = [nearest(start), nearest(end)]
				.map((shape) => shape.index)
				.sort()
				.at(-1)!;
			const index = arrow.index;
			expect(index > highest).toBe(true);
			const nextNonArrow = shapes
				.filter((shape) => shape.parentId === arrow.parentId && shape.type !== 'arrow')
				.map((shape) => shape.index)
				.filter((other) => other > highest)
				.sort()[0];
			if (nextNonArrow) expect(index < nextNonArrow).toBe(true);
		}
		// Inside the rotated frame, the arrow's position is in the frame's coordinates: near its children, not at page coordinates.
		const inner = shapesOf(canvas, 'arrow').find((arrow) => arrow.parentId === 'shape:frame')!;
		expect(Math.abs(inner.x) + Math.abs(inner.y)).toBeLessThan(800);
	});

	it('touches only shapes that exist on the session’s page', async () => {
		const canvas = MemoryCanvas.seeded({
			'page:second': { id: 'page:second', typeName: 'page', name: 'Page 2', index: 'a2', meta: {} },
			'shape:elsewhere': geoShape('shape:elsewhere', { parentId: 'page:second' }, { richText: richText('Other page') })
		});
		const { session, changes } = memorySession(canvas);
		const tools = createCanvasTools(session);
		const before = canvas.toJSON();
		for (const [name, input] of [
			['update_shapes', { updates: [{ id: 'shape:elsewhere', label: 'Mine now' }] }],
			['delete_shapes', { ids: ['shape:nothing'] }],
			['delete_shapes', { ids: [PAGE_RECORD.id] }],
			['move_shapes', { moves: [{ id: 'shape:elsewhere', dx: 10 }] }],
			['restyle_shapes', { changes: [{ id: 'shape:elsewhere', color: 'red' }] }],
			['connect_shapes', { connections: [{ from: 'shape:elsewhere', to: 'shape:nothing' }] }]
		] as const) {
			await expect(call(tools, name, input), name).rejects.toThrow(/There is no shape .* on this page/);
		}
		expect(canvas.toJSON()).toEqual(before);
		expect(changes).toEqual([]);
	});

	it('reads the canvas for the model', async () => {
		const { tools, result } = await drawnWebStack();
		const description = (await call(tools, 'read_canvas', {})) as string;
		expect(description).toContain(`${result.shapeIds.pg} kind="database" label="PostgreSQL"`);
	});
});
