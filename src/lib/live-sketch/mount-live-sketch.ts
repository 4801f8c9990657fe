// Starts live sketch in a mounted editor: the session that sends sketches, the shared job poller,
// and whether this server makes images at all. The page renders the overlay with what this returns.
import { atom, type Editor } from 'tldraw';
import { fetchImageJob, fetchImageService } from './image-api.ts';
import { createJobPoller, type JobPoller } from './job-polling.ts';
import { LiveSketchSession, type LiveSketchTransport } from './live-sketch-session.ts';
import type { LiveSketchUi } from './live-sketch-ui.ts';

export interface MountLiveSketchOptions {
	mode: LiveSketchUi['mode'];
	billingHref: string | null;
	transport(poller: JobPoller): LiveSketchTransport;
}

export function mountLiveSketch(editor: Editor, options: MountLiveSketchOptions): { ui: LiveSketchUi; dispose(): void } {
	const poller = createJobPoller(fetchImageJob);
	const session = new LiveSketchSession(editor, options.transport(poller));
	const imagesConfigured = atom<boolean | null>('images configured', null);
	let disposed = false;
	void fetchImageService().then((service) => {
		if (!disposed && service) imagesConfigured.set(service.configured);
	});
	return {
		ui: { session, poller, mode: options.mode, billingHref: options.billingHref, imagesConfigured },
		dispose() {
			disposed = true;
			session.dispose();
		}
	};
}
