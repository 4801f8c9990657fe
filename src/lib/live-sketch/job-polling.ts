// One poll loop per image job, shared by everyone watching it (the result frame's status and, at
// /sketch, the page that places the images): every `intervalMs` until the job finishes or nobody watches.
import { FINISHED_IMAGE_JOB_STATES, type ImageJobView } from '../live-sketch.ts';

export const JOB_POLL_MS = 1500;

type Listener = (job: ImageJobView) => void;

interface Loop {
	listeners: Set<Listener>;
	latest: ImageJobView | null;
	timer: ReturnType<typeof setTimeout> | null;
	stopped: boolean;
}

export interface JobPoller {
	/** Calls `listener` with each answer for the job (the latest one at once, if there is one); returns how to stop. */
	watch(jobId: string, listener: Listener): () => void;
}

export function createJobPoller(fetchJob: (jobId: string) => Promise<ImageJobView | null>, intervalMs = JOB_POLL_MS): JobPoller {
	const loops = new Map<string, Loop>();

	async function poll(jobId: string, loop: Loop): Promise<void> {
		loop.timer = null;
		const job = await fetchJob(jobId);
		if (loop.stopped) return;
		if (job) {
			loop.latest = job;
			for (const listener of [...loop.listeners]) listener(job);
		}
		if (job && FINISHED_IMAGE_JOB_STATES.has(job.state)) return;
		if (!loop.stopped) loop.timer = setTimeout(() => void poll(jobId, loop), intervalMs);
	}

	return {
		watch(jobId, listener) {
			let loop = loops.get(jobId);
			if (!loop) {
				loop = { listeners: new Set(), latest: null, timer: null, stopped: false };
				loops.set(jobId, loop);
				void poll(jobId, loop);
			} else if (loop.latest) {
				listener(loop.latest);
			}
			const watched = loop;
			watched.listeners.add(listener);
			return () => {
				watched.listeners.delete(listener);
				if (watched.listeners.size > 0) return;
				watched.stopped = true;
				if (watched.timer !== null) clearTimeout(watched.timer);
				if (loops.get(jobId) === watched) loops.delete(jobId);
			};
		}
	};
}
