// The chat panel's calls to the assistant API (`/api/v1/canvases/:id/assistant/…`), with the
// session cookie like every page fetch; failures come back as a message to show inline.
import type { ModelTierId, ReviewResult, StartedRun } from '../assistant-api.ts';

export type AssistantResult<T> = { ok: true; value: T } | { ok: false; code: string; message: string; status: number };

export type StartRunRequest = { prompt: string; tier: ModelTierId } & ({ parentMessageId: string | null } | { retryMessageId: string });

const FALLBACKS: Record<number, string> = {
	404: 'The assistant is not available on this server.',
	429: 'Too many requests to the assistant right now. Try again in a minute.'
};

async function call<T>(url: string, body: unknown, fallback: string): Promise<AssistantResult<T>> {
	let response: Response;
	try {
		response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
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
export function startRun(canvasId: string, request: StartRunRequest): Promise<AssistantResult<StartedRun>> {
	return call(base(canvasId), request, 'Could not ask the assistant.');
}

export function cancelRun(canvasId: string, runId: string): Promise<AssistantResult<unknown>> {
	return call(`${base(canvasId)}/${encodeURIComponent(runId)}/cancel`, {}, 'Could not cancel the answer.');
}

/** Accepts or rejects a run's changes (all of them without `changeIds`); refused ones come back with a reason. */
export function reviewRun(canvasId: string, runId: string, verdict: 'accept' | 'reject', changeIds?: string[]): Promise<AssistantResult<ReviewResult>> {
	return call(`${base(canvasId)}/${encodeURIComponent(runId)}/${verdict}`, changeIds ? { changeIds } : {}, `Could not ${verdict} the changes.`);
}
