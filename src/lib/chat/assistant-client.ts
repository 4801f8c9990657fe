// The chat panel's calls to the assistant API (`/api/v1/canvases/:id/assistant/…`), with the
// session cookie like every page fetch; failures come back as a message to show inline.
import type { ModelTierId, ReviewResult, StartedRun } from '../assistant-api.ts';
import type { CanvasFocus } from '../canvas/canvas-focus.ts';
import { SHARE_TOKEN_HEADER } from '../document-state.ts';

export type AssistantResult<T> = { ok: true; value: T } | { ok: false; code: string; message: string; status: number };

export type StartRunRequest = { prompt: string; tier: ModelTierId; context?: CanvasFocus } & ({ parentMessageId: string | null } | { retryMessageId: string });

const FALLBACKS: Record<number, string> = {
	404: 'The assistant is not available on this server.',
	429: 'Too many requests to the assistant right now. Try again in a minute.'
};

/** A guest on a share link has no session: the link's token goes along (`Easel-Share-Token`). */
export interface AssistantCallOptions {
	shareToken?: string;
}

async function call<T>(url: string, body: unknown, fallback: string, options: AssistantCallOptions = {}): Promise<AssistantResult<T>> {
	let response: Response;
	const headers: Record<string, string> = { 'content-type': 'application/json' };
	if (options.shareToken) headers[SHARE_TOKEN_HEADER] = options.shareToken;
	try {
		response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body ?? {}) });
	} catch {
		return { ok: false, code: 'NETWORK', message: `${fallback} Check your connection.`, status: 0 };
	}
	if (response.ok) {
		const value = (await response.json().catch(() => ({}))) as T;
		return { ok: true, value };
	}
	let code = 'ERROR';
	let message = FALLBACKS[response.status] ?? fallback;
	try {
		const parsed = (await response.json()) as { error?: { code?: string; message?: string } };
		code = parsed.error?.code ?? code;
		// The API's catch-all answers a route that doesn't exist (yet) on this server: say so plainly.
		const routeMissing = response.status === 404 && parsed.error?.message?.startsWith('No API route');
		if (parsed.error?.message && !routeMissing) message = parsed.error.message;
	} catch {
		// Not JSON (a proxy's page, a missing route): the fallback says enough.
	}
	return { ok: false, code, message, status: response.status };
}

const base = (canvasId: string) => `/api/v1/canvases/${encodeURIComponent(canvasId)}/assistant/runs`;

/** Asks the assistant: a new prompt under `parentMessageId`, or a retry of a failed answer (a sibling answer). */
export function startRun(canvasId: string, request: StartRunRequest, options?: AssistantCallOptions): Promise<AssistantResult<StartedRun>> {
	return call(base(canvasId), request, 'Could not ask the assistant.', options);
}

export function cancelRun(canvasId: string, runId: string, options?: AssistantCallOptions): Promise<AssistantResult<unknown>> {
	return call(`${base(canvasId)}/${encodeURIComponent(runId)}/cancel`, {}, 'Could not cancel the answer.', options);
}

/** Accepts or rejects a run's changes (all of them without `changeIds`); refused ones come back with a reason. */
export function reviewRun(
	canvasId: string,
	runId: string,
	verdict: 'accept' | 'reject',
	changeIds?: string[],
	options?: AssistantCallOptions
): Promise<AssistantResult<ReviewResult>> {
	return call(`${base(canvasId)}/${encodeURIComponent(runId)}/${verdict}`, changeIds ? { changeIds } : {}, `Could not ${verdict} the changes.`, options);
}
