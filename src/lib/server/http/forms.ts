// Form-action helpers: zod over FormData, AppError → fail() with the values to re-fill the form.
import { fail, type ActionFailure } from '@sveltejs/kit';
import type { z } from 'zod';
import { AppError } from '../errors.ts';
import { invalidInput } from './api.ts';

/** `code` and `limit` let a page tell a plan limit (LIMIT_EXCEEDED, with `details.limit`) from other failures. */
export type FormFailure = ActionFailure<{ error: string; code: string; limit?: string; field?: string; values: Record<string, string> }>;

export function formValues(data: FormData, ...omit: string[]): Record<string, string> {
	const values: Record<string, string> = {};
	for (const [key, value] of data) if (typeof value === 'string' && !omit.includes(key)) values[key] = value;
	return values;
}

export function parseForm<T extends z.ZodType>(data: FormData, schema: T): z.infer<T> {
	const parsed = schema.safeParse(Object.fromEntries(data));
	if (!parsed.success) throw invalidInput(parsed.error);
	return parsed.data;
}

/**
 * Maps an AppError to a form failure; anything else is rethrown (a 500 with a generic page). With
 * the event's `setHeaders`, a RATE_LIMITED failure also carries Retry-After, as in the JSON API.
 */
export function formFailure(error: unknown, values: Record<string, string>, setHeaders?: (headers: Record<string, string>) => void): FormFailure {
	if (!(error instanceof AppError)) throw error;
	const retryAfter = error.details?.retryAfterSeconds;
	if (setHeaders && typeof retryAfter === 'number') setHeaders({ 'retry-after': String(retryAfter) });
	const field = typeof error.details?.field === 'string' ? error.details.field : undefined;
	const limit = typeof error.details?.limit === 'string' ? error.details.limit : undefined;
	return fail(error.status, { error: error.message, code: error.code, limit, field, values });
}
