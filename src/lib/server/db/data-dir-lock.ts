// An exclusive lock on the embedded database directory, so a second process refuses to start.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

export class DataDirLockedError extends Error {
	/** The process holding the lock. */
	readonly pid: number;

	constructor(lockPath: string, pid: number) {
		super(
			`The embedded database at ${lockPath.replace(/\/easel\.lock$/, '')} is in use by another Easel process (pid ${pid}). ` +
				'The embedded database serves one process only: stop the other process, use another DATA_DIR, ' +
				'or set DATABASE_URL to run several instances on PostgreSQL.'
		);
		this.name = 'DataDirLockedError';
		this.pid = pid;
	}
}

/** Takes the lock file (containing our pid) or throws if a live process holds it; returns a release function. */
export function acquireDataDirLock(lockPath: string): () => void {
	for (let attempt = 0; attempt < 2; attempt++) {
		try {
			const fd = openSync(lockPath, 'wx');
			writeSync(fd, String(process.pid));
			closeSync(fd);
			return () => {
				try {
					if (readFileSync(lockPath, 'utf8') === String(process.pid)) rmSync(lockPath);
				} catch {
					// already gone
				}
			};
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			const holder = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
			if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
				throw new DataDirLockedError(lockPath, holder);
			}
			// A stale lock from a process that died (kill -9): take it over.
			rmSync(lockPath, { force: true });
		}
	}
	throw new Error(`Could not lock ${lockPath}`);
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}
