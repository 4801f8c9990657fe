// The OpenAPI document covers exactly the /api/v1 routes on disk (every +server.ts and its exported
// methods), is valid 3.1 whose schemas all compile (ajv, JSON Schema 2020-12), and is what the real
// server serves at /api/v1/openapi.json, revalidated by its ETag.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_OPERATIONS, buildOpenApiDocument } from '../../src/lib/server/api-contract/index.ts';
import { routeScope } from '../../src/lib/server/api-keys/route-scopes.ts';
import { servedOpenApiDocument } from '../../src/lib/server/api-contract/served-document.ts';
import { documentAjv, pointer } from '../helpers/openapi-validator.ts';
import { describeEachServerDatabase } from '../helpers/server-databases.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const API_ROOT = fileURLToPath(new URL('../../src/routes/api/v1', import.meta.url));
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** `METHOD /api/v1/…/{param}` for every handler exported by a +server.ts under src/routes/api/v1. */
function routesOnDisk(): string[] {
	const routes: string[] = [];
	const visit = (dir: string) => {
		for (const entry of readdirSync(dir, { withFileTypes: true })) {
			const path = join(dir, entry.name);
			if (entry.isDirectory()) visit(path);
			else if (entry.name === '+server.ts') {
				const source = readFileSync(path, 'utf8');
				const segments = relative(API_ROOT, dir).split(sep).filter(Boolean);
				const template = ['/api/v1', ...segments.map((segment) => segment.replace(/^\[(\w+)\]$/, '{$1}'))].join('/');
				for (const method of METHODS) {
					if (new RegExp(`export (const|async function|function) ${method}\\b`).test(source)) routes.push(`${method} ${template}`);
				}
			}
		}
	};
	visit(API_ROOT);
	return routes.sort();
}

const document = buildOpenApiDocument(API_OPERATIONS);

function documentedOperations(): string[] {
	return Object.entries(document.paths ?? {})
		.flatMap(([path, item]) => Object.keys(item ?? {}).map((method) => `${method.toUpperCase()} ${path}`))
		.sort();
}

