import { describe, expect, it } from 'vitest';
import { TextStreamBuffer } from '../../../src/lib/server/ai/text-stream-buffer.ts';

describe('TextStreamBuffer', () => {
	it('turns a burst of deltas into at most one write per interval, in order', async () => {
		const writes: { text: string; at: number }[] = [];
		const start = Date.now();
		const buffer = new TextStreamBuffer(async (text) => void writes.push({ text, at: Date.now() - start }), 50);
		// 2,000 one-word deltas over ~400 ms: a fast model's answer.
		for (let index = 0; index < 2000; index++) {
			buffer.push(`w${index} `);
			if (index % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
		}
		await buffer.flush();
		const elapsed = Date.now() - start;
		expect(writes.map((write) => write.text).join('')).toBe(Array.from({ length: 2000 }, (_, index) => `w${index} `).join(''));
		// ≤ ~20 a second, plus the final flush.
		expect(writes.length).toBeLessThanOrEqual(Math.ceil(elapsed / 50) + 2);
		expect(writes.length).toBeGreaterThan(1);
	});

	it('never overlaps writes, even when one is slow', async () => {
		let inFlight = 0;
		let overlapped = false;
		const texts: string[] = [];
		const buffer = new TextStreamBuffer(async (text) => {
			inFlight++;
			if (inFlight > 1) overlapped = true;
			await new Promise((resolve) => setTimeout(resolve, 30));
			texts.push(text);
			inFlight--;
		}, 5);
		for (const word of ['a', 'b', 'c', 'd', 'e']) {
			buffer.push(word);
			await new Promise((resolve) => setTimeout(resolve, 10));
		}
		await buffer.flush();
		expect(overlapped).toBe(false);
		expect(texts.join('')).toBe('abcde');
	});

	it('reports a failed write on flush', async () => {
		const buffer = new TextStreamBuffer(async () => {
			throw new Error('document closed');
		}, 5);
		buffer.push('hello');
		await expect(buffer.flush()).rejects.toThrow('document closed');
	});
});
