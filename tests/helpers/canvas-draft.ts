// A canvas in memory staged and validated by the server write path's own code
// (server/collab/writes.ts), applied only when every record passes. Plus a ToolSession on it, for
// testing the assistant's tools without a collaboration server.
import type { CanvasDraft } from '../../src/lib/server/collaboration-control.ts';
import type { RecordLimits } from '../../src/lib/server/canvas-records.ts';
import { refusedChange, stageCanvasChange } from '../../server/collab/writes.ts';
import type { StoredRunChange } from '../../src/lib/server/db/schema.ts';
import type { ToolSession } from '../../src/lib/server/ai/canvas-tools.ts';
import { DOCUMENT_RECORD, PAGE_RECORD } from './tldraw-records.ts';

const LIMITS: RecordLimits = { maxRecordBytes: 2 * 1024 * 1024, maxRecords: 100_000 };

/** Records are JSON: copies out, so nobody changes what a map holds behind its back. */
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
		const staged = stageCanvasChange({ records: this.records, meta: this.meta }, LIMITS, change);
		if (staged.problems.length > 0) throw refusedChange(staged.problems);
		staged.apply();
		this.commits++;
		return { changed: staged.changed };
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
