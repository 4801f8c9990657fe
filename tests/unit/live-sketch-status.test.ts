// What the result frame says about its job, from the frame's job and the queue's view of it.
import { describe, expect, it } from 'vitest';
import { EMPTY_RESULT_HINT, describeJob, formatEta, type JobProgressView } from '../../src/lib/live-sketch/job-status.ts';
import type { ResultFrameJob } from '../../src/lib/live-sketch.ts';

const job = (over: Partial<ResultFrameJob> = {}): ResultFrameJob => ({ id: 'j1', state: 'queued', variations: 1, updatedAt: 1, ...over });
const view = (over: Partial<JobProgressView> = {}): JobProgressView => ({
	state: 'queued',
	position: 3,
	etaSeconds: 20,
	workers: 1,
	progress: null,
	error: null,
	...over
});

describe('formatEta', () => {
	it('says seconds under a minute and minutes above, nothing without an estimate', () => {
		expect(formatEta(20)).toBe('about 20 s');
		expect(formatEta(0.2)).toBe('about 1 s');
		expect(formatEta(150)).toBe('about 3 min');
		expect(formatEta(null)).toBeNull();
		expect(formatEta(undefined)).toBeNull();
		expect(formatEta(-1)).toBeNull();
		expect(formatEta(Number.NaN)).toBeNull();
	});
});

describe('describeJob', () => {
	it('hints at what to do in an empty result frame, and says nothing over images', () => {
		expect(describeJob(null, null, false)).toEqual({ kind: 'hint', text: EMPTY_RESULT_HINT });
		expect(describeJob(undefined, null, true)).toEqual({ kind: 'none' });
	});

	it('tells the queue position and the wait', () => {
		expect(describeJob(job(), view(), false)).toEqual({ kind: 'queued', text: 'Queued · 3 ahead · about 20 s' });
		expect(describeJob(job(), view({ position: 0, etaSeconds: null }), false)).toEqual({ kind: 'queued', text: 'Queued · next' });
		// Before the first poll answers, the frame's own state still shows.
		expect(describeJob(job(), null, false)).toEqual({ kind: 'queued', text: 'Queued' });
	});

	it('says the service is busy, with the place in the queue, when no worker runs', () => {
		expect(describeJob(job(), view({ workers: 0, position: 3 }), false)).toEqual({
			kind: 'busy',
			text: 'The image service is busy: no image worker is running right now. #4 in the queue.'
		});
		expect(describeJob(job(), view({ workers: 0, position: null }), false)).toEqual({
			kind: 'busy',
			text: 'The image service is busy: no image worker is running right now.'
		});
	});

	it('shows progress while generating, from the frame first, and none when nobody knows', () => {
		expect(describeJob(job({ state: 'generating', progress: 0.42 }), view({ state: 'generating', progress: 0.1, etaSeconds: 6 }), false)).toEqual({
			kind: 'generating',
			text: 'Generating · 42 % · about 6 s',
			progress: 0.42
		});
		expect(describeJob(job({ state: 'generating' }), view({ state: 'generating', progress: 0.5, etaSeconds: null }), false)).toMatchObject({ progress: 0.5 });
		expect(describeJob(job({ state: 'generating' }), null, false)).toEqual({ kind: 'generating', text: 'Generating…', progress: null });
	});

	it('gives the reason a job failed', () => {
		expect(describeJob(job({ state: 'failed', error: 'The model timed out.' }), null, true)).toEqual({ kind: 'failed', text: 'The model timed out.' });
		expect(describeJob(job({ state: 'failed' }), view({ state: 'failed', error: 'From the poll.' }), false)).toEqual({ kind: 'failed', text: 'From the poll.' });
		expect(describeJob(job({ state: 'failed' }), null, false)).toEqual({ kind: 'failed', text: 'The image could not be made.' });
	});

	it('shows nothing over a finished job, and the hint after a cancelled one with no images', () => {
		expect(describeJob(job({ state: 'done' }), null, true)).toEqual({ kind: 'none' });
		expect(describeJob(job({ state: 'superseded' }), null, false)).toEqual({ kind: 'none' });
		expect(describeJob(job({ state: 'cancelled' }), null, false)).toEqual({ kind: 'hint', text: EMPTY_RESULT_HINT });
		expect(describeJob(job({ state: 'cancelled' }), null, true)).toEqual({ kind: 'none' });
	});
});
