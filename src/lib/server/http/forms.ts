// Form-action helpers: zod over FormData, AppError → fail() with the values to re-fill the form,
// and `formAction`, the form twin of api.ts's `api()`.
import { fail, type ActionFailure, type RequestEvent } from '@sveltejs/kit';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { UserActor } from '../access.ts';
import type { Services } from '../services.ts';
import { invalidInput } from './api.ts';
import { actorOf } from './actor.ts';

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
	if (error instanceof z.ZodError) error = invalidInput(error);
	if (!(error instanceof AppError)) throw error;
	const retryAfter = error.details?.retryAfterSeconds;
	if (setHeaders && typeof retryAfter === 'number') setHeaders({ 'retry-after': String(retryAfter) });
	const field = typeof error.details?.field === 'string' ? error.details.field : undefined;
	const limit = typeof error.details?.limit === 'string' ? error.details.limit : undefined;
	return fail(error.status, { error: error.message, code: error.code, limit, field, values });
}

/** What a form action's handler gets besides its parsed input. */
export interface FormCall<E extends RequestEvent> {
	event: E;
	data: FormData;
	actor: UserActor;
	services: Services;
	/** The request context the audit log records. */
	context: { ip: string };
}

/** How a form's fields become the handler's input: a zod schema over the fields, or a function of the FormData. */
export type FormInput<T> = z.ZodType<T> | ((data: FormData) => T);

export interface FormActionOptions {
	/** Fields never echoed back in a failure's `values` (API keys, passwords). */
	secretFields?: string[];
}

/**
 * Wraps a form action: reads the form, requires a signed-in actor, parses the fields, calls the
 * handler (one domain call), and maps AppErrors and zod errors to `fail()` with the submitted values
 * (so the page can re-fill the form). Redirects thrown by the handler pass through.
 */
export function formAction<E extends RequestEvent, T, R>(input: FormInput<T>, handler: (input: T, call: FormCall<E>) => Promise<R>, options: FormActionOptions = {}) {
	return async (event: E): Promise<R | FormFailure> => {
		const data = await event.request.formData();
		const values = formValues(data, ...(options.secretFields ?? []));
		try {
			const actor = actorOf(event.locals);
			const parsed = typeof input === 'function' ? input(data) : parseForm(data, input);
			return await handler(parsed, { event, data, actor, services: event.locals.services, context: { ip: event.getClientAddress() } });
		} catch (error) {
			return formFailure(error, values, event.setHeaders);
		}
	};
}
