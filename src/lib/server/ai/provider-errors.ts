// Why a model call failed, in words a person can act on. The AI SDK's errors carry the provider's
// HTTP status (APICallError, possibly wrapped in a RetryError); network failures carry a cause code.
import { APICallError, RetryError } from 'ai';

export interface RunFailure {
	/** Shown in the chat and returned by the API. */
	reason: string;
	/** For logs and usage: provider_auth, provider_rate_limited, provider_error, unreachable, timeout, malformed_tool_call, limit, internal. */
	kind: string;
}

export function describeProviderError(error: unknown, options: { timeoutSeconds: number }): RunFailure {
	const last = RetryError.isInstance(error) ? error.lastError : error;
	if (isTimeout(last)) return { kind: 'timeout', reason: `The AI provider did not finish within ${options.timeoutSeconds} seconds.` };
	if (APICallError.isInstance(last)) {
		const status = last.statusCode;
		const detail = providerMessage(last);
		if (status === 401 || status === 403) {
			return {
				kind: 'provider_auth',
				reason: `The AI provider refused the API key (${status}). An admin can check the key in team settings or the server's AI_API_KEY.`
			};
		}
		if (status === 429) return { kind: 'provider_rate_limited', reason: `The AI provider is rate limiting requests (429). Try again in a minute.${detail}` };
		if (status === 404) return { kind: 'provider_error', reason: `The AI provider does not know this model (404).${detail}` };
		if (status !== undefined) return { kind: 'provider_error', reason: `The AI provider failed (${status}).${detail}` };
		return { kind: 'unreachable', reason: `Could not reach the AI provider (${hostOf(last.url)}).` };
	}
	const code = causeCode(last);
	if (
		code === 'ECONNREFUSED' ||
		code === 'ENOTFOUND' ||
		code === 'ECONNRESET' ||
		code === 'EAI_AGAIN' ||
		(last instanceof TypeError && /fetch failed/i.test(last.message))
	) {
		return { kind: 'unreachable', reason: 'Could not reach the AI provider.' };
	}
	return { kind: 'internal', reason: 'The assistant failed unexpectedly. Try again.' };
}

function providerMessage(error: APICallError): string {
	try {
		const body = JSON.parse(error.responseBody ?? '') as { error?: { message?: unknown } | string; message?: unknown };
		const message = typeof body.error === 'string' ? body.error : (body.error?.message ?? body.message);
		// The provider's words, short: they may name the model or the quota; never echo more.
		if (typeof message === 'string' && message.trim()) return ` The provider said: "${message.trim().slice(0, 200)}"`;
	} catch {
		// not JSON
	}
	return '';
}

function hostOf(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return 'unknown address';
	}
}

function isTimeout(error: unknown): boolean {
	return error instanceof Error && (error.name === 'TimeoutError' || (error.name === 'AbortError' && /timeout|timed out/i.test(String(error.message))));
}

/** The first error `code` (ECONNREFUSED, …) along an error's cause chain. */
export function causeCode(error: unknown): string | undefined {
	for (let current = error, depth = 0; current && depth < 5; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string') return code;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}
