import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/lib/server/config.ts';
import { blobStoreFor } from '../../../src/lib/server/assets/blob-store-for.ts';
import { S3BlobStore } from '../../../src/lib/server/assets/s3-blob-store.ts';

describe('blobStoreFor', () => {
	it('keeps files under DATA_DIR/assets without S3 settings', () => {
		const { store, description } = blobStoreFor(loadConfig({ DATA_DIR: '/srv/easel/' }));
		expect(store.kind).toBe('files');
		expect(description).toEqual({ store: 'files', folder: '/srv/easel/assets' });
	});

	it('uses the bucket when S3 settings are given, and never describes the credentials', () => {
		const { store, description } = blobStoreFor(
			loadConfig({ S3_BUCKET: 'easel', S3_ENDPOINT: 'http://minio:9000', S3_REGION: 'us-east-1', S3_ACCESS_KEY_ID: 'id-123', S3_SECRET_ACCESS_KEY: 'secret-456' })
		);
		expect(store).toBeInstanceOf(S3BlobStore);
		expect(description).toEqual({ store: 's3', bucket: 'easel', endpoint: 'http://minio:9000', region: 'us-east-1' });
		expect(JSON.stringify(description)).not.toMatch(/id-123|secret-456/);
		(store as S3BlobStore).destroy();
	});
});
