// Which stored assets each loaded canvas owns, for record validation: an asset record may point only
// at an asset of its own canvas. The set is read when a document loads (one query) and grows as
// lookups succeed; an id not in it is asked of the database, batched with every other document's
// questions of the moment. Uploads need no hook: a fresh asset is found by the lookup, on whichever
// instance holds the socket. See docs/decisions/2026-12-02-asset-records.md.
import { eq, inArray } from 'drizzle-orm';
import type { Queryable } from '../../src/lib/server/db/index.ts';
import { assets } from '../../src/lib/server/db/schema.ts';

/** Ids per lookup query (bind parameters are limited). */
const LOOKUP_CHUNK = 1_000;

interface Question {
	ids: string[];
	resolve(owners: Map<string, string>): void;
	reject(error: unknown): void;
}

export class AssetOwnership {
	private readonly db: Queryable;
	/** Per loaded document: asset ids known to belong to its canvas. */
	private readonly owned = new Map<string, Set<string>>();
	private queue: Question[] = [];
	private flushing = false;

	constructor(options: { db: Queryable }) {
		this.db = options.db;
	}

	/** Reads the canvas's assets for a document that just loaded. */
	async load(documentName: string, canvasId: string): Promise<void> {
		const rows = await this.db.select({ id: assets.id }).from(assets).where(eq(assets.canvasId, canvasId));
		const known = this.owned.get(documentName) ?? new Set<string>();
		for (const row of rows) known.add(row.id);
		this.owned.set(documentName, known);
	}

	/** Whether the asset is known to belong to the document's canvas (false: not known yet, ask `verify`). */
	owns(documentName: string, assetId: string): boolean {
		return this.owned.get(documentName)?.has(assetId) ?? false;
	}

	forget(documentName: string): void {
		this.owned.delete(documentName);
	}

	/**
	 * The ids among `assetIds` that do not belong to `canvasId` (another canvas's, or no asset at
	 * all); the others are remembered for the document while it stays loaded. Rejects when the
	 * database does not answer.
	 */
	async verify(documentName: string, canvasId: string, assetIds: Iterable<string>): Promise<Set<string>> {
		const ids = [...new Set(assetIds)].filter((id) => !this.owns(documentName, id));
		if (ids.length === 0) return new Set();
		const owners = await new Promise<Map<string, string>>((resolve, reject) => {
			this.queue.push({ ids, resolve, reject });
			if (!this.flushing) {
				this.flushing = true;
				setImmediate(() => void this.flush());
			}
		});
		const refused = new Set<string>();
		const known = this.owned.get(documentName);
		for (const id of ids) {
			if (owners.get(id) === canvasId) known?.add(id);
			else refused.add(id);
		}
		return refused;
	}

	/** Answers every question queued since the last flush with one query per chunk of ids. */
	private async flush(): Promise<void> {
		const questions = this.queue;
		this.queue = [];
		this.flushing = false;
		try {
			const ids = [...new Set(questions.flatMap((question) => question.ids))];
			const owners = new Map<string, string>();
			for (let start = 0; start < ids.length; start += LOOKUP_CHUNK) {
				const rows = await this.db
					.select({ id: assets.id, canvasId: assets.canvasId })
					.from(assets)
					.where(inArray(assets.id, ids.slice(start, start + LOOKUP_CHUNK)));
				for (const row of rows) owners.set(row.id, row.canvasId);
			}
			for (const question of questions) question.resolve(owners);
		} catch (error) {
			for (const question of questions) question.reject(error);
		}
	}
}
