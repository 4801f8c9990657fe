// Which sketch frames a change touched, how result images are laid out, what refusals mean, and the
// shared job poll.
import { FrameShapeUtil, type RecordsDiff, type TLFrameShape, type TLRecord, type TLShape } from 'tldraw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IMAGES_NOT_CONFIGURED_MESSAGE, type ImageJobView } from '../../src/lib/live-sketch.ts';
import { problemFromResponse } from '../../src/lib/live-sketch/image-api.ts';
import { createJobPoller } from '../../src/lib/live-sketch/job-polling.ts';
import { RESULT_IMAGE_GAP, resultImageLayout, touchedSketchFrames } from '../../src/lib/live-sketch/sketch-frames.ts';
import { DEFAULT_PAGE_ID, newStore, rectangle } from './canvas/helpers.ts';

function frame(name: string, liveSketch: unknown, index = 'a1'): TLFrameShape {
	return {
		...rectangle(name, 0, index),
		type: 'frame',
		props: { ...FrameShapeUtil.prototype.getDefaultProps(), w: 512, h: 512 },
		meta: liveSketch ? { liveSketch } : {}
	} as unknown as TLFrameShape;
}

const sketch = frame('sketch', { role: 'sketch', resultFrameId: 'shape:result', prompt: 'a cat', strength: 0.5 });
const result = frame('result', { role: 'result', sketchFrameId: 'shape:sketch' }, 'a2');
const plain = frame('plain', null, 'a3');
const inside = (shape: TLShape, parent: TLShape): TLShape => ({ ...shape, parentId: parent.id });

/** The changes `change` makes to a store holding the frames, as a store listener sees them. */
function changesOf(setUp: TLShape[], change: (put: (records: TLShape[]) => void, remove: (ids: TLShape['id'][]) => void) => void) {
	const store = newStore();
	store.put([sketch, result, plain, ...setUp]);
	let changes: RecordsDiff<TLRecord> | null = null;
	const stop = store.listen((entry) => (changes = entry.changes), { scope: 'document' });
	change(
		(records) => store.put(records),
		(ids) => store.remove(ids)
	);
	stop();
	return { changes: changes!, get: (id: TLRecord['id']) => store.get(id) };
}

describe('touchedSketchFrames', () => {
	it('finds the sketch frame of a stroke drawn, changed or erased in it, at any depth', () => {
		const stroke = inside(rectangle('stroke'), sketch);
		const drawn = changesOf([], (put) => put([stroke]));
		expect([...touchedSketchFrames(drawn.changes, drawn.get)]).toEqual([sketch.id]);

		const changed = changesOf([stroke], (put) => put([{ ...stroke, x: 40 }]));
		expect([...touchedSketchFrames(changed.changes, changed.get)]).toEqual([sketch.id]);

		const erased = changesOf([stroke], (_put, remove) => remove([stroke.id]));
		expect([...touchedSketchFrames(erased.changes, erased.get)]).toEqual([sketch.id]);

		const group = inside(frame('group', null, 'a4'), sketch);
		const deep = inside(rectangle('deep'), group);
		const nested = changesOf([group], (put) => put([deep]));
		expect([...touchedSketchFrames(nested.changes, nested.get)]).toEqual([sketch.id]);
	});

	it('counts a shape moved out of a sketch frame as a change to it', () => {
		const stroke = inside(rectangle('stroke'), sketch);
		const moved = changesOf([stroke], (put) => put([{ ...stroke, parentId: DEFAULT_PAGE_ID }]));
		expect([...touchedSketchFrames(moved.changes, moved.get)]).toEqual([sketch.id]);
	});

	it('counts a prompt or strength change, but not moving the frame', () => {
		const prompt = changesOf([], (put) => put([{ ...sketch, meta: { liveSketch: { ...(sketch.meta.liveSketch as object), prompt: 'a dog' } } }]));
		expect([...touchedSketchFrames(prompt.changes, prompt.get)]).toEqual([sketch.id]);
		const moved = changesOf([], (put) => put([{ ...sketch, x: 300 }]));
		expect(touchedSketchFrames(moved.changes, moved.get).size).toBe(0);
	});

	it('ignores result frames, plain frames and the page', () => {
		const image = inside(rectangle('image'), result);
		const elsewhere = inside(rectangle('elsewhere'), plain);
		const loose = rectangle('loose');
		const diff = changesOf([], (put) => put([image, elsewhere, loose]));
		expect(touchedSketchFrames(diff.changes, diff.get).size).toBe(0);
	});
});

