// Checks answers against the OpenAPI document: finds the operation of a method + URL path, and
// validates a status and body with ajv (JSON Schema 2020-12), compiling each schema once.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { API_OPERATIONS, buildOpenApiDocument } from '../../src/lib/server/api-contract/index.ts';

type Document = ReturnType<typeof buildOpenApiDocument>;
type Json = Record<string, unknown>;

const DOCUMENT_ID = 'https://easel.invalid/openapi.json';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An ajv that knows the formats zod emits, with the document added so `#/components/…` refs resolve. */
export function documentAjv(document: Document): Ajv2020 {
	const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
	ajv.addFormat('uuid', UUID);
	ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));
	ajv.addFormat('email', /^[^\s@]+@[^\s@]+$/);
	ajv.addFormat('uri', (value: string) => URL.canParse(value));
	ajv.addFormat('binary', () => true);
	ajv.addSchema(document as unknown as Json, DOCUMENT_ID);
	return ajv;
}

/** `#/…` JSON pointer of a path inside the document. */
export function pointer(...segments: string[]): string {
	return `${DOCUMENT_ID}#/${segments.map((segment) => segment.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
}

export interface MatchedOperation {
	path: string;
	method: string;
	operationId: string;
}

export interface ResponseProblem {
	operation: string;
	status: number;
	message: string;
}

export function createResponseValidator(document: Document = buildOpenApiDocument(API_OPERATIONS)) {
	const ajv = documentAjv(document);
	const templates = Object.keys(document.paths ?? {}).map((path) => ({
		path,
		// A literal segment wins over a parameter (`/canvases/import` before `/canvases/{id}`).
		literal: path.split('/').filter((segment) => !segment.startsWith('{')).length,
		pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`)
	}));
	templates.sort((a, b) => b.literal - a.literal);
	const validators = new Map<string, ValidateFunction>();

	function match(method: string, pathname: string): MatchedOperation | undefined {
		for (const template of templates) {
			if (!template.pattern.test(pathname)) continue;
			const operation = (document.paths?.[template.path] as Json | undefined)?.[method.toLowerCase()] as { operationId: string } | undefined;
			if (operation) return { path: template.path, method: method.toLowerCase(), operationId: operation.operationId };
		}
		return undefined;
	}

	/** Whether any operation has this path (a known route asked with a method it does not have). */
	function knowsPath(pathname: string): boolean {
		return templates.some((template) => template.pattern.test(pathname));
	}

	/** The problem with an answer, or undefined when the document describes it. `body` is the text, for JSON. */
	function check(operation: MatchedOperation, status: number, contentType: string, body: string | undefined): string | undefined {
		const responses = ((document.paths?.[operation.path] as Json)[operation.method] as { responses: Json }).responses;
		const response = responses[String(status)] as { content?: Record<string, unknown> } | undefined;
		if (!response) return `status ${status} is not documented (documented: ${Object.keys(responses).join(', ')})`;
		const mediaType = contentType.split(';')[0].trim().toLowerCase();
		const content = response.content ?? {};
		if (Object.keys(content).length === 0) {
			return body ? `status ${status} is documented without a body, but the answer has one (${mediaType || 'no content type'})` : undefined;
		}
		if (!Object.hasOwn(content, mediaType))
			return `content type ${mediaType || '(none)'} is not documented for ${status} (documented: ${Object.keys(content).join(', ')})`;
		if (mediaType !== 'application/json' || body === undefined) return undefined;
		let parsed: unknown;
		try {
			parsed = JSON.parse(body);
		} catch {
			return 'the body is not valid JSON';
		}
		const key = `${operation.path} ${operation.method} ${status}`;
		let validate = validators.get(key);
		if (!validate) {
			validate = ajv.compile({ $ref: pointer('paths', operation.path, operation.method, 'responses', String(status), 'content', mediaType, 'schema') });
			validators.set(key, validate);
		}
		if (validate(parsed)) return undefined;
		const first = validate.errors?.[0];
		return `body does not match the schema at ${first?.instancePath || '(root)'}: ${first?.message} (schema ${first?.schemaPath})`;
	}

	return { match, knowsPath, check };
}
