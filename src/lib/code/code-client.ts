// The code view's calls: start code for nodes (POST …/code) and read the run (GET …/assistant/runs/:id),
// with the session cookie; failures come back as a message to show.
import type { AssistantRunView, ModelTierId, StartedRun } from '../assistant-api.ts';

export type CodeResult<T> = { ok: true; value: T } | { ok: false; message: string; status: number };

async function request<T>(url: string, init: RequestInit, fallback: string): Promise<CodeResult<T>> {
	let response: Response;
	try {
		response = await fetch(url, init);
	} catch {
		return { ok: false, message: `${fallback} Check your connection.`, status: 0 };
	}
	const body = (await response.json().catch(() => null)) as (T & { error?: { message?: string } }) | null;
	if (response.ok && body) return { ok: true, value: body };
	return { ok: false, message: body?.error?.message ?? fallback, status: response.status };
}

export function startCode(canvasId: string, body: { shapeIds: string[]; language: Record<string, string>; tier: ModelTierId }): Promise<CodeResult<StartedRun>> {
	return request(
		`/api/v1/canvases/${encodeURIComponent(canvasId)}/code`,
		{ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
		'Could not start generating code.'
	);
}

export async function readRun(canvasId: string, runId: string): Promise<CodeResult<AssistantRunView>> {
	const result = await request<{ run: AssistantRunView }>(
		`/api/v1/canvases/${encodeURIComponent(canvasId)}/assistant/runs/${encodeURIComponent(runId)}`,
		{ headers: { accept: 'application/json' } },
		'Could not load the code.'
	);
	return result.ok ? { ok: true, value: result.value.run } : result;
}

export function cancelCode(canvasId: string, runId: string): Promise<CodeResult<unknown>> {
	return request(
		`/api/v1/canvases/${encodeURIComponent(canvasId)}/assistant/runs/${encodeURIComponent(runId)}/cancel`,
		{ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' },
		'Could not stop it.'
	);
}
