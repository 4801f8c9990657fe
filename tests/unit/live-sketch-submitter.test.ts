// When sketches are sent: after a pause, one request in flight per frame, the latest sent after it;
// and the debounce that prompt and strength edits go through.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { debounce } from '../../src/lib/live-sketch/debounce.ts';
import { SketchSubmitter } from '../../src/lib/live-sketch/sketch-submitter.ts';

beforeEach(() => {
	vi.useFakeTimers();
});
afterEach(() => {
	vi.useRealTimers();
});

/** A `send` whose requests finish when the test says. */
function controlledSend() {
	const calls: { frameId: string; finish: () => void }[] = [];
	const send = vi.fn(
		(frameId: string) =>
			new Promise<void>((resolve) => {
				calls.push({ frameId, finish: resolve });
			})
	);
	return { send, calls };
}

describe('SketchSubmitter', () => {
	it('sends once changes pause, restarting the pause on every change', async () => {
		const { send, calls } = controlledSend();
		const submitter = new SketchSubmitter({ pauseMs: 500, send });
		submitter.changed('shape:a');
		await vi.advanceTimersByTimeAsync(400);
		submitter.changed('shape:a');
		await vi.advanceTimersByTimeAsync(400);
		expect(send).not.toHaveBeenCalled();
		await vi.advanceTimersByTimeAsync(100);
		expect(send).toHaveBeenCalledTimes(1);
		expect(calls[0].frameId).toBe('shape:a');
	});

	it('keeps one request in flight per frame and sends the newest sketch once it returns', async () => {
		const { send, calls } = controlledSend();
		const submitter = new SketchSubmitter({ pauseMs: 500, send });
		submitter.changed('shape:a');
		await vi.advanceTimersByTimeAsync(500);
		expect(submitter.isInFlight('shape:a')).toBe(true);
		// Three more changes while the first is in flight: one more request, not three.
		for (let i = 0; i < 3; i++) {
			submitter.changed('shape:a');
			await vi.advanceTimersByTimeAsync(600);
		}
		expect(send).toHaveBeenCalledTimes(1);
		calls[0].finish();
		await vi.advanceTimersByTimeAsync(0);
		expect(send).toHaveBeenCalledTimes(2);
		calls[1].finish();
		await vi.advanceTimersByTimeAsync(1000);
		expect(send).toHaveBeenCalledTimes(2);
		expect(submitter.isInFlight('shape:a')).toBe(false);
	});

	it('does not hold one frame back for another', async () => {
		const { send, calls } = controlledSend();
		const submitter = new SketchSubmitter({ pauseMs: 500, send });
		submitter.changed('shape:a');
		submitter.changed('shape:b');
		await vi.advanceTimersByTimeAsync(500);
		expect(calls.map((call) => call.frameId).sort()).toEqual(['shape:a', 'shape:b']);
	});

	it('sends at once when asked, cancelling the pending pause', async () => {
		const { send, calls } = controlledSend();
		const submitter = new SketchSubmitter({ pauseMs: 500, send });
		submitter.changed('shape:a');
		void submitter.now('shape:a');
		expect(send).toHaveBeenCalledTimes(1);
		calls[0].finish();
		await vi.advanceTimersByTimeAsync(1000);
		expect(send).toHaveBeenCalledTimes(1);
	});

	it('goes on after a request that throws', async () => {
		const send = vi.fn().mockRejectedValueOnce(new Error('offline')).mockResolvedValue(undefined);
		const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
		const submitter = new SketchSubmitter({ pauseMs: 500, send });
		await submitter.now('shape:a');
		await submitter.now('shape:a');
		expect(send).toHaveBeenCalledTimes(2);
		expect(errors).toHaveBeenCalledTimes(1);
		errors.mockRestore();
	});

	it('sends nothing after it is disposed', async () => {
		const { send } = controlledSend();
		const submitter = new SketchSubmitter({ pauseMs: 500, send });
		submitter.changed('shape:a');
		submitter.dispose();
		await vi.advanceTimersByTimeAsync(1000);
		submitter.changed('shape:a');
		await vi.advanceTimersByTimeAsync(1000);
		expect(send).not.toHaveBeenCalled();
	});
});

describe('debounce', () => {
	it('runs the last call once the calls pause', () => {
		const run = vi.fn();
		const save = debounce(run, 300);
		save('a');
		vi.advanceTimersByTime(200);
		save('ab');
		vi.advanceTimersByTime(299);
		expect(run).not.toHaveBeenCalled();
		vi.advanceTimersByTime(1);
		expect(run).toHaveBeenCalledExactlyOnceWith('ab');
	});

	it('runs a pending call on flush, and nothing when there is none', () => {
		const run = vi.fn();
		const save = debounce(run, 300);
		save('a');
		save.flush();
		expect(run).toHaveBeenCalledExactlyOnceWith('a');
		save.flush();
		vi.advanceTimersByTime(1000);
		expect(run).toHaveBeenCalledTimes(1);
	});

	it('drops the pending call on cancel', () => {
		const run = vi.fn();
		const save = debounce(run, 300);
		save('a');
		save.cancel();
		vi.advanceTimersByTime(1000);
		expect(run).not.toHaveBeenCalled();
	});
});
