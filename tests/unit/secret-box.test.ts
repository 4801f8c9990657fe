// Secrets at rest: AES-256-GCM sealing, tamper detection, wrong keys, and the generated key file.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/lib/server/config.ts';
import { createSecretBox, loadSecretsKey, SECRET_KEY_FILE, SecretBoxError, secretBoxFor } from '../../src/lib/server/secret-box.ts';

const box = createSecretBox(randomBytes(32));

describe('secret box', () => {
	it('round-trips a secret; the sealed text is versioned and never contains it', () => {
		const sealed = box.seal('sk-live-0123456789abcdef', 'team-1');
		expect(sealed).toMatch(/^v1:[\w-]+:[\w-]+:[\w-]+$/);
		expect(sealed).not.toContain('0123456789');
		expect(box.open(sealed, 'team-1')).toBe('sk-live-0123456789abcdef');
		expect(box.seal('same', 'team-1')).not.toBe(box.seal('same', 'team-1')); // a fresh IV each time
		expect(box.open(box.seal('ünïcødé ✓'), undefined)).toBe('ünïcødé ✓');
	});

	it('detects tampering with any part', () => {
		const sealed = box.seal('secret value', 'team-1');
		const [version, iv, tag, ciphertext] = sealed.split(':');
		const flip = (part: string) => {
			const bytes = Buffer.from(part, 'base64url');
			bytes[0] ^= 1;
			return bytes.toString('base64url');
		};
		for (const tampered of [
			[version, flip(iv), tag, ciphertext],
			[version, iv, flip(tag), ciphertext],
			[version, iv, tag, flip(ciphertext)]
		]) {
			expect(() => box.open(tampered.join(':'), 'team-1')).toThrow(SecretBoxError);
		}
		expect(() => box.open('v2:a:b:c', 'team-1')).toThrow(/Not a sealed secret/);
		expect(() => box.open('plain text key', 'team-1')).toThrow(SecretBoxError);
	});

	it('does not open under another context (a sealed key copied to another team)', () => {
		expect(() => box.open(box.seal('secret', 'team-1'), 'team-2')).toThrow(SecretBoxError);
	});

	it('fails with a clear error under the wrong key', () => {
		const sealed = box.seal('secret', 'team-1');
		const other = createSecretBox(randomBytes(32));
		expect(() => other.open(sealed, 'team-1')).toThrow('The sealed secret could not be opened: it was changed, or sealed with another SECRETS_KEY.');
		expect(() => createSecretBox(randomBytes(16))).toThrow(/32 bytes/);
	});

	it('generates DATA_DIR/secret.key once, mode 0600, and reuses it', () => {
		const dataDir = join(mkdtempSync(join(tmpdir(), 'easel-secrets-')), 'nested');
		const first = loadSecretsKey({ DATA_DIR: dataDir, SECRETS_KEY: undefined });
		const path = join(dataDir, SECRET_KEY_FILE);
		expect(statSync(path).mode & 0o777).toBe(0o600);
		const written = readFileSync(path, 'utf8');
		const second = loadSecretsKey({ DATA_DIR: dataDir, SECRETS_KEY: undefined });
		expect(second.equals(first)).toBe(true);
		expect(readFileSync(path, 'utf8')).toBe(written);
		// What one process sealed, a restart (a new box from the same file) opens.
		const sealed = createSecretBox(first).seal('kept across restarts');
		expect(secretBoxFor({ DATA_DIR: dataDir, SECRETS_KEY: undefined }).open(sealed)).toBe('kept across restarts');
	});

	it('uses SECRETS_KEY when set, and config refuses a key that is not 32 bytes', () => {
		const key = randomBytes(32).toString('base64');
		expect(loadSecretsKey({ DATA_DIR: '/nonexistent', SECRETS_KEY: key }).toString('base64')).toBe(key);
		expect(() => loadConfig({ SECRETS_KEY: randomBytes(16).toString('base64') })).toThrow(/SECRETS_KEY must be 32 bytes/);
	});
});
