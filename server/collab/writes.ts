// The one way server-side code changes a document (restore now; the assistant, the ingest API and
// imports next): the writer stages its changes on a draft of the live document, the staged changes
// are validated with the same rules as a client's, and only then applied as one Yjs transaction
// whose origin names the writer. Hocuspocus fans it out live, so collaborators see it at once and
// their undo stacks (which track only their own origin) stay theirs.
import type { Hocuspocus } from '@hocuspocus/server';
import type * as Y from 'yjs';
import { parseDocumentName } from '../../src/lib/document-names.ts';
import { validateMetaChanges, validateRecordChanges, type KeyChange, type MapView, type RecordLimits } from '../../src/lib/server/canvas-records.ts';
import { AppError } from '../../src/lib/server/errors.ts';
import type { CanvasDraft, DocumentWriter, MapDraft } from '../../src/lib/server/runtime.ts';
import type { ConnectionContext } from './context.ts';

/** Changes to one Y.Map staged on top of it: reads see them, nothing reaches the map until `apply`. */
class StagedMap implements MapDraft {
	private readonly live: Y.Map<unknown>;
	/** Per key: the staged value, or null when it is staged for deletion. */
	private readonly staged = new Map<string, { value: unknown } | null>();

	constructor(live: Y.Map<unknown>) {
		this.live = live;
	}

	get(key: string): unknown {
		const staged = this.staged.get(key);
		return staged === undefined ? this.live.get(key) : staged?.value;
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
		// Records are JSON: a copy, so the writer can't change what was staged afterwards.
		this.staged.set(key, { value: JSON.parse(JSON.stringify(value)) });
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
}

/**
 * Stages `change` on the live document, validates it and applies it as one transaction with the
 * writer as origin; INVALID_INPUT (listing what was wrong) and nothing written when any staged
 * record fails. Resolves with how many records and meta keys changed.
 */
export async function transactDocument(
	hocuspocus: Hocuspocus<ConnectionContext>,
	limits: RecordLimits,
	documentName: string,
	writer: DocumentWriter,
	change: (draft: CanvasDraft) => void
): Promise<{ changed: number }> {
	if (parseDocumentName(documentName)?.kind !== 'canvas') throw new AppError('NOT_FOUND', 'Unknown document.');
	const connection = await hocuspocus.openDirectConnection(documentName, { ip: 'server', writer });
	try {
		let problems: [string, string][] = [];
		let changed = 0;
		await connection.transact((document) => {
			const records = new StagedMap(document.getMap('records'));
			const meta = new StagedMap(document.getMap('meta'));
			change({ records, meta });
			const recordChanges = records.changes();
			const metaChanges = meta.changes();
			problems = [...validateRecordChanges(records as MapView, recordChanges, limits), ...validateMetaChanges(meta as MapView, metaChanges, limits)];
			if (problems.length > 0) return;
			records.apply(recordChanges);
			meta.apply(metaChanges);
			changed = recordChanges.size + metaChanges.size;
		});
		if (problems.length > 0) {
			const [key, problem] = problems[0];
			throw new AppError('INVALID_INPUT', `The change was refused: ${key} ${problem}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}.`, {
				problems: problems.slice(0, 20).map(([key, problem]) => ({ key, problem }))
			});
		}
		return { changed };
	} finally {
		await connection.disconnect();
	}
}
