// The browser's side of the image API: send a sketch (on a canvas, or as a guest at /sketch), read
// a job, and turn refusals into what the sketch controls show.
import { IMAGES_NOT_CONFIGURED_MESSAGE, type ImageJobView, type ImageRequest } from '../live-sketch.ts';

/** Why a sketch was not accepted, as the controls tell it. */
export interface ImageRequestProblem {
	kind: 'notConfigured' | 'limit' | 'guestLimit' | 'rateLimited' | 'forbidden' | 'invalid' | 'network' | 'other';
	message: string;
}

export type ImageRequestOutcome = { ok: true; job: ImageJobView } | { ok: false; problem: ImageRequestProblem };

interface ErrorBody {
	error?: { code?: string; message?: string; details?: { reason?: string; limit?: string } };
}

/** The problem an error answer (status and parsed body) stands for. */
export function problemFromResponse(status: number, body: unknown): ImageRequestProblem {
	const error = (body as ErrorBody | null)?.error;
	const code = error?.code;
	const message = error?.message || `The image request failed (HTTP ${status}).`;
	if (code === 'UNAVAILABLE' && error?.details?.reason === 'imagesNotConfigured') return { kind: 'notConfigured', message: IMAGES_NOT_CONFIGURED_MESSAGE };
	if (code === 'LIMIT_EXCEEDED' || code === 'PAYMENT_REQUIRED' || status === 402) return { kind: 'limit', message };
	if (code === 'RATE_LIMITED' && error?.details?.limit === 'guestImages') return { kind: 'guestLimit', message };
	if (code === 'RATE_LIMITED' || status === 429) return { kind: 'rateLimited', message };
	if (code === 'FORBIDDEN' || status === 403) return { kind: 'forbidden', message };
	if (code === 'INVALID_INPUT' || status === 400) return { kind: 'invalid', message };
	return { kind: 'other', message };
}

async function postImageRequest(url: string, body: unknown): Promise<ImageRequestOutcome> {
	let response: Response;
	try {
		response = await fetch(url, {
			method: 'POST',
			credentials: 'same-origin',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body)
		});
	} catch {
		return { ok: false, problem: { kind: 'network', message: 'Could not reach the server. Check your connection.' } };
	}
	const parsed: unknown = await response.json().catch(() => null);
	if (!response.ok) return { ok: false, problem: problemFromResponse(response.status, parsed) };
	const job = (parsed as { job?: ImageJobView } | null)?.job;
	if (!job) return { ok: false, problem: { kind: 'other', message: 'The server answered without a job.' } };
	return { ok: true, job };
}

/** `POST /api/v1/canvases/:canvasId/images`: the job's state and images go into the canvas document. */
export function requestCanvasImage(canvasId: string, request: ImageRequest & { frameId: string }): Promise<ImageRequestOutcome> {
	return postImageRequest(`/api/v1/canvases/${encodeURIComponent(canvasId)}/images`, request);
}

/** `POST /api/v1/sketch/images`: a guest's sketch (a cookie says who); the page polls for the images. */
export function requestGuestImage(request: Omit<ImageRequest, 'frameId'>): Promise<ImageRequestOutcome> {
	return postImageRequest('/api/v1/sketch/images', request);
}

/** `GET /api/v1/image-jobs/:id`; null when it could not be read this time. */
export async function fetchImageJob(jobId: string): Promise<ImageJobView | null> {
	try {
		const response = await fetch(`/api/v1/image-jobs/${encodeURIComponent(jobId)}`, { credentials: 'same-origin' });
		if (!response.ok) return null;
		return ((await response.json()) as { job: ImageJobView }).job;
	} catch {
		return null;
	}
}

/** `GET /api/v1/images/service`: whether images can be made here at all. */
export async function fetchImageService(): Promise<{ configured: boolean; workers: number; queued: number } | null> {
	try {
		const response = await fetch('/api/v1/images/service', { credentials: 'same-origin' });
		if (!response.ok) return null;
		return ((await response.json()) as { service: { configured: boolean; workers: number; queued: number } }).service;
	} catch {
		return null;
	}
}
