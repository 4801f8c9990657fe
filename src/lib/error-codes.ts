// The error vocabulary shared by server and browser: HTTP status and WebSocket close code per code.
export const ERROR_CODES = {
	INVALID_INPUT: { status: 400, closeCode: 4400 },
	UNAUTHENTICATED: { status: 401, closeCode: 4401 },
	FORBIDDEN: { status: 403, closeCode: 4403 },
	/**
	 * The right password (or GitHub/Google account), but the person's team requires single sign-on for
	 * their address: `details.ssoUrl` starts it. Never closes a socket (sessions are checked when they begin).
	 */
	SSO_REQUIRED: { status: 403, closeCode: 4403 },
	NOT_FOUND: { status: 404, closeCode: 4404 },
	CONFLICT: { status: 409, closeCode: 4409 },
	/** A link that existed but expired or was revoked. */
	GONE: { status: 410, closeCode: 4410 },
	/** A plan limit (canvases, seats, history, credits) was reached; the message names it and the upgrade. */
	LIMIT_EXCEEDED: { status: 402, closeCode: 4402 },
	PAYLOAD_TOO_LARGE: { status: 413, closeCode: 4413 },
	/** An upload whose content (sniffed, never its name) is not an accepted type; the message names those accepted. */
	UNSUPPORTED_MEDIA_TYPE: { status: 415, closeCode: 4415 },
	RATE_LIMITED: { status: 429, closeCode: 4429 },
	UNAVAILABLE: { status: 503, closeCode: 4503 }
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The error code a WebSocket close code stands for, if it is one of ours. */
export function errorCodeForClose(closeCode: number): ErrorCode | undefined {
	return (Object.keys(ERROR_CODES) as ErrorCode[]).find((code) => ERROR_CODES[code].closeCode === closeCode);
}
