// The one error vocabulary of the domain, mapped to HTTP statuses and WebSocket close codes at the edges.

import { ERROR_CODES, type ErrorCode } from '../error-codes.ts';

export { ERROR_CODES, type ErrorCode };

/** Brands AppErrors so `instanceof` works across the bundled and unbundled copies of this module. */
const APP_ERROR = Symbol.for('easel.AppError');

export class AppError extends Error {
	readonly [APP_ERROR] = true;
	readonly code: ErrorCode;
	/** Extra machine-readable detail, e.g. which field was invalid or when to retry. */
	readonly details?: Record<string, unknown>;

	constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
		super(message);
		this.name = 'AppError';
		this.code = code;
		this.details = details;
	}

	static [Symbol.hasInstance](value: unknown): boolean {
		return typeof value === 'object' && value !== null && APP_ERROR in value;
	}

	get status(): number {
		return ERROR_CODES[this.code].status;
	}

	get closeCode(): number {
		return ERROR_CODES[this.code].closeCode;
	}

	toJSON() {
		return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
	}
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} was not found.`);

/** Validates domain input with zod, answering INVALID_INPUT (naming the field) instead of a raw ZodError. */
export function parseInput<T extends import('zod').ZodType>(schema: T, input: unknown): import('zod').infer<T> {
	const parsed = schema.safeParse(input);
	if (parsed.success) return parsed.data;
	const first = parsed.error.issues[0];
	const field = first?.path.join('.') || undefined;
	throw new AppError('INVALID_INPUT', first?.message ?? 'Invalid input.', field ? { field } : undefined);
}
