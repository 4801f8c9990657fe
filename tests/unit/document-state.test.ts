// The canvas-state download format: updates behind their lengths, read back exactly or refused.
import { describe, expect, it } from 'vitest';
import { decodeUpdateFrames, encodeUpdateFrames, framedLength } from '../../src/lib/document-state.ts';

const join = (pieces: Uint8Array[]) => new Uint8Array(Buffer.concat(pieces));

describe('canvas state frames', () => {
	it('round-trip any updates, including empty ones, in order', () => {
		const updates = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array(70_000).map((_, i) => i % 251)];
		const body = join(encodeUpdateFrames(updates));
		expect(body.byteLength).toBe(framedLength(updates));
		expect(decodeUpdateFrames(body)).toEqual(updates);
	});

	it('read a body that starts inside a larger buffer', () => {
		const body = join(encodeUpdateFrames([new Uint8Array([9, 8, 7])]));
		const padded = new Uint8Array(body.byteLength + 5);
		padded.set(body, 5);
		expect(decodeUpdateFrames(padded.subarray(5))).toEqual([new Uint8Array([9, 8, 7])]);
	});

	it('an empty body is a canvas with nothing stored', () => {
		expect(decodeUpdateFrames(new Uint8Array(0))).toEqual([]);
		expect(framedLength([])).toBe(0);
	});

	it('refuse a body cut off inside a length or an update', () => {
		const body = join(encodeUpdateFrames([new Uint8Array([1, 2, 3, 4, 5])]));
		expect(() => decodeUpdateFrames(body.subarray(0, 2))).toThrow('cut off');
		expect(() => decodeUpdateFrames(body.subarray(0, body.byteLength - 1))).toThrow('cut off');
	});
});