describe('resultImageLayout', () => {
	it('fills the frame with one image and shares a 2 × 2 grid among more', () => {
		expect(resultImageLayout(512, 512, 0)).toEqual([]);
		expect(resultImageLayout(512, 512, 1)).toEqual([{ x: 0, y: 0, w: 512, h: 512 }]);
		const cell = (512 - RESULT_IMAGE_GAP) / 2;
		const four = resultImageLayout(512, 512, 4);
		expect(four).toEqual([
			{ x: 0, y: 0, w: cell, h: cell },
			{ x: cell + RESULT_IMAGE_GAP, y: 0, w: cell, h: cell },
			{ x: 0, y: cell + RESULT_IMAGE_GAP, w: cell, h: cell },
			{ x: cell + RESULT_IMAGE_GAP, y: cell + RESULT_IMAGE_GAP, w: cell, h: cell }
		]);
		// Nothing spills out of the frame.
		for (const place of four) expect(place.x + place.w).toBeLessThanOrEqual(512);
		expect(resultImageLayout(512, 512, 3)).toHaveLength(3);
	});
});

describe('problemFromResponse', () => {
	it('tells the not-configured service apart from other unavailability', () => {
		expect(problemFromResponse(503, { error: { code: 'UNAVAILABLE', message: 'x', details: { reason: 'imagesNotConfigured' } } })).toEqual({
			kind: 'notConfigured',
			message: IMAGES_NOT_CONFIGURED_MESSAGE
		});
		expect(problemFromResponse(503, { error: { code: 'UNAVAILABLE', message: 'Try later.' } })).toEqual({ kind: 'other', message: 'Try later.' });
	});

	it('tells the guest limit apart from other rate limits, and maps the rest', () => {
		expect(problemFromResponse(429, { error: { code: 'RATE_LIMITED', message: 'Enough.', details: { limit: 'guestImages' } } }).kind).toBe('guestLimit');
		expect(problemFromResponse(429, { error: { code: 'RATE_LIMITED', message: 'Slow down.' } }).kind).toBe('rateLimited');
		expect(problemFromResponse(402, { error: { code: 'LIMIT_EXCEEDED', message: 'Out of credits.' } })).toEqual({ kind: 'limit', message: 'Out of credits.' });
		expect(problemFromResponse(403, { error: { code: 'FORBIDDEN', message: 'No.' } }).kind).toBe('forbidden');
		expect(problemFromResponse(400, { error: { code: 'INVALID_INPUT', message: 'Bad.' } }).kind).toBe('invalid');
		expect(problemFromResponse(500, 'not json')).toEqual({ kind: 'other', message: 'The image request failed (HTTP 500).' });
	});
});

describe('createJobPoller', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	const view = (state: ImageJobView['state']) => ({ id: 'j1', state }) as ImageJobView;

	it('polls once for everyone watching a job, until it finishes', async () => {
		const states: ImageJobView['state'][] = ['queued', 'generating', 'done'];
		const fetchJob = vi.fn(async () => view(states.shift() ?? 'done'));
		const poller = createJobPoller(fetchJob, 1500);
		const first = vi.fn();
		const second = vi.fn();
		poller.watch('j1', first);
		poller.watch('j1', second);
		await vi.advanceTimersByTimeAsync(0);
		expect(fetchJob).toHaveBeenCalledTimes(1);
		await vi.advanceTimersByTimeAsync(1500 * 5);
		expect(fetchJob).toHaveBeenCalledTimes(3);
		expect(first.mock.calls.map(([job]) => job.state)).toEqual(['queued', 'generating', 'done']);
		expect(second).toHaveBeenCalledTimes(3);
	});

	it('stops when nobody watches, and tells a late watcher the latest answer at once', async () => {
		const fetchJob = vi.fn(async () => view('queued'));
		const poller = createJobPoller(fetchJob, 1500);
		const stopFirst = poller.watch('j1', () => {});
		await vi.advanceTimersByTimeAsync(0);
		const late = vi.fn();
		const stopLate = poller.watch('j1', late);
		expect(late).toHaveBeenCalledExactlyOnceWith(view('queued'));
		stopFirst();
		stopLate();
		const calls = fetchJob.mock.calls.length;
		await vi.advanceTimersByTimeAsync(1500 * 4);
		expect(fetchJob).toHaveBeenCalledTimes(calls);
	});

	it('keeps polling through failed reads', async () => {
		const fetchJob = vi.fn().mockResolvedValueOnce(null).mockResolvedValue(view('done'));
		const poller = createJobPoller(fetchJob, 1500);
		const listener = vi.fn();
		poller.watch('j1', listener);
		await vi.advanceTimersByTimeAsync(1500 * 3);
		expect(fetchJob).toHaveBeenCalledTimes(2);
		expect(listener).toHaveBeenCalledExactlyOnceWith(view('done'));
	});
});
