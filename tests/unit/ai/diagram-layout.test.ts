// Diagram layout: the model says what, elk says where, and a new diagram never lands on anything.
import { describe, expect, it } from 'vitest';
import { LAYOUT_DIRECTIONS, LAYOUT_MARGIN, layoutDiagram, nodeSizeFor, overlaps, type Box } from '../../../src/lib/server/ai/diagram-layout.ts';
import { seededRandom, testSeed } from '../../helpers/random.ts';

const chain = {
	nodes: [
		{ id: 'web', label: 'Web app' },
		{ id: 'api', label: 'API' },
		{ id: 'db', label: 'PostgreSQL' }
	],
	edges: [
		{ from: 'web', to: 'api' },
		{ from: 'api', to: 'db' }
	]
};

function randomDiagram(random: () => number) {
	const count = 1 + Math.floor(random() * 25);
	const nodes = Array.from({ length: count }, (_, i) => ({ id: `n${i}`, label: 'x'.repeat(1 + Math.floor(random() * 60)) }));
	const edges = Array.from({ length: Math.floor(random() * count * 1.5) }, () => ({
		from: `n${Math.floor(random() * count)}`,
		to: `n${Math.floor(random() * count)}`
	}));
	return { nodes, edges, direction: LAYOUT_DIRECTIONS[Math.floor(random() * 4)] };
}

function randomBoxes(random: () => number): Box[] {
	return Array.from({ length: Math.floor(random() * 40) }, () => ({
		x: Math.round((random() - 0.5) * 4000),
		y: Math.round((random() - 0.5) * 3000),
		w: 20 + Math.round(random() * 600),
		h: 20 + Math.round(random() * 400)
	}));
}

describe('layoutDiagram', () => {
	it('follows the direction asked for', async () => {
		const right = await layoutDiagram({ ...chain, direction: 'RIGHT' }, []);
		expect(right.get('web')!.x).toBeLessThan(right.get('api')!.x);
		expect(right.get('api')!.x).toBeLessThan(right.get('db')!.x);
		const down = await layoutDiagram({ ...chain, direction: 'DOWN' }, []);
		expect(down.get('web')!.y).toBeLessThan(down.get('api')!.y);
		expect(down.get('api')!.y).toBeLessThan(down.get('db')!.y);
		const up = await layoutDiagram({ ...chain, direction: 'UP' }, []);
		expect(up.get('web')!.y).toBeGreaterThan(up.get('db')!.y);
	});

	it('leaves room between the layers for arrow labels', async () => {
		const label = 'publishes order events';
		const placed = await layoutDiagram({ nodes: chain.nodes, edges: [{ from: 'web', to: 'api', label }, chain.edges[1]] }, []);
		const gap = placed.get('api')!.x - (placed.get('web')!.x + placed.get('web')!.w);
		expect(gap).toBeGreaterThanOrEqual(label.length * 10);
	});

	it('places a diagram right of what the canvas holds, or in free space near the viewport', async () => {
		const existing = [
			{ x: 0, y: 0, w: 400, h: 300 },
			{ x: 600, y: 100, w: 200, h: 100 }
		];
		const beside = await layoutDiagram(chain, existing);
		for (const box of beside.values()) expect(box.x).toBeGreaterThanOrEqual(800 + LAYOUT_MARGIN);

		const viewport = { x: -2000, y: -2000, w: 1600, h: 1000 };
		const inView = await layoutDiagram({ ...chain, viewport }, existing);
		for (const box of inView.values()) {
			expect(overlaps(box, viewport)).toBe(true);
			for (const other of existing) expect(overlaps(box, other)).toBe(false);
		}
	});

	it('never overlaps itself or anything already there (seeded random canvases)', async () => {
		const seed = testSeed();
		const random = seededRandom(seed);
		for (let round = 0; round < 60; round++) {
			const diagram = randomDiagram(random);
			const occupied = randomBoxes(random);
			const viewport = random() < 0.5 ? { x: Math.round((random() - 0.5) * 3000), y: Math.round((random() - 0.5) * 3000), w: 1400, h: 900 } : undefined;
			const placed = [...(await layoutDiagram({ ...diagram, viewport }, occupied)).entries()];
			const context = `seed ${seed}, round ${round}`;
			expect(placed.map(([id]) => id).sort(), context).toEqual(diagram.nodes.map((node) => node.id).sort());
			for (const [id, box] of placed) {
				expect(box.w, context).toBeGreaterThanOrEqual(180);
				expect(box.h, context).toBeGreaterThanOrEqual(80);
				for (const other of occupied) expect(overlaps(box, other, LAYOUT_MARGIN - 1), `${context}: ${id} on an occupied box`).toBe(false);
				for (const [otherId, otherBox] of placed) if (otherId !== id) expect(overlaps(box, otherBox), `${context}: ${id} on ${otherId}`).toBe(false);
			}
		}
	});
});

describe('nodeSizeFor', () => {
	it('gives short labels the standard 180 × 80 box and long ones room to wrap', () => {
		expect(nodeSizeFor('API')).toEqual({ w: 180, h: 80 });
		const long = nodeSizeFor('Payment reconciliation service with a nightly batch export');
		expect(long.w).toBeLessThanOrEqual(320);
		expect(long.h).toBeGreaterThan(80);
		// Shapes with less room inside than a rectangle get bigger for the same label.
		expect(nodeSizeFor('API', 'diamond').w).toBeGreaterThan(180);
	});
});
