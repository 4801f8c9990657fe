// The SDK's pure parts: reading tldraw records out of a Y.Doc, the collaboration URL, error bodies, and 429 retries.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	collabUrl,
	createEasel,
	EaselError,
	findShapeByText,
	records,
	retryingFetch,
	richText,
	shapes,
	shapeText,
	type ShapeRecord
} from '../../packages/sdk/src/index.ts';
import { errorFromResponse } from '../../packages/sdk/src/errors.ts';
import { geoShape, noteShape, PAGE_RECORD, textShape } from '../helpers/tldraw-records.ts';

describe('record readers', () => {
	const doc = new Y.Doc();
	const map = doc.getMap('records');
	map.set(PAGE_RECORD.id, PAGE_RECORD);
	map.set('shape:box', geoShape('shape:box', {}, { richText: richText('API\n\ncalls the database') }));
	map.set('shape:label', textShape('shape:label', 'Deploy to production'));
	map.set('shape:note', noteShape('shape:note', 'Remember the cache'));
	map.set('shape:frame', { id: 'shape:frame', typeName: 'shape', type: 'frame', props: { name: 'Backend', w: 10, h: 10 } });

	it('lists records and shapes, by type when asked', () => {
		expect(records(doc)).toHaveLength(5);
		expect(shapes(doc).map((shape) => shape.id)).toEqual(['shape:box', 'shape:label', 'shape:note', 'shape:frame']);
		expect(shapes(doc, 'text').map((shape) => shape.id)).toEqual(['shape:label']);
	});

	it('reads a shape’s text: rich text one line per paragraph (blank ones kept), or a frame’s name', () => {
		const byId = (id: string) => shapes(doc).find((shape) => shape.id === id) as ShapeRecord;
		expect(shapeText(byId('shape:box'))).toBe('API\n\ncalls the database');
		expect(shapeText(byId('shape:note'))).toBe('Remember the cache');
		expect(shapeText(byId('shape:frame'))).toBe('Backend');
		expect(findShapeByText(doc, 'production')?.id).toBe('shape:label');
		expect(findShapeByText(doc, 'nowhere')).toBeUndefined();
	});
});

it('collabUrl turns the base URL into the collaboration socket’s', () => {
	expect(collabUrl('http://localhost:5173')).toBe('ws://localhost:5173/collab');
	expect(collabUrl('https://easel.example.com/')).toBe('wss://easel.example.com/collab');
	expect(collabUrl('https://example.com/easel')).toBe('wss://example.com/easel/collab');
});

it('createEasel refuses a missing token or a base URL that is not http(s)', () => {
	expect(() => createEasel({ baseUrl: 'http://localhost:5173', token: '' })).toThrow(/token is required/);
	expect(() => createEasel({ baseUrl: 'ftp://example.com', token: 'easel_x' })).toThrow(/http\(s\) URL/);
});

describe('errorFromResponse', () => {
	it('reads Easel’s error body', async () => {
		const error = await errorFromResponse(
			Response.json({ error: { code: 'LIMIT_EXCEEDED', message: 'The Free plan keeps 3 canvases.', details: { limit: 'canvases' } } }, { status: 402 })
		);
		expect(error).toBeInstanceOf(EaselError);
		expect(error).toMatchObject({
			status: 402,
			code: 'LIMIT_EXCEEDED',
			message: 'The Free plan keeps 3 canvases.',
			details: { limit: 'canvases' },
			retryAfterSeconds: null
		});
	});

	it('keeps the start of a body that is not Easel’s, under HTTP_<status>', async () => {
		const error = await errorFromResponse(new Response('<html>Bad gateway</html>', { status: 502, headers: { 'retry-after': '7' } }));
		expect(error).toMatchObject({ status: 502, code: 'HTTP_502', message: '<html>Bad gateway</html>', retryAfterSeconds: 7 });
	});
});

describe('retryingFetch', () => {
	/** A fetch answering 429 (with `retryAfter` when given) `times` times, then 200; it records when each try came and its body. */
	function fakeServer(times: number, retryAfter?: string) {
		const tries: { at: number; body: string }[] = [];
		const fetch = async (request: Request) => {
			tries.push({ at: Date.now(), body: await request.text() });
			if (tries.length <= times) return new Response(null, { status: 429, headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter } });
			return new Response('ok');
		};
		return { tries, fetch };
	}
	const post = () => new Request('http://easel.test/api/v1/x', { method: 'POST', body: '{"a":1}' });

	it('retries with the whole body each time, waiting what Retry-After says', async () => {
		const server = fakeServer(2, '0.05');
		const response = await retryingFetch(server.fetch)(post());
		expect(response.status).toBe(200);
		expect(server.tries.map((attempt) => attempt.body)).toEqual(['{"a":1}', '{"a":1}', '{"a":1}']);
		expect(server.tries[1].at - server.tries[0].at).toBeGreaterThanOrEqual(45);
	});

	it('doubles its own delay without Retry-After, caps it at maxDelayMs, and gives up after maxRetries', async () => {
		const server = fakeServer(10);
		const response = await retryingFetch(server.fetch, { maxRetries: 3, baseDelayMs: 20, maxDelayMs: 50 })(post());
		expect(response.status).toBe(429);
		expect(server.tries).toHaveLength(4);
		const gaps = server.tries.slice(1).map((attempt, index) => attempt.at - server.tries[index].at);
		expect(gaps[0]).toBeGreaterThanOrEqual(15);
		expect(gaps[1]).toBeGreaterThanOrEqual(35);
		expect(gaps[2]).toBeLessThan(50 + 40);
	});

	it('caps a long Retry-After at maxDelayMs', async () => {
		const server = fakeServer(1, '3600');
		const started = Date.now();
		expect((await retryingFetch(server.fetch, { maxDelayMs: 30 })(post())).status).toBe(200);
		expect(Date.now() - started).toBeLessThan(1000);
	});

	it('refuses a maxRetries that is not a whole number of 0 or more', () => {
		expect(() => retryingFetch(fetch, { maxRetries: -1 })).toThrow(/maxRetries/);
		expect(() => retryingFetch(fetch, { maxRetries: 1.5 })).toThrow(/maxRetries/);
	});
});
