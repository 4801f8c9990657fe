import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError } from '../../src/lib/server/db/data-dir-lock.ts';

describe('embedded database directory lock', () => {
	it('refuses a second process with a message that names the way out', () => {
		const lock = join(mkdtempSync(join(tmpdir(), 'easel-lock-')), 'easel.lock');
		writeFileSync(lock, String(process.ppid)); // a live process that is not us
		expect(() => acquireDataDirLock(lock)).toThrow(DataDirLockedError);
		expect(() => acquireDataDirLock(lock)).toThrow(/DATABASE_URL/);
	});

	it('takes over a lock left by a process that died, and releases it', () => {
		const lock = join(mkdtempSync(join(tmpdir(), 'easel-lock-')), 'easel.lock');
		writeFileSync(lock, '2147483646'); // no such pid
		const release = acquireDataDirLock(lock);
		expect(readFileSync(lock, 'utf8')).toBe(String(process.pid));
		release();
		expect(existsSync(lock)).toBe(false);
	});
});
