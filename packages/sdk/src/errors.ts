// EaselError: the server's `{ error: { code, message, details? } }` answers as one exception, and the fetch wrapper that retries 429s.

/** An answer that is not a success: `status` is the HTTP status, `code` Easel's error code (`NOT_FOUND`, `FORBIDDEN`, `RATE_LIMITED`, ...). */
export class EaselError extends Error {
	readonly status: number;
	readonly code: string;
	readonly details: Record<string, unknown>;
	/** Seconds the server asked to wait (Retry-After), when it said. */
	readonly retryAfterSeconds: number | null;

	constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}, retryAfterSeconds: number | null = null) {
		super(message);
		this.name = 'EaselError';
		this.status = status;
		this.code = code;
		this.details = details;
		this.retryAfterSeconds = retryAfterSeconds;
	}
}

/** Reads a failed response's body into an EaselError; a body that is not Easel's error shape keeps its first characters as the message. */
export async function errorFromResponse(response: Response): Promise<EaselError> {
	const text = await response.text().catch(() => '');
	let body: unknown = null;
	try {
		body = text ? JSON.parse(text) : null;
	} catch {
		// not JSON: a proxy's page, say
	}
	return errorFromBody(response, body, text);
}

/** The EaselError for a response whose body was already parsed (`body`, or the raw `text` when it was not JSON). */
export function errorFromBody(response: Response, body: unknown, text = ''): EaselError {
	const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
	const code = typeof error?.code === 'string' ? error.code : `HTTP_${response.status}`;
	const message = typeof error?.message === 'string' ? error.message : text.slice(0, 200) || response.statusText || `HTTP ${response.status}`;
	const details = error?.details && typeof error.details === 'object' ? (error.details as Record<string, unknown>) : {};
	return new EaselError(response.status, code, message, details, retryAfterSeconds(response));
}

export interface RetryOptions {
	/** How many times a 429 is retried before its EaselError is thrown; default 3. */
	maxRetries?: number;
	/** The longest wait between tries, whatever Retry-After says; default 30 000 ms. */
	maxDelayMs?: number;
	/** The wait when the server sent no Retry-After, doubled on each retry; default 500 ms. */
	baseDelayMs?: number;
}

/**
 * A fetch that retries 429 answers up to `maxRetries` times, waiting what Retry-After says (capped
 * at `maxDelayMs`) or else a doubling delay. The request is cloned before each try, so a body is
 * sent whole every time; a streamed body cannot be cloned twice, so send those with the plain fetch.
 */
export function retryingFetch(fetcher: (request: Request) => Promise<Response>, options: RetryOptions = {}): (request: Request) => Promise<Response> {
	const maxRetries = options.maxRetries ?? 3;
	const maxDelayMs = options.maxDelayMs ?? 30_000;
	const baseDelayMs = options.baseDelayMs ?? 500;
	if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new TypeError('retry.maxRetries must be a whole number of 0 or more');
	return async (request) => {
		for (let attempt = 0; ; attempt++) {
			const response = await fetcher(attempt < maxRetries ? request.clone() : request);
			if (response.status !== 429 || attempt >= maxRetries) return response;
			const asked = retryAfterSeconds(response);
			await response.body?.cancel();
			await sleep(Math.min(asked === null ? baseDelayMs * 2 ** attempt : asked * 1000, maxDelayMs));
		}
	};
}

/** Retry-After as seconds: a number of seconds or an HTTP date; null when absent or unreadable. */
function retryAfterSeconds(response: Response): number | null {
	const header = response.headers.get('retry-after');
	if (!header) return null;
	const seconds = Number(header);
	if (Number.isFinite(seconds) && seconds >= 0) return seconds;
	const date = Date.parse(header);
	return Number.isNaN(date) ? null : Math.max(0, (date - Date.now()) / 1000);
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
