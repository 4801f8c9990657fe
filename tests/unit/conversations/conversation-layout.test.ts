// A conversation laid out as a tree: generations as rows, siblings (branches, retries) side by
// side in order of arrival, roots' trees side by side; hand-placed cards are worked around.
import { describe, expect, it } from 'vitest';
import { layoutConversationTree, makeRoomForPinned, PINNED_MARGIN } from '../../../src/lib/server/conversations/conversation-layout.ts';
import { overlaps } from '../../../src/lib/server/ai/diagram-layout.ts';

const card = (id: string, parentId: string | null, h = 100) => ({ id, parentId, w: 380, h });

describe('layoutConversationTree', () => {
	it('puts each generation below its parent, siblings left to right in order of arrival, parents centred over them', async () => {
		const boxes = await layoutConversationTree([card('q', null, 80), card('a1', 'q', 300), card('a2', 'q', 120), card('a3', 'q'), card('f', 'a2')]);
		const [q, a1, a2, a3, f] = ['q', 'a1', 'a2', 'a3', 'f'].map((id) => boxes.get(id)!);
		expect(q).toMatchObject({ x: expect.any(Number), y: 0, w: 380, h: 80 });
		for (const child of [a1, a2, a3]) expect(child.y).toBeGreaterThan(q.y + q.h);
		// Rows are top-aligned, whatever each card's height.
		expect(new Set([a1.y, a2.y, a3.y]).size).toBe(1);
		expect(a1.x + a1.w).toBeLessThan(a2.x);
		expect(a2.x + a2.w).toBeLessThan(a3.x);
		expect(Math.abs(q.x + q.w / 2 - (a2.x + a2.w / 2))).toBeLessThan(1);
		expect(f.y).toBeGreaterThan(a1.y + a1.h);
		const all = [...boxes.values()];
		for (const [index, a] of all.entries()) for (const b of all.slice(index + 1)) expect(overlaps(a, b)).toBe(false);
	});

	it('puts the trees of several roots side by side, in order of arrival, and treats an unknown parent as a root', async () => {
		const boxes = await layoutConversationTree([card('r1', null), card('c1', 'r1'), card('r2', null), card('orphan', 'gone')]);
		expect(boxes.get('r1')!.x).toBe(0);
		expect(boxes.get('r2')!.x).toBeGreaterThan(boxes.get('r1')!.x + 380);
		expect(boxes.get('orphan')!.x).toBeGreaterThan(boxes.get('r2')!.x + 380);
		expect(boxes.get('r2')!.y).toBe(0);
	});

	it('gives the same layout every time', async () => {
		const cards = [card('a', null), card('b', 'a'), card('c', 'a'), card('d', 'c'), card('e', 'c')];
		expect([...(await layoutConversationTree(cards))]).toEqual([...(await layoutConversationTree(cards))]);
	});
});

describe('makeRoomForPinned', () => {
	it('moves the laid-out cards from the first one in the way down past a hand-placed card, keeping rows together', () => {
		const laidOut = new Map([
			['top', { x: 0, y: 0, w: 100, h: 50 }],
			['left', { x: 0, y: 100, w: 100, h: 50 }],
			['right', { x: 200, y: 100, w: 100, h: 50 }],
			['below', { x: 0, y: 200, w: 100, h: 50 }]
		]);
		const pinned = { x: 180, y: 90, w: 100, h: 60 };
		const moved = makeRoomForPinned(laidOut, [pinned]);
		expect(moved.get('top')).toEqual(laidOut.get('top'));
		const shift = pinned.y + pinned.h + PINNED_MARGIN - 100;
		expect(moved.get('left')!.y).toBe(100 + shift);
		expect(moved.get('right')!.y).toBe(100 + shift);
		expect(moved.get('below')!.y).toBe(200 + shift);
		for (const box of moved.values()) expect(overlaps(box, pinned, PINNED_MARGIN)).toBe(false);
		// The input is left as it was.
		expect(laidOut.get('left')!.y).toBe(100);
	});

	it('works around several hand-placed cards and leaves a layout with none in its way alone', () => {
		const laidOut = new Map(Array.from({ length: 6 }, (_, row) => [`r${row}`, { x: 0, y: row * 120, w: 380, h: 100 }]));
		const pins = [
			{ x: 10, y: 130, w: 380, h: 100 },
			{ x: 0, y: 500, w: 380, h: 300 }
		];
		const moved = makeRoomForPinned(laidOut, pins);
		for (const box of moved.values()) for (const pin of pins) expect(overlaps(box, pin, PINNED_MARGIN)).toBe(false);
		expect(makeRoomForPinned(laidOut, [{ x: 1000, y: 0, w: 10, h: 10 }])).toEqual(laidOut);
	});
});
