// Message cards are not diagram nodes: design documents and code per node read boxes, notes and
// frames; a conversation on the same canvas (cards and the arrows between them, in a frame people
// drew around them or not) must not turn into components, connections or guesses about them.
import { describe, expect, it } from 'vitest';
import { readCanvasGraph } from '../../../src/lib/diagram/canvas-graph.ts';
import { topologicalOrder } from '../../../src/lib/diagram/graph-queries.ts';
import { structuralDocument } from '../../../src/lib/server/ai/design-doc.ts';
import { MemoryCanvas } from '../../helpers/canvas-draft.ts';
import { messageCard, toolCall } from '../../helpers/message-cards.ts';
import { arrowBinding, arrowShape, frameShape, geoShape, richText } from '../../helpers/tldraw-records.ts';

/** Two cards joined by an arrow bound at both ends, at (x, y), optionally in a frame. */
function conversation(x: number, y: number, parentId = 'page:page') {
	const system = messageCard(
		'shape:message-1',
		{ messageId: 'm1', role: 'system', text: 'You are a database expert. PostgreSQL only.' },
		{ x, y, parentId, index: 'a2' }
	);
	const user = messageCard(
		'shape:message-2',
		{ messageId: 'm2', parentId: 'm1', role: 'user', text: 'Redis cache or CDN?', toolCalls: [toolCall('call_1', 'search', { q: 'cache' })] },
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
	it('are messages, never nodes, and their arrows connect no boxes', () => {
		const graph = readCanvasGraph(MemoryCanvas.seeded({ ...diagram, ...conversation(800, 0) }).toJSON());
		expect(graph.nodes.map((node) => node.label)).toEqual(['API', 'PostgreSQL']);
		expect(graph.edges.map(({ from, to }) => [from, to])).toEqual([['shape:api', 'shape:db']]);
		expect(graph.dangling).toEqual([]);
		expect(graph.messages.map((message) => message.id)).toEqual(['shape:message-1', 'shape:message-2']);
		expect(graph.messageArrows.map(({ from, to }) => [from, to])).toEqual([['shape:message-1', 'shape:message-2']]);
		// Code for all nodes goes through the nodes in dependency order: the cards are not among them.
		expect(topologicalOrder(graph).map((node) => node.id)).toEqual(['shape:api', 'shape:db']);
	});

	it('inside a frame people drew, connect card to card, never the frame to itself', () => {
		const frame = frameShape('shape:chat', { x: 700, y: -50 }, { name: 'Support chat', w: 600, h: 800 });
		const graph = readCanvasGraph(MemoryCanvas.seeded({ ...diagram, [frame.id]: frame, ...conversation(50, 50, frame.id) }).toJSON());
		expect(graph.edges.map(({ id }) => id)).toEqual(['shape:api-db']);
		expect(graph.dangling).toEqual([]);
		expect(graph.messageArrows.map(({ from, to }) => [from, to])).toEqual([['shape:message-1', 'shape:message-2']]);
		expect(graph.messages.find((message) => message.id === 'shape:message-2')).toMatchObject({ frameId: 'shape:chat' });
	});

	it("leave the design document's components and connections as the diagram has them", () => {
		const doc = structuralDocument('Shop', readCanvasGraph(MemoryCanvas.seeded({ ...diagram, ...conversation(800, 0) }).toJSON()));
		expect(doc).toContain('2 components and 1 connection.');
		expect(doc).not.toContain('Redis cache or CDN');
		expect(doc).not.toContain('database expert');
	});
});
