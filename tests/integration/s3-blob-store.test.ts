// The S3 blob store through the real AWS SDK against a local S3-protocol server that verifies every
// request's Signature V4: put, get, delete, paginated list, missing keys, wrong credentials.
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readBlob } from '../../src/lib/server/assets/blob-store.ts';
import { S3BlobStore, type S3BlobStoreOptions } from '../../src/lib/server/assets/s3-blob-store.ts';
import { startS3TestServer, type S3TestServer } from '../helpers/s3-test-server.ts';

let s3: S3TestServer;
const stores: S3BlobStore[] = [];

beforeAll(async () => {
	s3 = await startS3TestServer({ buckets: ['easel-test', 'other-bucket'], pageSize: 3 });
});
afterEach(() => {
	for (const store of stores.splice(0)) store.destroy();
});
afterAll(() => s3?.close());

function storeWith(overrides: Partial<S3BlobStoreOptions> = {}): S3BlobStore {
	const store = new S3BlobStore({
		bucket: 'easel-test',
		endpoint: s3.url,
		region: s3.region,
		accessKeyId: s3.accessKeyId,
		secretAccessKey: s3.secretAccessKey,
		...overrides
	});
	stores.push(store);
	return store;
}

const bytesOf = (text: string) => new TextEncoder().encode(text);
async function listed(store: S3BlobStore, prefix: string): Promise<string[]> {
	const keys: string[] = [];
	for await (const key of store.list(prefix)) keys.push(key);
	return keys;
}

describe('S3BlobStore', () => {
	it('puts an object that get returns byte for byte, with its type and a signed payload hash', async () => {
		const store = storeWith();
		const body = new Uint8Array(200_000).map((_, index) => (index * 31) % 256);
		await store.put('blobs/put-and-get', body, 'image/png');
		const stored = s3.objects.get('easel-test')!.get('blobs/put-and-get')!;
		expect(stored.contentType).toBe('image/png');
		expect(new Uint8Array(stored.body)).toEqual(body);
		const put = s3.requests.findLast((request) => request.method === 'PUT' && request.path === '/easel-test/blobs/put-and-get')!;
		// The SDK signed the body's own hash (not UNSIGNED-PAYLOAD), and the server checked it.
		expect(put.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(body).digest('hex'));
		expect(put.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=EASELTESTACCESSKEY\//);

		const blob = await store.get('blobs/put-and-get');
		expect(blob?.bytes).toBe(body.byteLength);
		expect(await readBlob(blob!)).toEqual(body);
	});

	it('answers null for a key that is not there (NoSuchKey), and replaces a key put twice', async () => {
		const store = storeWith();
		expect(await store.get('blobs/never-put')).toBeNull();
		expect(s3.requests.at(-1)).toMatchObject({ status: 404, error: 'NoSuchKey' });
		await store.put('blobs/twice', bytesOf('first'), 'image/gif');
		await store.put('blobs/twice', bytesOf('second'), 'image/gif');
		expect(new TextDecoder().decode(await readBlob((await store.get('blobs/twice'))!))).toBe('second');
	});

	it('deletes, and deleting a missing key is not an error', async () => {
		const store = storeWith();
		await store.put('blobs/doomed', bytesOf('x'), 'image/png');
		await store.delete('blobs/doomed');
		expect(await store.get('blobs/doomed')).toBeNull();
		await expect(store.delete('blobs/doomed')).resolves.toBeUndefined();
		expect(s3.objects.get('easel-test')!.has('blobs/doomed')).toBe(false);
	});

	it('lists every key under a prefix across pages (continuation tokens)', async () => {
		const store = storeWith();
		const keys = Array.from({ length: 8 }, (_, index) => `thumbnails/listed-${index}`);
		for (const key of keys) await store.put(key, bytesOf(key), 'image/webp');
		await store.put('previews/not-listed', bytesOf('x'), 'image/png');
		const before = s3.requests.length;
		expect((await listed(store, 'thumbnails/listed-')).sort()).toEqual(keys);
		// Three keys a page: three ListObjectsV2 requests, the later ones with the previous page's token.
		const lists = s3.requests.slice(before).filter((request) => request.query['list-type'] === '2');
		expect(lists).toHaveLength(3);
		expect(lists[0].query['continuation-token']).toBeUndefined();
		expect(lists.slice(1).every((request) => request.query['continuation-token'])).toBe(true);
		expect(await listed(store, 'thumbnails/nothing-here-')).toEqual([]);
	});

	it('keeps its keys under its prefix, and lists them without it', async () => {
		const store = storeWith({ prefix: 'tenant-a' });
		const other = storeWith({ prefix: 'tenant-b/' });
		await store.put('blobs/prefixed', bytesOf('a'), 'image/png');
		await other.put('blobs/prefixed', bytesOf('b'), 'image/png');
		expect(s3.objects.get('easel-test')!.has('tenant-a/blobs/prefixed')).toBe(true);
		expect(await listed(store, 'blobs/')).toEqual(['blobs/prefixed']);
		expect(new TextDecoder().decode(await readBlob((await other.get('blobs/prefixed'))!))).toBe('b');
	});

	it('refuses keys Easel would not make before sending anything', async () => {
		const store = storeWith();
		const before = s3.requests.length;
		await expect(store.put('../escape', bytesOf('x'), 'image/png')).rejects.toThrow(/Not a blob key/);
		await expect(store.get('blobs/a/b')).rejects.toThrow(/Not a blob key/);
		expect(s3.requests.length).toBe(before);
	});

	it('fails with SignatureDoesNotMatch when the secret is wrong, and stores nothing', async () => {
		const store = storeWith({ secretAccessKey: 'not-the-secret' });
		await expect(store.put('blobs/forged', bytesOf('x'), 'image/png')).rejects.toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
		await expect(store.get('blobs/put-and-get')).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
		expect(s3.objects.get('easel-test')!.has('blobs/forged')).toBe(false);
	});

	it('fails with InvalidAccessKeyId for an unknown access key', async () => {
		const store = storeWith({ accessKeyId: 'SOMEONEELSE' });
		await expect(store.put('blobs/unknown-key', bytesOf('x'), 'image/png')).rejects.toMatchObject({ name: 'InvalidAccessKeyId', $metadata: { httpStatusCode: 403 } });
	});

	it('fails with NoSuchBucket for a bucket that does not exist (not a missing key)', async () => {
		const store = storeWith({ bucket: 'no-such-bucket' });
		await expect(store.get('blobs/anything')).rejects.toMatchObject({ name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } });
		await expect(store.put('blobs/anything', bytesOf('x'), 'image/png')).rejects.toMatchObject({ name: 'NoSuchBucket' });
	});

	it('keeps buckets apart', async () => {
		const store = storeWith({ bucket: 'other-bucket' });
		await store.put('blobs/elsewhere', bytesOf('x'), 'image/png');
		expect(s3.objects.get('other-bucket')!.has('blobs/elsewhere')).toBe(true);
		expect(await storeWith().get('blobs/elsewhere')).toBeNull();
	});
});
