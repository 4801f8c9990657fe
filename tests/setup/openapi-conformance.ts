// Every answer a test gets from an /api/v1 URL through fetch is checked against the OpenAPI
// document: its operation (method + path template), its status and its body (JSON validated with
// ajv, other bodies by content type). What the document does not describe fails the test that
// made the request, in afterEach, naming the operation, the status and where the body differs.
// Integration suites only: unit suites stand up fake servers that answer wrongly on purpose.
import { afterEach, expect } from 'vitest';
import type { createResponseValidator } from '../helpers/openapi-validator.ts';

type Validator = ReturnType<typeof createResponseValidator>;

const originalFetch = globalThis.fetch;
let validator: Promise<Validator> | undefined;
const problems: string[] = [];
const pending = new Set<Promise<void>>();

/** The validator, compiled on the first /api/v1 answer (suites that never ask pay nothing). */
function responseValidator(): Promise<Validator> {
	return (validator ??= import('../helpers/openapi-validator.ts').then(({ createResponseValidator }) => createResponseValidator()));
}

function requestMethod(input: RequestInfo | URL, init?: RequestInit): string {
	return (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
}

function requestUrl(input: RequestInfo | URL): URL | undefined {
	try {
		return new URL(input instanceof Request ? input.url : String(input));
	} catch {
		return undefined;
	}
}

/** `copy`: a clone of a JSON answer, taken before the test reads the original. */
async function inspect(method: string, url: URL, response: Response, copy: Response | undefined): Promise<void> {
	const { match, knowsPath, check } = await responseValidator();
	const operation = match(method, url.pathname);
	const where = `${method} ${url.pathname}`;
	if (!operation) {
		// SvelteKit's own answers to a path no route has (404) or a method a route lacks (405).
		if (response.status === 404 && !knowsPath(url.pathname)) return;
		if (response.status === 405 && knowsPath(url.pathname)) return;
		problems.push(`${where} → ${response.status}: no operation in the OpenAPI document`);
		return;
	}
	const contentType = response.headers.get('content-type') ?? '';
	const body = copy ? await copy.text() : response.body ? '(bytes)' : '';
	const problem = check(operation, response.status, contentType, body || undefined);
	if (problem) problems.push(`${operation.operationId} (${where}) → ${response.status}: ${problem}`);
}

function againstTheRealServer(): boolean {
	return (expect.getState().testPath ?? '').replaceAll('\\', '/').includes('/tests/integration/');
}

globalThis.fetch = async function conformingFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
	const method = requestMethod(input, init);
	const response = await originalFetch(input, init);
	const url = requestUrl(input);
	// Integration suites talk to the real server; unit suites' stand-in servers answer as they are told.
	if (url && url.pathname.startsWith('/api/v1/') && againstTheRealServer()) {
		// Only JSON bodies are read, from a clone; they can only be checked once all of it has arrived.
		const isJson = (response.headers.get('content-type') ?? '').toLowerCase().startsWith('application/json');
		const copy = isJson && method !== 'HEAD' ? response.clone() : undefined;
		const checking = inspect(method, url, response, copy).catch((error: unknown) => {
			problems.push(`${method} ${url.pathname} → ${response.status}: could not be checked (${error instanceof Error ? error.message : String(error)})`);
		});
		pending.add(checking);
		void checking.finally(() => pending.delete(checking));
	}
	return response;
};

afterEach(async () => {
	// Bodies still arriving after a few seconds (a stream the test left open) are not waited for.
	await Promise.race([Promise.allSettled([...pending]), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
	if (problems.length === 0) return;
	const found = problems.splice(0);
	throw new Error(`Answers the OpenAPI document does not describe:\n  ${[...new Set(found)].join('\n  ')}`);
});