describe('the OpenAPI document', () => {
	it("says who may call each operation as the route-scope table does: people only where no key may, and the key's scope otherwise", () => {
		const disagreements = API_OPERATIONS.flatMap((operation) => {
			const scope = routeScope(operation.method, operation.path);
			const expected = scope === 'people' ? ['person'] : scope === 'public' ? ['public'] : ['caller', 'guest'];
			return expected.includes(operation.auth) ? [] : [`${operation.method.toUpperCase()} ${operation.path}: auth ${operation.auth}, scope ${scope}`];
		});
		expect(disagreements).toEqual([]);
		const scoped = document.paths?.['/api/v1/canvases/{id}']?.patch as Record<string, unknown>;
		expect(scoped['x-easel-scope']).toBe('canvases:write');
	});

	it('documents every route under src/routes/api/v1 and nothing else', () => {
		const onDisk = routesOnDisk();
		expect(onDisk.length).toBeGreaterThan(50);
		const documented = documentedOperations();
		expect(
			onDisk.filter((route) => !documented.includes(route)),
			'routes missing from the document'
		).toEqual([]);
		expect(
			documented.filter((route) => !onDisk.includes(route)),
			'operations without a route'
		).toEqual([]);
	});

	it('is OpenAPI 3.1 with unique camelCase operation ids, tags and an Error component', () => {
		expect(document.openapi).toBe('3.1.0');
		const ids = API_OPERATIONS.map((operation) => operation.operationId);
		expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
		expect(ids.filter((id) => !/^[a-z][a-zA-Z0-9]*$/.test(id))).toEqual([]);
		const tags = new Set((document.tags ?? []).map((tag) => tag.name));
		expect(API_OPERATIONS.filter((operation) => !tags.has(operation.tag)).map((operation) => operation.operationId)).toEqual([]);
		const error = document.components?.schemas?.Error as { properties: { error: { properties: { code: { enum: string[] } } } } };
		expect(error.properties.error.properties.code.enum).toEqual(expect.arrayContaining(['INVALID_INPUT', 'NOT_FOUND', 'RATE_LIMITED', 'LIMIT_EXCEEDED']));
		for (const name of ['Canvas', 'Version', 'ShareLink', 'ApiKey', 'Conversation', 'Message', 'AssistantRun', 'Team', 'Member', 'Error']) {
			expect(document.components?.schemas, name).toHaveProperty(name);
		}
	});

	it('every operation answers errors as the Error component and declares its path parameters', () => {
		for (const operation of API_OPERATIONS) {
			const item = (document.paths?.[operation.path] as Record<string, { parameters?: { name: string; in: string }[]; responses: Record<string, unknown> }>)[
				operation.method
			];
			const declared = (item.parameters ?? []).filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name);
			const inPath = [...operation.path.matchAll(/\{(\w+)\}/g)].map((found) => found[1]);
			expect(declared.sort(), operation.operationId).toEqual(inPath.sort());
			expect(item.responses['400'], operation.operationId).toEqual({
				description: 'INVALID_INPUT',
				content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } }
			});
		}
	});

	it('compiles every schema with ajv (JSON Schema 2020-12)', () => {
		const ajv = documentAjv(document);
		const compiled: string[] = [];
		for (const name of Object.keys(document.components?.schemas ?? {})) {
			ajv.compile({ $ref: pointer('components', 'schemas', name) });
			compiled.push(name);
		}
		for (const [path, item] of Object.entries(document.paths ?? {})) {
			for (const [method, operation] of Object.entries(item ?? {}) as [
				string,
				{ requestBody?: { content: Record<string, unknown> }; responses: Record<string, { content?: Record<string, unknown> }> }
			][]) {
				for (const type of Object.keys(operation.requestBody?.content ?? {}))
					ajv.compile({ $ref: pointer('paths', path, method, 'requestBody', 'content', type, 'schema') });
				for (const [status, response] of Object.entries(operation.responses)) {
					for (const type of Object.keys(response.content ?? {})) ajv.compile({ $ref: pointer('paths', path, method, 'responses', status, 'content', type, 'schema') });
				}
			}
		}
		expect(compiled.length).toBeGreaterThan(30);
		const canvas = ajv.compile({ $ref: pointer('components', 'schemas', 'Canvas') });
		expect(
			canvas({
				id: crypto.randomUUID(),
				teamId: crypto.randomUUID(),
				title: 'T',
				createdBy: null,
				createdByName: null,
				createdAt: new Date().toISOString(),
				updatedAt: new Date().toISOString(),
				folderId: null
			})
		).toBe(true);
		expect(canvas({ id: 'not an id' })).toBe(false);
	});
});

describeEachServerDatabase(
	'GET /api/v1/openapi.json',
	(database) => {
		let server: RunningServer;
		beforeAll(async () => {
			server = await startServer({ env: database().env });
		});
		afterAll(() => server?.dispose());

		it('serves the generated document, publicly, revalidated by its ETag', async () => {
			const response = await fetch(`${server.url}/api/v1/openapi.json`);
			expect(response.status).toBe(200);
			expect(response.headers.get('content-type')).toMatch(/^application\/json/);
			expect(response.headers.get('cache-control')).toMatch(/public/);
			const etag = response.headers.get('etag');
			expect(etag).toBe(servedOpenApiDocument().etag);
			expect(await response.json()).toEqual(JSON.parse(JSON.stringify(document)));
			const again = await fetch(`${server.url}/api/v1/openapi.json`, { headers: { 'if-none-match': etag! } });
			expect(again.status).toBe(304);
			expect(await again.text()).toBe('');
		});
	},
	// The document does not depend on the database: one server is enough.
	{ drivers: ['pglite'] }
);
