// The one way server-side code changes a document (restore now; the assistant, the ingest API and
// imports next): the writer stages its changes on a draft of the live document, the staged changes
// are validated with the same rules as a client's, and only then applied as one Yjs transaction
// whose origin names the writer. Hocuspocus fans it out live, so collaborators see it at once and
// their undo stacks (which track only their own origin) stay theirs. Asset records must point at
// the canvas's own assets: ids the document doesn't know yet are looked up before anything commits.
import type { Hocuspocus } from '@hocuspocus/server';
import { parseDocumentName } from '../../src/lib/document-names.ts';
import {
	changedAssetSources,
	foreignAssetProblem,
	validateMetaChanges,
	validateRecordChanges,
	type KeyChange,
	type MapView,
	type RecordLimits
} from '../../src/lib/server/canvas-records.ts';
import { AppError } from '../../src/lib/server/errors.ts';
import type { CanvasDraft, DocumentWriter, MapDraft } from '../../src/lib/server/runtime.ts';
import type { AssetOwnership } from './asset-ownership.ts';
import type { ConnectionContext } from './context.ts';

/** What a draft stages over: a Y.Map of the live document, or (in tests) a plain Map. */
export interface LiveMap {
	get(key: string): unknown;
	has(key: string): boolean;
	readonly size: number;
	keys(): IterableIterator<string>;
	set(key: string, value: unknown): unknown;
	delete(key: string): unknown;
}

/** Changes to one map staged on top of it: reads see them, nothing reaches the map until `apply`. */
export class StagedMap implements MapDraft {
	private readonly live: LiveMap;
	/** Per key: the staged value, or null when it is staged for deletion. */
	private readonly staged = new Map<string, { value: unknown } | null>();

	constructor(live: LiveMap) {
		this.live = live;
	}

	/** A copy: a writer that changes what it read in place must not change the live document outside a transaction. */
	get(key: string): unknown {
		const staged = this.staged.get(key);
		return copyOf(staged === undefined ? this.live.get(key) : staged?.value);
	}

	has(key: string): boolean {
		const staged = this.staged.get(key);
		return staged === undefined ? this.live.has(key) : staged !== null;
	}

	get size(): number {
		let size = this.live.size;
		for (const [key, staged] of this.staged) {
			if (staged && !this.live.has(key)) size++;
			else if (!staged && this.live.has(key)) size--;
		}
		return size;
	}

	keys(): string[] {
		return [...new Set([...this.live.keys(), ...this.staged.keys()])].filter((key) => this.has(key));
	}

	toJSON(): Record<string, unknown> {
		return Object.fromEntries(this.keys().map((key) => [key, this.get(key)]));
	}

	set(key: string, value: unknown): void {
		// A copy too, so the writer can't change what was staged afterwards.
		this.staged.set(key, { value: copyOf(value) });
	}

	delete(key: string): void {
		this.staged.set(key, null);
	}

	/** What applying would change, as Y.YMapEvent reports changes (keys staged to what they already hold are left out). */
	changes(): Map<string, KeyChange> {
		const changes = new Map<string, KeyChange>();
		for (const [key, staged] of this.staged) {
			const existed = this.live.has(key);
			const oldValue = this.live.get(key);
			if (staged === null) {
				if (existed) changes.set(key, { action: 'delete', oldValue });
			} else if (!existed) {
				changes.set(key, { action: 'add', oldValue: undefined });
			} else if (JSON.stringify(oldValue) !== JSON.stringify(staged.value)) {
				changes.set(key, { action: 'update', oldValue });
			}
		}
		return changes;
	}

	apply(changes: Map<string, KeyChange>): void {
		for (const [key, change] of changes) {
			if (change.action === 'delete') this.live.delete(key);
			else this.live.set(key, (this.staged.get(key) as { value: unknown }).value);
		}
	}

	/** The same staged changes over another view of the map (the live document a moment later). */
	over(live: LiveMap): StagedMap {
		const copy = new StagedMap(live);
		for (const [key, staged] of this.staged) copy.staged.set(key, staged);
		return copy;
	}
}

