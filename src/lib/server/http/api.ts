// The /api/v1 edge: authentication, JSON body parsing with limits, and AppError → JSON responses.
import type { RequestEvent } from '@sveltejs/kit';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { runtime } from '../runtime.ts';
import type { SessionUser } from '../auth/sessions.ts';
import type { TeamActor, UserActor } from '../access.ts';
import { actorOf } from './actor.ts';

export function jsonError(error: AppError, headers: Record<string, string> = {}): Response {
	const retryAfter = error.details?.retryAfterSeconds;
	return Response.json(error.toJSON(), {
		status: error.status,
		headers: { ...headers, ...(typeof retryAfter === 'number' ? { 'retry-after': String(retryAfter) } : {}) }
	});
}

/** Wraps a route handler: AppErrors and zod errors become `{ error: { code, message } }` responses. */
export function api<E extends RequestEvent>(handler: (event: E) => Promise<Response>) {
	return async (event: E): Promise<Response> => {
		try {
			return await handler(event);
		} catch (error) {
			if (error instanceof AppError) return jsonError(error);
			if (error instanceof z.ZodError) return jsonError(invalidInput(error));
			runtime().logger.error({ err: error, requestId: event.locals.requestId, route: event.route.id }, 'api error');
			return jsonError(new AppError('UNAVAILABLE', 'Something went wrong on our side. Try again shortly.'));
		}
	};
}

/** The signed-in person; UNAUTHENTICATED saying why a bearer token was refused, FORBIDDEN for an API key. */
export function requireUser(event: RequestEvent): SessionUser {
	if (event.locals.user) return event.locals.user;
	if (event.locals.bearerProblem) throw event.locals.bearerProblem;
	if (event.locals.actor.kind === 'apiKey') throw new AppError('FORBIDDEN', 'This needs a signed-in person; an API key cannot do it.');
	throw new AppError('UNAUTHENTICATED', 'Sign in, or send Authorization: Bearer <session token>.');
}

/** The signed-in caller as a domain actor, plus the request context the audit log records. */
export function userActor(event: RequestEvent): { actor: UserActor; context: { ip: string } } {
	requireUser(event);
	return { actor: actorOf(event.locals), context: { ip: event.getClientAddress() } };
}

/**
 * The caller as a domain actor: the signed-in person, or a team's API key (its scopes decide what
 * it may do, in the domain like everyone's permissions); UNAUTHENTICATED otherwise.
 */
export function callerActor(event: RequestEvent): TeamActor {
	if (event.locals.actor.kind === 'apiKey') return event.locals.actor;
	requireUser(event);
	return actorOf(event.locals);
}

/** `callerActor` plus the request context the audit log records. */
export function caller(event: RequestEvent): { actor: TeamActor; context: { ip: string } } {
	return { actor: callerActor(event), context: { ip: event.getClientAddress() } };
}

/** Reads and validates a JSON body, refusing wrong content types and bodies over the configured size (or `options.limit`, for bodies that carry a picture). */
export async function readJson<T extends z.ZodType>(event: RequestEvent, schema: T, options: { limit?: number } = {}): Promise<z.infer<T>> {
	const limit = options.limit ?? runtime().config.MAX_JSON_BODY_BYTES;
	const contentType = event.request.headers.get('content-type') ?? '';
	if (!contentType.toLowerCase().startsWith('application/json')) {
		throw new AppError('INVALID_INPUT', 'Send the body as JSON with Content-Type: application/json.');
	}
	const text = new TextDecoder().decode(await readBody(event.request, limit, () => tooLarge(limit)));
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {
		throw new AppError('INVALID_INPUT', 'The body is not valid JSON.');
	}
	const parsed = schema.safeParse(body);
	if (!parsed.success) throw invalidInput(parsed.error);
	return parsed.data;
}

/**
 * The request body, kept only up to `limit` bytes: a larger declared Content-Length is refused
 * before anything is kept, and a body without one (chunked) once it passes the limit. The HTTP
 * server's own BODY_SIZE_LIMIT is as large as the largest upload, so each reader sets its own.
 */
export async function readBody(request: Request, limit: number, tooLarge: () => AppError, options: { drain?: boolean } = {}): Promise<Uint8Array<ArrayBuffer>> {
	const declared = Number(request.headers.get('content-length') ?? Number.NaN);
	const refuse = async (reader?: ReadableStreamDefaultReader<Uint8Array>) => {
		// Closing a connection the client is still writing to resets it before the client has read
		// the answer; with `drain` the rest is read and dropped first, so the client hears why.
		if (options.drain && request.body) {
			const rest = reader ?? request.body.getReader();
			try {
				while (!(await rest.read()).done);
			} catch {
				// The client went away, or the body passed the server's own limit: nothing to hear then.
			}
		} else void reader?.cancel().catch(() => {});
		return tooLarge();
	};
	if (Number.isFinite(declared) && declared > limit) throw await refuse();
	if (!request.body) return new Uint8Array(0);
	const reader = request.body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			size += value.byteLength;
			if (size > limit) throw await refuse(reader);
			chunks.push(value);
		}
	} catch (error) {
		if (error instanceof AppError) throw error;
		// adapter-node errors the stream past BODY_SIZE_LIMIT (413); otherwise the client went away.
		if ((error as { status?: number })?.status === 413) throw tooLarge();
		throw new AppError('INVALID_INPUT', 'The request body could not be read to its end.');
	}
	const body = new Uint8Array(size);
	let offset = 0;
	for (const chunk of chunks) {
		body.set(chunk, offset);
		offset += chunk.byteLength;
	}
	return body;
}

/** The query string as an object (blank values left out), validated with `schema`; INVALID_INPUT names the key. */
export function readQuery<T extends z.ZodType>(event: RequestEvent, schema: T): z.infer<T> {
	const raw = Object.fromEntries([...event.url.searchParams].filter(([, value]) => value !== ''));
	const parsed = schema.safeParse(raw);
	if (!parsed.success) throw invalidInput(parsed.error);
	return parsed.data;
}

/** A path parameter that is an id: anything but a uuid is INVALID_INPUT before it reaches a query. */
export function uuidParam<E extends RequestEvent>(event: E, name: keyof E['params'] & string): string {
	const value = (event.params as Record<string, string | undefined>)[name] ?? '';
	if (!z.uuid().safeParse(value).success) throw new AppError('INVALID_INPUT', `${name} must be an id (a UUID).`, { field: name });
	return value;
}

export function invalidInput(error: z.ZodError): AppError {
	const first = error.issues[0];
	const field = first?.path.join('.') || undefined;
	return new AppError('INVALID_INPUT', first ? first.message : 'Invalid input.', {
		...(field ? { field } : {}),
		issues: error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }))
	});
}

function tooLarge(limit: number): AppError {
	return new AppError('PAYLOAD_TOO_LARGE', `The body is larger than the ${Math.round(limit / 1024)} KB limit.`);
}
