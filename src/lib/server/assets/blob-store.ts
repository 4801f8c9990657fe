// Where the bytes of assets, thumbnails and preview images live: files under DATA_DIR/assets on the
// embedded default, an S3-compatible bucket when configured (s3-blob-store.ts). Keys are paths made
// by Easel itself (`blobs/<sha256>`, `thumbnails/<canvas id>`, `previews/<publication id>`, `runfiles/<run id>.<hash>`), never
// from user input.
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';

export interface StoredBlob {
	/** The bytes, streamed. */
	body: ReadableStream<Uint8Array>;
	bytes: number;
}

export interface BlobStore {
	/** Which backend, for logs and /readyz. */
	readonly kind: 'files' | 's3';
	/** Writes (or replaces) `key`; after it resolves, `get` on any instance returns these bytes. */
	put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
	/** The bytes under `key`, or null when there are none. */
	get(key: string): Promise<StoredBlob | null>;
	/** Deletes `key`; deleting a missing key is not an error. */
	delete(key: string): Promise<void>;
	/** Every key under `prefix` (for the sweeper and exports). */
	list(prefix: string): AsyncIterable<string>;
}

const KEY = /^[a-z]+\/[A-Za-z0-9._-]+$/;

/** Refuses a key Easel would not make (a `..`, a slash too many): keys never come from users, but a bug must not escape the folder. */
export function assertBlobKey(key: string): void {
	if (!KEY.test(key) || key.includes('..')) throw new Error(`Not a blob key: ${JSON.stringify(key).slice(0, 100)}`);
}

/** Files under one folder (DATA_DIR/assets); written to a temporary name and renamed, so a reader never sees half a file. */
export class FileBlobStore implements BlobStore {
	readonly kind = 'files' as const;
	private readonly root: string;

	constructor(root: string) {
		this.root = root;
	}

	async put(key: string, bytes: Uint8Array): Promise<void> {
		const path = this.pathOf(key);
		await mkdir(dirname(path), { recursive: true });
		const temporary = `${path}.${randomUUID()}.tmp`;
		await writeFile(temporary, bytes);
		await rename(temporary, path);
	}

	async get(key: string): Promise<StoredBlob | null> {
		const path = this.pathOf(key);
		try {
			const { size } = await stat(path);
			return { body: Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>, bytes: size };
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
			throw error;
		}
	}

	async delete(key: string): Promise<void> {
		await rm(this.pathOf(key), { force: true });
	}

	async *list(prefix: string): AsyncIterable<string> {
		const folder = join(this.root, prefix.split('/')[0]);
		let names: string[];
		try {
			names = await readdir(folder);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
			throw error;
		}
		for (const name of names) {
			if (name.endsWith('.tmp')) continue;
			const key = relative(this.root, join(folder, name)).split(sep).join('/');
			if (key.startsWith(prefix)) yield key;
		}
	}

	private pathOf(key: string): string {
		assertBlobKey(key);
		return join(this.root, ...key.split('/'));
	}
}

/** Reads a stored blob whole (small files: thumbnails, previews, SVG to re-check). */
export async function readBlob(blob: StoredBlob): Promise<Uint8Array> {
	return new Uint8Array(await new Response(blob.body).arrayBuffer());
}
