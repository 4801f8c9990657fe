// Message cards are not diagram nodes: design documents, code per node and the context menu read
// boxes, notes and frames; a conversation on the same canvas (cards and the arrows between them,
// maybe in a frame of its own) must not turn into components, connections or guesses about them.
import { describe, expect, it } from 'vitest';
import { readCanvasGraph } from '../../../src/lib/diagram/canvas-graph.ts';
import { structuralDocument } from '../../../src/lib/server/ai/design-doc.ts';
import { MemoryCanvas } from '../../helpers/canvas-draft.ts';
import { messageCard, toolCall } from '../../helpers/message-cards.ts';
import { arrowBinding, arrowShape, frameShape, geoShape, richText } from '../../helpers/tldraw-records.ts';

/** A conversation of two cards joined by an arrow bound at both ends, at (x, y), optionally in a frame. */
function conversation(x: number, y: number, parentId = 'page:page') {
	const system = messageCard(
		'shape:message-1',
		{ messageId: 'm1', role: 'system', text: 'You are a database expert. PostgreSQL only.' },
		{ x, y, parentId, index: 'a2' }
	);
	const user = messageCard(
		'shape:message-2',
		{ messageId: 'm2', role: 'user', text: 'Redis cache or CDN?', toolCalls: [toolCall('call_1', 'search', { q: 'cache' })] },
		{ x, y: y + 300, parentId, index: 'a3' }
	);
	return {
		[system.id]: system,
		[user.id]: user,
		'shape:message-arrow': arrowShape('shape:message-arrow', { x: x + 190, y: y + 200, parentId, index: 'a4' }, { end: { x: 0, y: 100 } }),
		'binding:message-arrow-start': arrowBinding('binding:message-arrow-start', 'shape:message-arrow', system.id, 'start'),
		'binding:message-arrow-end': arrowBinding('binding:message-arrow-end', 'shape:message-arrow', user.id, 'end')
	};
}

const diagram = {
	'shape:api': geoShape('shape:api', { x: 0, y: 0 }, { richText: richText('API') }),
	'shape:db': geoShape('shape:db', { x: 0, y: 300 }, { richText: richText('PostgreSQL') }),
	'shape:api-db': arrowShape('shape:api-db', { x: 60, y: 80, index: 'a5' }, { end: { x: 0, y: 220 } }),
	'binding:api-db-start': arrowBinding('binding:api-db-start', 'shape:api-db', 'shape:api', 'start'),
	'binding:api-db-end': arrowBinding('binding:api-db-end', 'shape:api-db', 'shape:db', 'end')
};

describe('message cards in the graph reader', () => {
	it('are other shapes, never nodes, and their arrows connect no boxes', () => {
		const graph = readCanvasGraph(MemoryCanvas.seeded({ ...diagram, ...conversation(800, 0) }).toJSON());
		expect(graph.nodes.map((node) => node.label)).toEqual(['API', 'PostgreSQL']);
		expect(graph.edges.map(({ from, to }) => [from, to])).toEqual([['shape:api', 'shape:db']]);
		expect(graph.others.filter((other) => other.type === 'conversation-message').map((other) => other.id)).toEqual(['shape:message-1', 'shape:message-2']);
		expect(graph.dangling.map(({ id, from, to }) => ({ id, from, to }))).toEqual([{ id: 'shape:message-arrow', from: null, to: null }]);
	});

	it('inside a frame, connect the cards to nothing rather than to the frame around them', () => {
		const frame = frameShape('shape:chat', { x: 700, y: -50 }, { name: 'Support chat', w: 600, h: 800 });
		const records = { ...diagram, [frame.id]: frame, ...conversation(50, 50, frame.id) };
		const graph = readCanvasGraph(MemoryCanvas.seeded(records).toJSON());
		expect(graph.edges.map(({ id }) => id)).toEqual(['shape:api-db']);
		expect(graph.dangling.find((edge) => edge.id === 'shape:message-arrow')).toMatchObject({ from: null, to: null });
		expect(graph.others.find((other) => other.id === 'shape:message-2')).toMatchObject({ frameId: 'shape:chat' });
	});

	it("leave the design document's components and connections as the diagram has them", () => {
		const graph = readCanvasGraph(MemoryCanvas.seeded({ ...diagram, ...conversation(800, 0) }).toJSON());
		const doc = structuralDocument('Shop', graph);
		expect(doc).toContain('2 components and 1 connection');
		expect(doc).not.toContain('Redis cache or CDN');
		expect(doc).not.toContain('database expert');
	});
});
