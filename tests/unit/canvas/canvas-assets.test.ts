// The canvas's tldraw asset store against a local server speaking the assets API's contract: uploads
// send the file as multipart `file` (with a guest's token in the header), refusals carry the server's
// message to the page, and images resolve from the store (guests through object URLs, never a token in a URL).
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLAsset, TLAssetContext } from 'tldraw';
import { afterEach, describe, expect, it } from 'vitest';
import { createCanvasAssetStore, formatFileSize, type UploadFailure } from '../../../src/lib/canvas/canvas-assets.ts';

const CANVAS_ID = '6f1f5a3e-4b8c-4f0e-9d6a-2c1e8b7a9d01';
const ASSET_ID = '0b7c9e2a-1d3f-4a5b-8c6d-7e8f9a0b1c2d';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
	while (cleanups.length) await cleanups.pop()!();
});

interface Seen {
	method: string;
	url: string;
	shareToken: string | undefined;
	contentType: string | undefined;
	body: string;
}

/** A local server: `answer` decides each response; every request is recorded. */
async function assetsServer(answer: (request: IncomingMessage) => { status: number; body: unknown; type?: string }) {
	const seen: Seen[] = [];
	const server = createServer(async (request, response) => {
		const chunks: Buffer[] = [];
		for await (const chunk of request) chunks.push(chunk as Buffer);
		seen.push({
			method: request.method ?? '',
			url: request.url ?? '',
			shareToken: request.headers['easel-share-token'] as string | undefined,
			contentType: request.headers['content-type'],
			body: Buffer.concat(chunks).toString('latin1')
		});
		const { status, body, type = 'application/json' } = answer(request);
		response.writeHead(status, { 'content-type': type });
		response.end(typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	cleanups.push(() => new Promise((resolve) => server.close(resolve)));
	return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const imageAsset = (src: string | null) =>
	({ id: 'asset:abc', typeName: 'asset', type: 'image', props: { src, w: 10, h: 10, name: 'x.png' }, meta: {} }) as unknown as TLAsset;
const context = { screenScale: 1, steppedScreenScale: 1, dpr: 1, networkEffectiveType: null, shouldResolveToOriginal: false } as TLAssetContext;
const file = () => new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], 'logo.png', { type: 'image/png' });

describe('uploads', () => {
	it('posts the file as multipart `file` and answers the stored src', async () => {
		const { baseUrl, seen } = await assetsServer(() => ({
			status: 201,
			body: { asset: { id: ASSET_ID, src: `/api/v1/assets/${ASSET_ID}`, mimeType: 'image/png', bytes: 4 } }
		}));
		const store = createCanvasAssetStore({ canvasId: CANVAS_ID, baseUrl });
		expect(await store.upload(imageAsset(''), file())).toEqual({ src: `/api/v1/assets/${ASSET_ID}` });
		expect(seen).toHaveLength(1);
		expect(seen[0]).toMatchObject({ method: 'POST', url: `/api/v1/canvases/${CANVAS_ID}/assets`, shareToken: undefined });
		expect(seen[0].contentType).toMatch(/^multipart\/form-data; boundary=/);
		expect(seen[0].body).toContain('name="file"; filename="logo.png"');
	});

	it("sends a guest's token in the header", async () => {
		const { baseUrl, seen } = await assetsServer(() => ({ status: 201, body: { asset: { id: ASSET_ID, src: `/api/v1/assets/${ASSET_ID}` } } }));
		await createCanvasAssetStore({ canvasId: CANVAS_ID, shareToken: 'easel_share_token', baseUrl }).upload(imageAsset(''), file());
		expect(seen[0].shareToken).toBe('easel_share_token');
		expect(seen[0].url).not.toContain('easel_share_token');
	});

	it.each([
		[
			413,
			{ error: { code: 'PAYLOAD_TOO_LARGE', message: 'Files can be at most 10 MB on the Free plan.' } },
			'PAYLOAD_TOO_LARGE',
			'Files can be at most 10 MB on the Free plan.'
		],
		[402, { error: { code: 'LIMIT_EXCEEDED', message: "The team's 1 GB of storage is used up." } }, 'LIMIT_EXCEEDED', "The team's 1 GB of storage is used up."],
		[415, { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Only PNG, JPEG, GIF, WebP or SVG.' } }, 'UNSUPPORTED_MEDIA_TYPE', 'Only PNG, JPEG, GIF, WebP or SVG.'],
		[403, 'not json', 'HTTP_403', 'This link only lets you view the canvas.'],
		[500, '', 'HTTP_500', 'The image could not be uploaded. Try again shortly.']
	])('a %i is refused with the message the page shows', async (status, body, code, message) => {
		const { baseUrl } = await assetsServer(() => ({ status, body, type: typeof body === 'string' ? 'text/plain' : 'application/json' }));
		const store = createCanvasAssetStore({ canvasId: CANVAS_ID, baseUrl });
		const failures: UploadFailure[] = [];
		store.onUploadFailed((failure) => failures.push(failure));
		await expect(store.upload(imageAsset(''), file())).rejects.toMatchObject({ name: 'AssetUploadError', code, message });
		expect(failures).toEqual([{ assetId: 'asset:abc', fileName: 'logo.png', code, message }]);
	});

	it('refuses an answer whose src is not a stored asset, and a server that cannot be reached', async () => {
		const { baseUrl } = await assetsServer(() => ({ status: 201, body: { asset: { src: 'https://elsewhere.example/x.png' } } }));
		await expect(createCanvasAssetStore({ canvasId: CANVAS_ID, baseUrl }).upload(imageAsset(''), file())).rejects.toMatchObject({ code: 'INVALID_RESPONSE' });
		const unreachable = createCanvasAssetStore({ canvasId: CANVAS_ID, baseUrl: 'http://127.0.0.1:9' });
		await expect(unreachable.upload(imageAsset(''), file())).rejects.toMatchObject({ code: 'NETWORK', message: expect.stringMatching(/connection/) });
	});
});

describe('resolving', () => {
	it('members see stored, inline and missing images as they are', async () => {
		const store = createCanvasAssetStore({ canvasId: CANVAS_ID });
		expect(store.resolve!(imageAsset(`/api/v1/assets/${ASSET_ID}`), context)).toBe(`/api/v1/assets/${ASSET_ID}`);
		expect(store.resolve!(imageAsset('data:image/png;base64,iVBORw0KGgo='), context)).toBe('data:image/png;base64,iVBORw0KGgo=');
		expect(store.resolve!(imageAsset(null), context)).toBeNull();
	});

	it('a guest gets object URLs fetched with the token in a header, once per image, revoked on dispose', async () => {
		const { baseUrl, seen } = await assetsServer(() => ({ status: 200, body: new Uint8Array([1, 2, 3]), type: 'image/png' }));
		const store = createCanvasAssetStore({ canvasId: CANVAS_ID, shareToken: 'easel_guest', baseUrl });
		const src = `/api/v1/assets/${ASSET_ID}`;
		const [first, second] = await Promise.all([store.resolve!(imageAsset(src), context), store.resolve!(imageAsset(src), context)]);
		expect(first).toMatch(/^blob:/);
		expect(second).toBe(first);
		expect(seen).toEqual([expect.objectContaining({ method: 'GET', url: src, shareToken: 'easel_guest' })]);
		expect(await (await fetch(first!)).arrayBuffer()).toEqual(new Uint8Array([1, 2, 3]).buffer);
		// Inline images need no fetching, for guests either.
		expect(store.resolve!(imageAsset('data:image/png;base64,iVBORw0KGgo='), context)).toBe('data:image/png;base64,iVBORw0KGgo=');
		store.dispose();
		await expect(fetch(first!)).rejects.toThrow();
	});

	it("a guest's image that can't be fetched shows as missing and is asked for again later", async () => {
		let available = false;
		const { baseUrl, seen } = await assetsServer(() =>
			available ? { status: 200, body: new Uint8Array([9]), type: 'image/png' } : { status: 404, body: { error: { code: 'NOT_FOUND' } } }
		);
		const store = createCanvasAssetStore({ canvasId: CANVAS_ID, shareToken: 'easel_guest', baseUrl });
		expect(await store.resolve!(imageAsset(`/api/v1/assets/${ASSET_ID}`), context)).toBeNull();
		available = true;
		expect(await store.resolve!(imageAsset(`/api/v1/assets/${ASSET_ID}`), context)).toMatch(/^blob:/);
		expect(seen).toHaveLength(2);
		store.dispose();
	});
});

it('sizes are shown in the decimal units the plans are sold in', () => {
	expect([999, 1_000, 12_345, 10_000_000, 12_000_000, 100_000_000, 1_000_000_000].map(formatFileSize)).toEqual([
		'999 bytes',
		'1 KB',
		'12 KB',
		'10 MB',
		'12 MB',
		'100 MB',
		'1 GB'
	]);
});
