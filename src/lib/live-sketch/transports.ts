// Where sketches go: a synced canvas (the server writes the job and its images into the document), or
// the guest playground at /sketch (nothing is synced: this page writes the job's state and images into
// its own result frame as the poll reports them).
import type { Editor, TLShapeId } from 'tldraw';
import { FINISHED_IMAGE_JOB_STATES, GUEST_IMAGES_PER_DAY, sketchFrameMeta, type ImageJobView } from '../live-sketch.ts';
import { requestCanvasImage, requestGuestImage } from './image-api.ts';
import type { JobPoller } from './job-polling.ts';
import type { LiveSketchTransport } from './live-sketch-session.ts';
import { placeResultImages, setResultFrameJob } from './sketch-frames.ts';

export function canvasTransport(canvasId: string): LiveSketchTransport {
	return {
		costNote: '1 credit per image',
		submit: ({ frameId, prompt, sketch, variations, strength }) => requestCanvasImage(canvasId, { frameId, prompt, sketch, variations, strength })
	};
}

export function guestTransport(editor: Editor, poller: JobPoller): LiveSketchTransport {
	/** Per result frame: the job it shows and how to stop following it (a newer sketch replaces it). */
	const followed = new Map<TLShapeId, { jobId: string; stop: () => void }>();
	const follow = (resultFrameId: TLShapeId, job: ImageJobView) => {
		followed.get(resultFrameId)?.stop();
		// Written as the server would write it on a canvas: not this user's edit, not undoable.
		const show = (view: ImageJobView) =>
			editor.store.mergeRemoteChanges(() => {
				setResultFrameJob(editor, resultFrameId, {
					id: view.id,
					state: view.state,
					progress: view.progress,
					error: view.error,
					variations: view.variations,
					updatedAt: Date.now()
				});
				if (view.state === 'done') placeResultImages(editor, resultFrameId, view);
			});
		show(job);
		let stopped = false;
		let stopWatching: (() => void) | null = null;
		const stop = () => {
			stopped = true;
			stopWatching?.();
			if (followed.get(resultFrameId)?.jobId === job.id) followed.delete(resultFrameId);
		};
		// The poller may answer at once (a job it already follows), before `stopWatching` is set.
		stopWatching = poller.watch(job.id, (view) => {
			if (stopped) return;
			show(view);
			if (FINISHED_IMAGE_JOB_STATES.has(view.state)) stop();
		});
		if (stopped) stopWatching();
		if (!stopped) followed.set(resultFrameId, { jobId: job.id, stop });
	};
	return {
		costNote: `Free · ${GUEST_IMAGES_PER_DAY} images a day`,
		submit: ({ prompt, sketch, variations, strength }) => requestGuestImage({ prompt, sketch, variations, strength }),
		accepted({ frameId }, job) {
			const frame = editor.getShape(frameId);
			const meta = frame && sketchFrameMeta(frame.meta);
			if (meta) follow(meta.resultFrameId as TLShapeId, job);
		},
		dispose() {
			for (const { stop } of [...followed.values()]) stop();
		}
	};
}
