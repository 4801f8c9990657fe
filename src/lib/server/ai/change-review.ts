// Review of an assistant run's canvas changes: accept marks them kept; reject applies the inverse as
// a forward change on a draft, only where nobody changed the records since the run left them.
import type { CanvasDraft } from '../collaboration-control.ts';
import type { StoredRunChange } from '../db/schema.ts';

/** Rejects `changeIds` (default: every pending change), staging the inverse on `draft`. */
export function rejectChanges(
	draft: CanvasDraft,
	changes: StoredRunChange[],
	changeIds?: string[]
): { rejected: string[]; refused: { changeId: string; reason: string }[]; updated: StoredRunChange[] } {
	void draft;
	void changeIds;
	return { rejected: [], refused: [], updated: changes };
}

/** Marks `changeIds` (default: every pending change) accepted; the canvas is left as it is. */
export function acceptChanges(
	changes: StoredRunChange[],
	changeIds?: string[]
): { accepted: string[]; refused: { changeId: string; reason: string }[]; updated: StoredRunChange[] } {
	void changeIds;
	return { accepted: [], refused: [], updated: changes };
}
