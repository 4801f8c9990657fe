// What the result frame says about its job: from the job in the frame's meta (everyone sees it live)
// and, while the job waits or runs, the API's view of it (queue position, ETA, workers).
import type { ImageJobView, ResultFrameJob } from '../live-sketch.ts';

export type JobStatus =
	| { kind: 'hint'; text: string }
	| { kind: 'queued'; text: string }
	| { kind: 'busy'; text: string }
	| { kind: 'generating'; text: string; progress: number | null }
	| { kind: 'failed'; text: string }
	| { kind: 'none' };

export const EMPTY_RESULT_HINT = 'Draw in the sketch frame and type a prompt';

/** The queue's answer, as far as the status needs it. */
export type JobProgressView = Pick<ImageJobView, 'position' | 'etaSeconds' | 'workers' | 'progress' | 'state' | 'error'>;

/** "about 20 s", "about 2 min"; null when there is nothing to go by. */
export function formatEta(seconds: number | null | undefined): string | null {
	if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return null;
	if (seconds < 60) return `about ${Math.max(1, Math.round(seconds))} s`;
	return `about ${Math.round(seconds / 60)} min`;
}

/**
 * The status over a result frame. `view` is the latest poll of the job (null before the first, or
 * for another job than the frame's); the frame's own job state wins, since the server writes it first.
 */
export function describeJob(job: ResultFrameJob | null | undefined, view: JobProgressView | null, hasImages: boolean): JobStatus {
	if (!job) return hasImages ? { kind: 'none' } : { kind: 'hint', text: EMPTY_RESULT_HINT };
	switch (job.state) {
		case 'queued': {
			const position = view?.position ?? null;
			if (view && view.workers === 0) {
				const place = position === null ? '' : ` #${position + 1} in the queue.`;
				return { kind: 'busy', text: `The image service is busy: no image worker is running right now.${place}` };
			}
			const parts = ['Queued'];
			if (position !== null) parts.push(position === 0 ? 'next' : `${position} ahead`);
			const eta = formatEta(view?.etaSeconds);
			if (eta) parts.push(eta);
			return { kind: 'queued', text: parts.join(' · ') };
		}
		case 'generating': {
			const progress = job.progress ?? view?.progress ?? null;
			const parts = [progress === null ? 'Generating…' : `Generating · ${Math.round(progress * 100)} %`];
			const eta = formatEta(view?.etaSeconds);
			if (eta) parts.push(eta);
			return { kind: 'generating', text: parts.join(' · '), progress };
		}
		case 'failed':
			return { kind: 'failed', text: job.error || view?.error || 'The image could not be made.' };
		case 'done':
		case 'superseded':
			return { kind: 'none' };
		case 'cancelled':
			return hasImages ? { kind: 'none' } : { kind: 'hint', text: EMPTY_RESULT_HINT };
	}
}