/** Records are JSON. */
function copyOf<T>(value: T): T {
	return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/** A writer's change staged over a canvas and validated. */
export interface StagedCanvasChange {
	problems: [string, string][];
	changed: number;
	/** The stored asset each added or changed asset record points at anew, by key: the caller checks they are the canvas's. */
	assetSources: Map<string, string>;
	/** Writes the change (call it only when there are no problems). */
	apply(): void;
	/** The same change staged and validated again over `live` (without running the writer again). */
	over(live: { records: LiveMap; meta: LiveMap }): StagedCanvasChange;
}

/**
 * Stages `change` over a canvas's `records` and `meta`, validated as a client's change would be:
 * the problems, and `apply` to write the change (call it only when there are none).
 */
export function stageCanvasChange(live: { records: LiveMap; meta: LiveMap }, limits: RecordLimits, change: (draft: CanvasDraft) => void): StagedCanvasChange {
	const records = new StagedMap(live.records);
	const meta = new StagedMap(live.meta);
	change({ records, meta });
	return validated(records, meta, limits);
}

function validated(records: StagedMap, meta: StagedMap, limits: RecordLimits): StagedCanvasChange {
	const recordChanges = records.changes();
	const metaChanges = meta.changes();
	const problems = [...validateRecordChanges(records as MapView, recordChanges, limits), ...validateMetaChanges(meta as MapView, metaChanges, limits)];
	const refused = new Set(problems.map(([key]) => key));
	return {
		problems,
		changed: recordChanges.size + metaChanges.size,
		assetSources: new Map([...changedAssetSources(records as MapView, recordChanges)].filter(([key]) => !refused.has(key))),
		apply() {
			records.apply(recordChanges);
			meta.apply(metaChanges);
		},
		over: (live) => validated(records.over(live.records), meta.over(live.meta), limits)
	};
}

/** INVALID_INPUT listing what was wrong with a staged change. */
export function refusedChange(problems: [string, string][]): AppError {
	const [key, problem] = problems[0];
	return new AppError('INVALID_INPUT', `The change was refused: ${key} ${problem}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}.`, {
		problems: problems.slice(0, 20).map(([key, problem]) => ({ key, problem }))
	});
}

/**
 * Stages `change` on the live document, validates it and applies it as one transaction with the
 * writer as origin; INVALID_INPUT (listing what was wrong) and nothing written when any staged
 * record fails. Resolves with how many records and meta keys changed.
 *
 * With `assets`, asset records must point at the canvas's own assets. When the change names one
 * the document doesn't know, nothing is applied at first: the ids are looked up, and the same
 * staged change is validated again and applied over the document as it is then.
 */
export async function transactDocument(
	hocuspocus: Hocuspocus<ConnectionContext>,
	limits: RecordLimits,
	documentName: string,
	writer: DocumentWriter,
	change: (draft: CanvasDraft) => void,
	assets?: AssetOwnership,
	whenLogged?: (documentName: string) => Promise<void>
): Promise<{ changed: number }> {
	const address = parseDocumentName(documentName);
	if (address?.kind !== 'canvas') throw new AppError('NOT_FOUND', 'Unknown document.');
	const connection = await hocuspocus.openDirectConnection(documentName, { ip: 'server', writer });
	try {
		let staged: StagedCanvasChange | undefined;
		let unknown: string[] = [];
		let changed = 0;
		/** Stages (or stages again) over the live document and applies it when every check passes; `looked` are ids looked up: whether each is the canvas's. */
		const attempt = (looked: Map<string, boolean>) =>
			connection.transact((document) => {
				const live = { records: document.getMap('records'), meta: document.getMap('meta') };
				staged = staged ? staged.over(live) : stageCanvasChange(live, limits, change);
				for (const [key, assetId] of staged.assetSources) if (looked.get(assetId) === false) staged.problems.push([key, foreignAssetProblem(assetId)]);
				if (staged.problems.length > 0) return;
				unknown = assets ? [...staged.assetSources.values()].filter((id) => !looked.has(id) && !assets.owns(documentName, id)) : [];
				if (unknown.length > 0) return;
				staged.apply();
				changed = staged.changed;
			});
		await attempt(new Map());
		if (unknown.length > 0) {
			const refused = await assets!.verify(documentName, address.canvasId, unknown);
			// The same staged change names no other ids, so this one applies or is refused.
			await attempt(new Map(unknown.map((id) => [id, !refused.has(id)])));
		}
		if (staged!.problems.length > 0) throw refusedChange(staged!.problems);
		return { changed };
	} finally {
		// Kept warm rather than stored and unloaded at once: a writer that comes back often (a streamed
		// message, ten writes a second) would otherwise reload and compact the whole canvas every time.
		// The debounced store compacts and unloads it once writes stop; the change is durable as soon
		// as the update log holds it, which `whenLogged` waits for.
		await connection.disconnect({ unloadImmediately: false });
		await whenLogged?.(documentName);
	}
}
