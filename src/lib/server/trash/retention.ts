// How long the trash keeps what is put in it, and when each thing in it is deleted for good.

/** Days a canvas or team stays in the trash, restorable, before the purge deletes it for good. */
export const TRASH_RETENTION_DAYS = 30;

const DAY_MS = 86_400_000;

/** When something put in the trash at `deletedAt` is purged. */
export function purgeAtOf(deletedAt: Date): Date {
	return new Date(deletedAt.getTime() + TRASH_RETENTION_DAYS * DAY_MS);
}

/** What was put in the trash before this moment is due for the purge at `now`. */
export function purgeCutoff(now: Date): Date {
	return new Date(now.getTime() - TRASH_RETENTION_DAYS * DAY_MS);
}
