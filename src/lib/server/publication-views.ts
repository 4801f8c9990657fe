// View counts of published canvases, approximate and private: one view per visitor per publication per
// day, where a visitor is a hash of (a random salt made each UTC day and never stored, client address,
// user agent, publication id). No cookie, nothing sent to anyone else, and once the day's salt is
// dropped nobody (not even the operator) can tell who viewed what. Counts are added up in memory and
// written every few seconds as `view_count = view_count + n`, so a busy page costs one UPDATE per
// flush, not one per view. Approximate by design: each instance keeps its own set (a visitor reaching
// two instances counts twice), a crash loses at most one flush window, obvious bots are not counted.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Queryable } from './db/index.ts';
import type { Logger } from './logger.ts';

export const VIEW_FLUSH_INTERVAL_MS = 5_000;
/** Visitors remembered per day before the set starts over (memory stays bounded; a few views may count twice). */
const MAX_REMEMBERED = 500_000;
const BOTS = /bot|crawl|spider|slurp|facebookexternalhit|embedly|preview|monitor|uptime/i;

export interface Visitor {
	address: string;
	userAgent: string;
}

export class PublicationViews {
	private readonly db: Queryable;
	private readonly logger: Logger;
	private day = '';
	private salt: Buffer = randomBytes(32);
	private seen = new Set<string>();
	private pending = new Map<string, number>();
	private timer: ReturnType<typeof setInterval> | undefined;
	private flushing: Promise<void> | undefined;

	constructor(db: Queryable, logger: Logger, flushIntervalMs = VIEW_FLUSH_INTERVAL_MS) {
		this.db = db;
		this.logger = logger;
		this.timer = setInterval(() => void this.flush(), flushIntervalMs);
		this.timer.unref?.();
	}

	/** Counts a view unless this visitor already viewed this publication today; says whether it counted. */
	record(publicationId: string, visitor: Visitor, now = new Date()): boolean {
		if (BOTS.test(visitor.userAgent)) return false;
		const day = now.toISOString().slice(0, 10);
		if (day !== this.day) {
			this.day = day;
			this.salt = randomBytes(32);
			this.seen = new Set();
		}
		const key = createHash('sha256').update(this.salt).update(`\0${visitor.address}\0${visitor.userAgent}\0${publicationId}`).digest('base64url').slice(0, 22);
		if (this.seen.has(key)) return false;
		if (this.seen.size >= MAX_REMEMBERED) this.seen = new Set();
		this.seen.add(key);
		this.pending.set(publicationId, (this.pending.get(publicationId) ?? 0) + 1);
		return true;
	}

	/** Writes the counts gathered so far in one statement; on failure they are kept for the next flush. */
	flush(): Promise<void> {
		return (this.flushing ??= this.write().finally(() => (this.flushing = undefined)));
	}

	private async write(): Promise<void> {
		if (this.pending.size === 0) return;
		const batch = [...this.pending];
		this.pending = new Map();
		const rows = sql.join(
			batch.map(([id, views]) => sql`(${id}::uuid, ${views}::bigint)`),
			sql`, `
		);
		try {
			// A publication unpublished meanwhile simply matches nothing.
			await this.db.execute(
				sql`update publications set view_count = publications.view_count + counted.views from (values ${rows}) as counted(id, views) where publications.id = counted.id`
			);
		} catch (error) {
			for (const [id, views] of batch) this.pending.set(id, (this.pending.get(id) ?? 0) + views);
			this.logger.warn({ err: error, publications: batch.length }, 'could not write view counts; will retry');
		}
	}

	/** Stops the timer after one last flush. */
	async stop(): Promise<void> {
		clearInterval(this.timer);
		await this.flush();
	}
}

const VIEWS_KEY = Symbol.for('easel.publicationViews');
type Holder = { [VIEWS_KEY]?: PublicationViews };

/** The process's view counter (one per process, whichever copy of this module asks). */
export function publicationViews(db: Queryable, logger: Logger): PublicationViews {
	const holder = globalThis as Holder;
	return (holder[VIEWS_KEY] ??= new PublicationViews(db, logger));
}

/** Writes the last counts and stops the counter, if this process made one (a clean shutdown loses no views). */
export async function stopPublicationViews(): Promise<void> {
	const holder = globalThis as Holder;
	const views = holder[VIEWS_KEY];
	holder[VIEWS_KEY] = undefined;
	await views?.stop();
}
