// Which blob store the configuration asks for: the S3 bucket when S3_* are set, else files under
// DATA_DIR/assets.
import type { Config } from '../config.ts';
import { FileBlobStore, type BlobStore } from './blob-store.ts';
import { S3BlobStore } from './s3-blob-store.ts';

export type ConfiguredBlobStore = { store: BlobStore; description: Record<string, string> };

/** The store, and what to say about it in the start-up log (never the credentials). */
export function blobStoreFor(
	config: Pick<Config, 'DATA_DIR' | 'S3_BUCKET' | 'S3_ENDPOINT' | 'S3_REGION' | 'S3_ACCESS_KEY_ID' | 'S3_SECRET_ACCESS_KEY'>
): ConfiguredBlobStore {
	const { S3_BUCKET: bucket, S3_ENDPOINT: endpoint, S3_REGION: region, S3_ACCESS_KEY_ID: accessKeyId, S3_SECRET_ACCESS_KEY: secretAccessKey } = config;
	if (bucket && endpoint && region && accessKeyId && secretAccessKey) {
		return { store: new S3BlobStore({ bucket, endpoint, region, accessKeyId, secretAccessKey }), description: { store: 's3', bucket, endpoint, region } };
	}
	const folder = `${config.DATA_DIR.replace(/\/$/, '')}/assets`;
	return { store: new FileBlobStore(folder), description: { store: 'files', folder } };
}
