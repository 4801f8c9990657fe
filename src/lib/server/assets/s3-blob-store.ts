// The blob store on an S3-compatible bucket (AWS S3, Cloudflare R2, MinIO…) through the AWS SDK v3:
// path-style requests to the configured endpoint, keys optionally under a prefix. Every instance
// of Easel sees the same bytes, which is why several instances need it.
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { assertBlobKey, type BlobStore, type StoredBlob } from './blob-store.ts';

export interface S3BlobStoreOptions {
	bucket: string;
	/** e.g. https://s3.eu-west-1.amazonaws.com, https://<account>.r2.cloudflarestorage.com, http://minio:9000 */
	endpoint: string;
	/** The bucket's region (`auto` on R2). */
	region: string;
	accessKeyId: string;
	secretAccessKey: string;
	/** Folder inside the bucket that holds Easel's keys (none by default), e.g. `easel/`. */
	prefix?: string;
}

export class S3BlobStore implements BlobStore {
	readonly kind = 's3' as const;
	readonly bucket: string;
	private readonly prefix: string;
	private readonly client: S3Client;

	constructor(options: S3BlobStoreOptions) {
		this.bucket = options.bucket;
		this.prefix = options.prefix ? options.prefix.replace(/\/*$/, '/') : '';
		this.client = new S3Client({
			endpoint: options.endpoint,
			region: options.region,
			credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
			// Path-style (`/<bucket>/<key>`) works on MinIO and R2, and on S3 itself.
			forcePathStyle: true,
			// The SDK's default CRC32 checksum headers are not understood by every S3-compatible
			// store; the SigV4 payload hash already protects the bytes in transit.
			requestChecksumCalculation: 'WHEN_REQUIRED',
			responseChecksumValidation: 'WHEN_REQUIRED'
		});
	}

	async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
		await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key), Body: bytes, ContentType: contentType, ContentLength: bytes.byteLength }));
	}

	async get(key: string): Promise<StoredBlob | null> {
		try {
			const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
			if (!object.Body) return null;
			return { body: object.Body.transformToWebStream() as ReadableStream<Uint8Array>, bytes: object.ContentLength ?? 0 };
		} catch (error) {
			if (isMissingKey(error)) return null;
			throw error;
		}
	}

	async delete(key: string): Promise<void> {
		await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
	}

	async *list(prefix: string): AsyncIterable<string> {
		let continuationToken: string | undefined;
		do {
			const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken: continuationToken }));
			for (const object of page.Contents ?? []) {
				if (object.Key?.startsWith(this.prefix)) yield object.Key.slice(this.prefix.length);
			}
			continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
		} while (continuationToken);
	}

	/** Closes the SDK's connections. */
	destroy(): void {
		this.client.destroy();
	}

	private keyOf(key: string): string {
		assertBlobKey(key);
		return this.prefix + key;
	}
}

function isMissingKey(error: unknown): boolean {
	return error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404) && error.name !== 'NoSuchBucket';
}
