// What one /api/v1 operation is in the contract: method, path, auth, the zod schemas of its input and
// its answers by status. The OpenAPI document, its tests and /docs/api are built from these.
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../errors.ts';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Who may call: `person` a session (bearer token or cookie) only, an API key is refused; `caller` a
 * session or an API key; `guest` also a share link sent as `Easel-Share-Token`; `public` anyone.
 */
export type OperationAuth = 'person' | 'caller' | 'guest' | 'public';

/** A request body: JSON validated by `schema`, or text, a multipart form or raw bytes of `mediaTypes`. */
export type RequestBodySpec =
	| { type: 'json'; schema: z.ZodType; required?: boolean; description?: string; /** Also takes a `text/plain` body. */ orText?: boolean }
	| { type: 'text'; description?: string }
	| { type: 'multipart'; schema: z.ZodType; description?: string }
	| { type: 'binary'; mediaTypes: readonly string[]; description?: string };

/** One answer: JSON described by `schema`, bytes of `mediaTypes`, or nothing (204, 304). */
export interface ResponseSpec {
	description: string;
	schema?: z.ZodType;
	/** Non-JSON bodies: PNG, PDF, .tldr, Yjs updates… (a JSON `schema` may be given beside them). */
	mediaTypes?: readonly string[];
	headers?: Record<string, string>;
}

export interface ApiOperation {
	method: HttpMethod;
	/** The full path, OpenAPI-style: `/api/v1/canvases/{id}`. */
	path: string;
	operationId: string;
	tag: string;
	summary: string;
	description?: string;
	auth: OperationAuth;
	params?: z.ZodObject;
	query?: z.ZodObject;
	body?: RequestBodySpec;
	/** The answers it gives on success, by status. */
	responses: Record<number, ResponseSpec>;
	/** Error codes beyond those every operation may answer (COMMON_ERRORS), e.g. LIMIT_EXCEEDED. */
	errors?: readonly ErrorCode[];
}

/** The wire shape of every error: AppError.toJSON(). */
export const errorSchema = z
	.object({
		error: z.object({
			code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
			message: z.string().meta({ description: 'What went wrong and what to do, in words for a person.' }),
			details: z
				.record(z.string(), z.unknown())
				.optional()
				.meta({ description: 'Machine-readable detail: the invalid `field` and `issues`, `retryAfterSeconds`, the limit reached…' })
		})
	})
	.meta({ id: 'Error', description: 'Every /api/v1 error: a code from the closed list, and a message.' });

/** Errors any operation may answer: bad input, no or a refused credential, not found, rate limit, outage. */
export const COMMON_ERRORS: readonly ErrorCode[] = ['INVALID_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'RATE_LIMITED', 'UNAVAILABLE'];

/**
 * The error codes an operation documents: the common ones, PAYLOAD_TOO_LARGE when it takes a body,
 * GONE when a share link may be presented (an expired or revoked one), LIMIT_EXCEEDED for writes
 * (a plan limit; a canvas over its plan is read-only), and its own.
 */
export function operationErrors(operation: ApiOperation): ErrorCode[] {
	const codes = new Set<ErrorCode>(COMMON_ERRORS);
	if (operation.body) codes.add('PAYLOAD_TOO_LARGE');
	if (operation.auth === 'guest') codes.add('GONE');
	// A canvas over its plan's limits is read-only: every write to it may be refused.
	if (operation.method !== 'get') codes.add('LIMIT_EXCEEDED');
	for (const code of operation.errors ?? []) codes.add(code);
	return [...codes];
}

export const isoDateTime = () => z.iso.datetime();
export const uuid = () => z.uuid();
