// /docs/api's digest of the OpenAPI document: every operation once under its tag, bodies and answers
// as trees with their component named, a curl that sends what the schema requires.
import { describe, expect, it } from 'vitest';
import { API_OPERATIONS } from '../../src/lib/server/api-contract/index.ts';
import { apiReference } from '../../src/lib/server/api-contract/reference.ts';
import { codeSpans } from '../../src/lib/api-reference.ts';

const reference = apiReference('https://easel.example');
const operations = reference.tags.flatMap((tag) => tag.operations);
const byId = (operationId: string) => operations.find((operation) => operation.operationId === operationId)!;

describe('the API reference', () => {
	it('lists every operation once, under its tag', () => {
		expect(operations.map((operation) => operation.operationId).sort()).toEqual(API_OPERATIONS.map((operation) => operation.operationId).sort());
		for (const tag of reference.tags) expect(tag.operations.every((operation) => operation.tag === tag.name)).toBe(true);
	});

	it('shows a body with its properties, enums and required ones, and names the component an answer is', () => {
		const create = byId('createShareLink');
		const access = create.requestBody!.node!.properties!.find((property) => property.name === 'access')!;
		expect(access).toMatchObject({ required: true, node: { type: 'string', enum: ['view', 'edit'] } });
		expect(create.requestBody!.node!.properties!.find((property) => property.name === 'expiresAt')!.required).toBe(false);
		const created = create.responses.find((response) => response.status === '201')!;
		expect(created.content!.named).toBe('ShareLink');
		expect(created.content!.node!.properties!.map((property) => property.name)).toContain('token');
		expect(create.responses.map((response) => response.status)).toEqual(expect.arrayContaining(['400', '401', '404', '429']));
	});

	it('writes a curl with the origin, the bearer token and the required fields', () => {
		expect(byId('createShareLink').curl).toBe(
			[
				'curl -X POST "https://easel.example/api/v1/canvases/<id>/share-links"',
				'-H "Authorization: Bearer $EASEL_TOKEN"',
				'-H "Content-Type: application/json"',
				`-d '{"access":"view","audience":"anyone"}'`
			].join(' \\\n  ')
		);
		expect(byId('listGallery').curl).toBe('curl "https://easel.example/api/v1/gallery"');
		expect(byId('putCanvasThumbnail').curl).toContain('--data-binary "@picture.png"');
	});

	it('says who may call and reads parameters with their limits', () => {
		expect(byId('createApiKey')).toMatchObject({ auth: 'person' });
		expect(byId('getAsset').auth).toBe('guest');
		const limit = byId('listAuditLog').parameters.find((parameter) => parameter.name === 'limit')!;
		expect(limit).toMatchObject({ in: 'query', required: false, node: { type: 'integer', constraints: ['≥ 1', '≤ 200', 'default 50'] } });
	});

	it('sets `code` apart in descriptions', () => {
		expect(codeSpans('Send `Authorization: Bearer` with `easel_…`.')).toEqual([
			{ code: false, text: 'Send ' },
			{ code: true, text: 'Authorization: Bearer' },
			{ code: false, text: ' with ' },
			{ code: true, text: 'easel_…' },
			{ code: false, text: '.' }
		]);
	});
});
