// A canvas in memory with the server write path's contract: a writer stages changes on a draft,
// they are validated with the same functions as server/collab/writes.ts (validateRecordChanges,
// validateMetaChanges) and applied only when every record passes. Plus a ToolSession on it, for
// testing the assistant's tools without a collaboration server.
import type { CanvasDraft, MapDraft } from '../../src/lib/server/collaboration-control.ts';
import { validateMetaChanges, validateRecordChanges, type KeyChange, type RecordLimits } from '../../src/lib/server/canvas-records.ts';
import type { StoredRunChange } from '../../src/lib/server/db/schema.ts';
import { AppError } from '../../src/lib/server/errors.ts';
import type { ToolSession } from '../../src/lib/server/ai/canvas-tools.ts';
import { DOCUMENT_RECORD, PAGE_RECORD } from './tldraw-records.ts';

const LIMITS: RecordLimits = { maxRecordBytes: 2 * 1024 * 1024, maxRecords: 100_000 };

/** Staged changes over a plain map: reads see them, the map sees nothing until `apply`. */
class StagedMap implements MapDraft {
	private readonly live: Map<string, unknown>;
	private readonly staged = new Map<string, { value: unknown } | null>();

	constructor(live: Map<string, unknown>) {
		this.live = live;
	}

	get(key: string): unknown {
		const staged = this.staged.get(key);
		return structuredCopy(staged === undefined ? this.live.get(key) : staged?.value);
	}

	has(key: string): boolean {
		const staged = this.staged.get(key);
		return staged === undefined ? this.live.has(key) : staged !== null;
	}

	get size(): number {
		return this.keys().length;
	}

	keys(): string[] {
		return [...new Set([...this.live.keys(), ...this.staged.keys()])].filter((key) => this.has(key));
	}

	toJSON(): Record<string, unknown> {
		return Object.fromEntries(this.keys().map((key) => [key, this.get(key)]));
	}

	set(key: string, value: unknown): void {
		this.staged.set(key, { value: structuredCopy(value) });
	}

	delete(key: string): void {
		this.staged.set(key, null);
	}

	changes(): Map<string, KeyChange> {
		const changes = new Map<string, KeyChange>();
		for (const [key, staged] of this.staged) {
			const existed = this.live.has(key);
			const oldValue = this.live.get(key);
			if (staged === null) {
				if (existed) changes.set(key, { action: 'delete', oldValue });
			} else if (!existed) changes.set(key, { action: 'add', oldValue: undefined });
			else if (JSON.stringify(oldValue) !== JSON.stringify(staged.value)) changes.set(key, { action: 'update', oldValue });
		}
		return changes;
	}

	apply(changes: Map<string, KeyChange>): void {
		for (const [key, change] of changes) {
			if (change.action === 'delete') this.live.delete(key);
			else this.live.set(key, (this.staged.get(key) as { value: unknown }).value);
		}
	}
}

/** Records are JSON: copies in and out, so nobody changes what a map holds behind its back. */
function structuredCopy<T>(value: T): T {
	return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/** One canvas's `records` and `meta` maps in memory. */
export class MemoryCanvas {
	readonly records = new Map<string, unknown>();
	readonly meta = new Map<string, unknown>();
	/** How many transactions committed (a refused one does not count). */
	commits = 0;

	/** A canvas holding the document and first page a browser seeds, plus `records` (validated; `commits` counts from 0 after). */
	static seeded(records: Record<string, unknown> = {}): MemoryCanvas {
		const canvas = new MemoryCanvas();
		canvas.transact((draft) => {
			for (const [id, record] of Object.entries({ [DOCUMENT_RECORD.id]: DOCUMENT_RECORD, [PAGE_RECORD.id]: PAGE_RECORD, ...records })) draft.records.set(id, record);
		});
		canvas.commits = 0;
		return canvas;
	}

	/** Like `CollaborationControl.transact`: INVALID_INPUT, and nothing written, when a staged record fails. */
	transact(change: (draft: CanvasDraft) => void): { changed: number } {
		const records = new StagedMap(this.records);
		const meta = new StagedMap(this.meta);
		change({ records, meta });
		const recordChanges = records.changes();
		const metaChanges = meta.changes();
		const problems = [...validateRecordChanges(records, recordChanges, LIMITS), ...validateMetaChanges(meta, metaChanges, LIMITS)];
		if (problems.length > 0) {
			const [key, problem] = problems[0];
			throw new AppError('INVALID_INPUT', `The change was refused: ${key} ${problem}.`, { problems: problems.map(([key, problem]) => ({ key, problem })) });
		}
		records.apply(recordChanges);
		meta.apply(metaChanges);
		this.commits++;
		return { changed: recordChanges.size + metaChanges.size };
	}

	toJSON(): Record<string, unknown> {
		return structuredCopy(Object.fromEntries(this.records));
	}

	/** A person's edit (as a client's socket would write it, validated the same way). */
	edit(id: string, update: (record: Record<string, unknown>) => void): void {
		this.transact((draft) => {
			const record = draft.records.get(id) as Record<string, unknown>;
			update(record);
			draft.records.set(id, record);
		});
	}
}

/** A ToolSession on a memory canvas that keeps what the tools report. */
export function memorySession(canvas: MemoryCanvas, runId = '00000000-0000-4000-8000-000000000001', pageId = PAGE_RECORD.id) {
	const changes: StoredRunChange[] = [];
	const cursor: { x: number; y: number }[] = [];
	const session: ToolSession = {
		runId,
		pageId,
		transact: async (change) => {
			canvas.transact(change);
		},
		recordChange: (change) => changes.push(change),
		moveCursor: (point) => cursor.push(point),
		readRecords: async () => canvas.toJSON()
	};
	return { session, changes, cursor };
}
