// What the live sketch overlay needs from the page that mounts it, passed down as React context.
import { createContext, useContext } from 'react';
import type { Atom } from 'tldraw';
import type { JobPoller } from './job-polling.ts';
import type { LiveSketchSession } from './live-sketch-session.ts';

export interface LiveSketchUi {
	session: LiveSketchSession;
	poller: JobPoller;
	/** `canvas`: a team's synced canvas; `guest`: the /sketch playground. */
	mode: 'canvas' | 'guest';
	/** Where "See plans and credits" leads when a limit is reached; null when this person can't upgrade. */
	billingHref: string | null;
	/** Whether this server can make images at all (null until known). */
	imagesConfigured: Atom<boolean | null>;
}

export const LiveSketchContext = createContext<LiveSketchUi | null>(null);

export function useLiveSketchUi(): LiveSketchUi | null {
	return useContext(LiveSketchContext);
}
