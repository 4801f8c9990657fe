// Easel's refusals as exceptions: the server's `{ error: { code, message } }` body, its status,
// and how long to wait when it rate-limits.

/** Anything but a 2xx from Easel. `code` is Easel's error code (`NOT_FOUND`, `RATE_LIMITED`, …). */
export class EaselError extends Error {
	readonly status: number;
	readonly code: string;
	/** The rest of the error body: `field` and `issues` for INVALID_INPUT, limits for LIMIT_EXCEEDED… */
	readonly details: Record<string, unknown>;
	/** Seconds to wait before trying again, when the server sent `Retry-After`. */
	readonly retryAfterSeconds: number | null;

	constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}, retryAfterSeconds: number | null = null) {
		super(message);
		this.name = 'EaselError';
		this.status = status;
		this.code = code;
		this.details = details;
		this.retryAfterSeconds = retryAfterSeconds;
	}

	/** The error a response carries (its JSON error body when it has one). */
	static from(response: Response, body: unknown): EaselError {
		const error = typeof body === 'object' && body !== null && 'error' in body ? (body as { error: Record<string, unknown> }).error : null;
		const { code, message, ...details } = error ?? {};
		const retryAfter = Number(response.headers.get('retry-after'));
		return new EaselError(
			response.status,
			typeof code === 'string' ? code : 'HTTP_ERROR',
			typeof message === 'string' ? message : `${response.status} ${response.statusText}`.trim(),
			details,
			Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null
		);
	}
}
