// The OpenAPI 3.1 document of /api/v1, generated with zod-openapi from the operations' zod schemas.

import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { ERROR_CODES, type ErrorCode } from '../errors.ts';
import { SESSION_COOKIE } from '../auth/sessions.ts';
import { SHARE_TOKEN_HEADER } from '../../document-state.ts';
import { errorSchema, operationErrors, type ApiOperation, type OperationAuth } from './operation.ts';
import { operationScope } from './scopes.ts';

/** The tags in the order the reference lists them, each with a line saying what it covers. */
export const OPENAPI_TAGS: { name: string; description: string }[] = [
	{ name: 'Accounts', description: 'Signing up, in and out; who you are.' },
	{ name: 'Canvases', description: 'Canvases, their content, exports, thumbnails and images.' },
	{ name: 'Trash', description: 'Canvases and teams in the trash: listing and restoring them.' },
	{ name: 'Library', description: "Stars and folders of a team's library (searching it is listing canvases with `q`)." },
	{ name: 'History', description: "A canvas's saved versions." },
	{ name: 'Sharing', description: 'Links that open one canvas for viewing or editing.' },
	{ name: 'Publishing', description: 'Publications and the public gallery.' },
	{ name: 'Conversations', description: 'LLM conversations pushed by programs, drawn as message cards.' },
	{ name: 'Assistant', description: 'Assistant runs, design documents and code per node.' },
	{ name: 'Images', description: 'Live sketch: pictures of sketches made by image workers, and the playground.' },
	{ name: 'Teams', description: 'Teams, members, invitations and the activity log.' },
	{ name: 'API keys', description: 'Per-team keys for programs.' },
	{ name: 'Billing', description: 'Plans, credits, AI usage and provider settings.' },
	{ name: 'Moderation', description: "The instance administrators' gallery moderation." },
	{ name: 'Meta', description: 'This document.' }
];

const AUTH_DESCRIPTIONS: Record<OperationAuth, string> = {
	person: 'A signed-in person (session token or cookie); an API key is refused.',
	caller: 'A signed-in person or an API key with the scope.',
	guest: 'A signed-in person, an API key, or a share link token in `Easel-Share-Token`.',
	public: 'Anyone; no credentials needed.'
};

const SECURITY: Record<OperationAuth, Record<string, string[]>[]> = {
	person: [{ bearerAuth: [] }, { sessionCookie: [] }],
	caller: [{ bearerAuth: [] }, { sessionCookie: [] }],
	guest: [{ bearerAuth: [] }, { sessionCookie: [] }, { shareToken: [] }],
	public: []
};

const binary = { type: 'string', format: 'binary' } as const;

/** The document, built afresh (the caller caches it). */
export function buildOpenApiDocument(operations: readonly ApiOperation[], options: { version?: string } = {}) {
	const paths: ZodOpenApiPathsObject = {};
	for (const operation of operations) {
		paths[operation.path] ??= {};
		paths[operation.path][operation.method] = openApiOperation(operation);
	}
	return createDocument({
		openapi: '3.1.0',
		info: {
			title: 'Easel API',
			version: options.version ?? '1',
			description:
				'The JSON API of Easel (`/api/v1`). Authenticate with `Authorization: Bearer <token>`: a session token from `POST /api/v1/auth/login`, or a team API key (`easel_…`). Every error is `{ error: { code, message, details? } }`.'
		},
		tags: OPENAPI_TAGS,
		paths,
		components: {
			schemas: { Error: errorSchema },
			securitySchemes: {
				bearerAuth: { type: 'http', scheme: 'bearer', description: 'A session token, or a team API key (`easel_…`).' },
				sessionCookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: `The browser's session cookie (\`__Host-${SESSION_COOKIE}\` over https).` },
				shareToken: { type: 'apiKey', in: 'header', name: SHARE_TOKEN_HEADER, description: "A share link's token, for guests of one canvas." }
			}
		}
	});
}

function openApiOperation(operation: ApiOperation): ZodOpenApiOperationObject {
	const scope = operationScope(operation.method, operation.path);
	return {
		operationId: operation.operationId,
		tags: [operation.tag],
		summary: operation.summary,
		...(operation.description ? { description: operation.description } : {}),
		security: SECURITY[operation.auth],
		'x-easel-auth': operation.auth,
		'x-easel-auth-description': AUTH_DESCRIPTIONS[operation.auth],
		...(scope ? { 'x-easel-scope': scope } : {}),
		...(operation.params || operation.query
			? { requestParams: { ...(operation.params ? { path: operation.params } : {}), ...(operation.query ? { query: operation.query } : {}) } }
			: {}),
		...(operation.body ? { requestBody: requestBody(operation.body) } : {}),
		responses: responses(operation)
	};
}

function requestBody(body: NonNullable<ApiOperation['body']>): NonNullable<ZodOpenApiOperationObject['requestBody']> {
	const description = body.description ? { description: body.description } : {};
	switch (body.type) {
		case 'json':
			return {
				...description,
				required: body.required ?? true,
				content: { 'application/json': { schema: body.schema }, ...(body.orText ? { 'text/plain': { schema: { type: 'string' } } } : {}) }
			};
		case 'text':
			return { ...description, required: true, content: { 'text/plain': { schema: { type: 'string' } } } };
		case 'multipart':
			return { ...description, required: true, content: { 'multipart/form-data': { schema: body.schema } } };
		case 'binary':
			return { ...description, required: true, content: Object.fromEntries(body.mediaTypes.map((type) => [type, { schema: binary }])) };
	}
}

function responses(operation: ApiOperation): ZodOpenApiResponsesObject {
	const result: ZodOpenApiResponsesObject = {};
	for (const [status, response] of Object.entries(operation.responses)) {
		const content = {
			...(response.schema ? { 'application/json': { schema: response.schema } } : {}),
			...Object.fromEntries((response.mediaTypes ?? []).map((type) => [type, { schema: binary }]))
		};
		result[status as `2${string}`] = {
			description: response.description,
			...(Object.keys(content).length > 0 ? { content } : {}),
			...(response.headers
				? { headers: Object.fromEntries(Object.entries(response.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])) }
				: {})
		};
	}
	const byStatus = new Map<number, ErrorCode[]>();
	for (const code of operationErrors(operation)) {
		const status = ERROR_CODES[code].status;
		byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
	}
	for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
		result[String(status) as `4${string}`] = {
			description: codes.join(', '),
			content: { 'application/json': { schema: errorSchema } },
			...(status === 429 ? { headers: { 'retry-after': { description: 'Seconds until a retry may succeed.', schema: { type: 'string' } } } } : {})
		};
	}
	return result;
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
