// Turns a domain error into what Hocuspocus sends a refused client: a named reason and close code.
import { AppError } from '../../src/lib/server/errors.ts';

export interface Refusal {
	/** Sent to the provider in the permission-denied message (`onAuthenticationFailed({ reason })`). */
	reason: string;
	/** WebSocket close code when the socket itself is closed. */
	code: number;
	message: string;
}

export function refusal(error: unknown): Refusal {
	const appError = error instanceof AppError ? error : new AppError('UNAVAILABLE', 'The canvas could not be opened right now. Try again shortly.');
	return { reason: appError.code, code: appError.closeCode, message: appError.message };
}
