// Secrets at rest (teams' own provider keys): sealed with AES-256-GCM under the server's key, which
// comes from SECRETS_KEY or, when unset, is generated once into DATA_DIR/secret.key (mode 0600).
// Sealed text is versioned, `v1:<iv>:<tag>:<ciphertext>` in base64url, so the scheme can change later.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.ts';

const VERSION = 'v1';
const IV_BYTES = 12;
const KEY_BYTES = 32;
export const SECRET_KEY_FILE = 'secret.key';

/** Opening failed: the text was not sealed by us, was changed, or was sealed under another key. */
export class SecretBoxError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'SecretBoxError';
	}
}

export interface SecretBox {
	/**
	 * Seals `plaintext`; `context` (e.g. the owning team's id) is authenticated with it, so sealed text
	 * copied to another row does not open there.
	 */
	seal(plaintext: string, context?: string): string;
	open(sealed: string, context?: string): string;
}

export function createSecretBox(key: Buffer): SecretBox {
	if (key.length !== KEY_BYTES) throw new SecretBoxError(`The secrets key must be ${KEY_BYTES} bytes, not ${key.length}.`);
	return {
		seal(plaintext, context = '') {
			const iv = randomBytes(IV_BYTES);
			const cipher = createCipheriv('aes-256-gcm', key, iv);
			cipher.setAAD(Buffer.from(`${VERSION}:${context}`));
			const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
			return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join(':');
		},
		open(sealed, context = '') {
			const parts = sealed.split(':');
			if (parts[0] !== VERSION || parts.length !== 4) throw new SecretBoxError(`Not a sealed secret (expected ${VERSION}:<iv>:<tag>:<ciphertext>).`);
			const [, iv, tag, ciphertext] = parts.map((part) => Buffer.from(part, 'base64url'));
			try {
				const decipher = createDecipheriv('aes-256-gcm', key, iv);
				decipher.setAAD(Buffer.from(`${VERSION}:${context}`));
				decipher.setAuthTag(tag);
				return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
			} catch {
				throw new SecretBoxError('The sealed secret could not be opened: it was changed, or sealed with another SECRETS_KEY.');
			}
		}
	};
}

/**
 * The server's secrets key: SECRETS_KEY, else DATA_DIR/secret.key, created on first use with mode
 * 0600 (exclusive create, so two starts racing agree on one key).
 */
export function loadSecretsKey(config: Pick<Config, 'SECRETS_KEY' | 'DATA_DIR'>): Buffer {
	if (config.SECRETS_KEY) return Buffer.from(config.SECRETS_KEY, 'base64');
	const path = join(config.DATA_DIR, SECRET_KEY_FILE);
	try {
		return decodeKeyFile(readFileSync(path, 'utf8'), path);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
	}
	mkdirSync(config.DATA_DIR, { recursive: true });
	try {
		writeFileSync(path, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
	}
	return decodeKeyFile(readFileSync(path, 'utf8'), path);
}

function decodeKeyFile(text: string, path: string): Buffer {
	const key = Buffer.from(text.trim(), 'base64');
	if (key.length !== KEY_BYTES)
		throw new SecretBoxError(`${path} must hold ${KEY_BYTES} bytes in base64; it is damaged. Restore it from a backup (sealed secrets need it).`);
	return key;
}

const boxes = new Map<string, SecretBox>();

/** The secret box for this configuration, built once per key source. */
export function secretBoxFor(config: Pick<Config, 'SECRETS_KEY' | 'DATA_DIR'>): SecretBox {
	const cacheKey = config.SECRETS_KEY ? `env:${config.SECRETS_KEY}` : `file:${config.DATA_DIR}`;
	let box = boxes.get(cacheKey);
	if (!box) {
		box = createSecretBox(loadSecretsKey(config));
		boxes.set(cacheKey, box);
	}
	return box;
}
