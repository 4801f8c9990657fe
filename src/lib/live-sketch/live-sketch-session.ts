// Live submission in one editor: this user's drawing (or prompt change) in a sketch frame is rendered
// to PNG and sent once they pause; what the server said about the last attempt is kept per frame for
// the sketch controls. The transport decides where it goes (a canvas, or the guest playground).
import { atom, type Atom, type Editor, type TLShapeId } from 'tldraw';
import { SKETCH_PAUSE_MS, sketchFrameMeta, type ImageJobView } from '../live-sketch.ts';
import type { ImageRequestOutcome, ImageRequestProblem } from './image-api.ts';
import { frameHasContent, touchedSketchFrames } from './sketch-frames.ts';
import { SketchSubmitter } from './sketch-submitter.ts';

export interface SketchSubmission {
	frameId: TLShapeId;
	prompt: string;
	/** The frame as a PNG data URL. */
	sketch: string;
	variations: number;
	strength: number;
}

export interface LiveSketchTransport {
	/** What each image costs, as the controls say it. */
	costNote: string;
	submit(submission: SketchSubmission): Promise<ImageRequestOutcome>;
	/** The server took the sketch (at /sketch the page follows the job and places its images itself). */
	accepted?(submission: SketchSubmission, job: ImageJobView): void;
	dispose?(): void;
}

/** What the sketch controls show about this browser's last attempt for a frame. */
export type FrameNotice = { kind: 'sending' } | { kind: 'problem'; problem: ImageRequestProblem } | { kind: 'nothingDrawn' };

export class LiveSketchSession {
	readonly editor: Editor;
	readonly transport: LiveSketchTransport;
	/** Per sketch frame: sending, or why the last attempt was refused. */
	readonly notices: Atom<Record<string, FrameNotice | undefined>>;
	readonly #submitter: SketchSubmitter;
	readonly #variations = new Map<TLShapeId, number>();
	readonly #stopListening: () => void;

	constructor(editor: Editor, transport: LiveSketchTransport, pauseMs = SKETCH_PAUSE_MS) {
		this.editor = editor;
		this.transport = transport;
		this.notices = atom('live sketch notices', {});
		this.#submitter = new SketchSubmitter({ pauseMs, send: (frameId) => this.#send(frameId as TLShapeId) });
		// Only this user's own changes: collaborators' browsers send their own drawing.
		this.#stopListening = editor.store.listen(
			({ changes }) => {
				if (editor.getIsReadonly()) return;
				for (const frameId of touchedSketchFrames(changes, (id) => editor.store.get(id))) this.#submitter.changed(frameId);
			},
			{ source: 'user', scope: 'document' }
		);
	}

	/** Sends the frame now, with `variations` images ("Variations", "Try again"). */
	submitNow(frameId: TLShapeId, variations = 1): Promise<void> {
		this.#variations.set(frameId, variations);
		if (!frameHasContent(this.editor, frameId)) {
			this.#setNotice(frameId, { kind: 'nothingDrawn' });
			return Promise.resolve();
		}
		return this.#submitter.now(frameId);
	}

	dispose(): void {
		this.#stopListening();
		this.#submitter.dispose();
		this.transport.dispose?.();
	}

	async #send(frameId: TLShapeId): Promise<void> {
		const editor = this.editor;
		const variations = this.#variations.get(frameId) ?? 1;
		this.#variations.delete(frameId);
		const frame = editor.getShape(frameId);
		const meta = frame && sketchFrameMeta(frame.meta);
		if (!meta || editor.getIsReadonly()) return;
		// An empty prompt or frame is never sent; the controls ask for what is missing.
		if (!frameHasContent(editor, frameId) || !meta.prompt.trim()) {
			this.#setNotice(frameId, undefined);
			return;
		}
		this.#setNotice(frameId, { kind: 'sending' });
		const submission: SketchSubmission = { frameId, prompt: meta.prompt.trim(), sketch: await renderFrame(editor, frameId), variations, strength: meta.strength };
		const outcome = await this.transport.submit(submission);
		if (outcome.ok) {
			this.#setNotice(frameId, undefined);
			this.transport.accepted?.(submission, outcome.job);
		} else {
			this.#setNotice(frameId, { kind: 'problem', problem: outcome.problem });
		}
	}

	#setNotice(frameId: TLShapeId, notice: FrameNotice | undefined): void {
		this.notices.update((notices) => ({ ...notices, [frameId]: notice }));
	}
}

/** The frame and what is drawn in it, as a PNG data URL (the frame's own size, white behind). */
export async function renderFrame(editor: Editor, frameId: TLShapeId): Promise<string> {
	const { blob } = await editor.toImage([frameId], { format: 'png', background: true, padding: 0, pixelRatio: 1 });
	return blobToDataUrl(blob);
}

function blobToDataUrl(blob: Blob): Promise<string> {
	return new Promise((resolve, reject) => {
		const reader = new FileReader();
		reader.onload = () => resolve(String(reader.result));
		reader.onerror = () => reject(reader.error ?? new Error('could not read the sketch'));
		reader.readAsDataURL(blob);
	});
}
