// Review of an assistant run's canvas changes. Accepting marks a change kept. Rejecting applies its
// inverse as a new forward change (restore what was before, remove what it created) on a draft,
// so the engine runs it inside one validated transaction, and only where every record is still
// exactly what the run left: what a person changed since is theirs, and is never overwritten.
import type { CanvasDraft, MapDraft } from '../collaboration-control.ts';
import type { StoredRunChange } from '../db/schema.ts';
import { plainTextOf } from '../../diagram/rich-text.ts';

export interface ReviewRefusal {
	changeId: string;
	reason: string;
}

export interface RejectResult {
	/** Ids of the changes now rejected (their inverse is staged on the draft). */
	rejected: string[];
	refused: ReviewRefusal[];
	/** All the run's changes, in their order, with the new states. */
	updated: StoredRunChange[];
}

export interface AcceptResult {
	accepted: string[];
	refused: ReviewRefusal[];
	updated: StoredRunChange[];
}

type RecordJson = { id: string; typeName?: string; type?: string; parentId?: string; fromId?: string; toId?: string; props?: Record<string, unknown> };

/**
 * Rejects `changeIds` (default: every pending change), latest first so a run's later changes on
 * the same shapes unwind before earlier ones. A change is refused when it was already rejected or
 * accepted, when a record differs from what the run left, when a later change of the run (not
 * rejected) builds on it, or when something else now refers to what it would remove.
 */
export function rejectChanges(draft: CanvasDraft, changes: StoredRunChange[], changeIds?: string[]): RejectResult {
	const updated = changes.map((change) => ({ ...change }));
	const wanted = changeIds ?? updated.filter((change) => change.state === 'pending').map((change) => change.id);
	const refused: ReviewRefusal[] = [];
	const rejected: string[] = [];
	const positions = new Map(updated.map((change, position) => [change.id, position]));
	for (const id of [...new Set(wanted)].filter((id) => !positions.has(id))) refused.push({ changeId: id, reason: 'There is no such change in this run.' });
	const order = [...new Set(wanted)].filter((id) => positions.has(id)).sort((a, b) => positions.get(b)! - positions.get(a)!);

	for (const changeId of order) {
		const position = positions.get(changeId)!;
		const change = updated[position];
		const reason = rejectionProblem(draft.records, change, updated.slice(position + 1));
		if (reason) {
			refused.push({ changeId, reason });
			continue;
		}
		for (const recordId of change.recordIds) {
			const before = change.before[recordId] ?? null;
			if (before === null) draft.records.delete(recordId);
			else draft.records.set(recordId, before);
		}
		updated[position] = { ...change, state: 'rejected' };
		rejected.push(changeId);
	}
	rejected.reverse();
	return { rejected, refused, updated };
}

/** Marks `changeIds` (default: every pending change) accepted; the canvas is left as it is. Rejected changes stay rejected. */
export function acceptChanges(changes: StoredRunChange[], changeIds?: string[]): AcceptResult {
	const wanted = new Set(changeIds ?? changes.filter((change) => change.state === 'pending').map((change) => change.id));
	const accepted: string[] = [];
	const refused: ReviewRefusal[] = [];
	const known = new Set(changes.map((change) => change.id));
	for (const id of wanted) if (!known.has(id)) refused.push({ changeId: id, reason: 'There is no such change in this run.' });
	const updated = changes.map((change) => {
		if (!wanted.has(change.id) || change.state === 'accepted') return { ...change };
		if (change.state === 'rejected') {
			refused.push({ changeId: change.id, reason: 'This change was already rejected.' });
			return { ...change };
		}
		accepted.push(change.id);
		return { ...change, state: 'accepted' as const };
	});
	return { accepted, refused, updated };
}

/** Why `change` can't be rejected now, or undefined when it can. `later` are the run's changes after it. */
function rejectionProblem(records: MapDraft, change: StoredRunChange, later: StoredRunChange[]): string | undefined {
	if (change.state === 'rejected') return 'This change was already rejected.';
	if (change.state === 'accepted') return 'This change was accepted; undo it by hand or restore the "Before AI" version.';
	const ids = new Set(change.recordIds);
	const live = later.filter((other) => other.state !== 'rejected');
	const laterTouch = live.find((other) => other.recordIds.some((id) => ids.has(id)));
	if (laterTouch)
		return `The assistant changed ${describe(
			change,
			laterTouch.recordIds.find((id) => ids.has(id))!
		)} again later; reject “${laterTouch.summary}” first.`;

	for (const id of change.recordIds) {
		const expected = change.after[id] ?? null;
		const current = records.has(id) ? records.get(id) : null;
		if (!sameJson(expected, current)) {
			return `Someone changed ${describe(change, id)} after the assistant did; undo it by hand or restore the "Before AI" version.`;
		}
	}

	// What the rejection removes must not be what something else now hangs on.
	const removed = new Set(change.recordIds.filter((id) => (change.before[id] ?? null) === null));
	if (removed.size > 0) {
		for (const key of records.keys()) {
			if (ids.has(key)) continue;
			const target = referencesOf(records.get(key) as RecordJson).find((reference) => removed.has(reference));
			if (!target) continue;
			const builtOnBy = live.find((other) => other.recordIds.includes(key));
			if (builtOnBy) return `The assistant built on ${describe(change, target)} later; reject “${builtOnBy.summary}” first.`;
			return `Someone attached something to ${describe(change, target)} after the assistant drew it; undo it by hand or restore the "Before AI" version.`;
		}
	}

	// What the rejection restores must have something to hang on.
	for (const id of change.recordIds) {
		const before = change.before[id] as RecordJson | null | undefined;
		if (!before) continue;
		const missing = referencesOf(before).find((reference) => !(ids.has(reference) ? change.before[reference] : records.has(reference)));
		if (missing) return `${capitalise(describe(change, id))} can't come back: what it was attached to is gone. Restore the "Before AI" version instead.`;
	}
	return undefined;
}

/** Ids a record points at that must exist: a shape's parent shape, a binding's two shapes (pages are never changed by runs). */
function referencesOf(record: RecordJson | null | undefined): string[] {
	if (!record || typeof record !== 'object') return [];
	if (record.typeName === 'shape' && typeof record.parentId === 'string' && record.parentId.startsWith('shape:')) return [record.parentId];
	if (record.typeName === 'binding') return [record.fromId, record.toId].filter((id): id is string => typeof id === 'string');
	return [];
}

/** How a message names a record of a change: its label in quotes, or what it is. */
function describe(change: StoredRunChange, id: string): string {
	const record = (change.after[id] ?? change.before[id]) as RecordJson | null | undefined;
	// A binding is named by the arrow it belongs to.
	const named = record?.typeName === 'binding' && record.fromId ? ((change.after[record.fromId] ?? change.before[record.fromId]) as RecordJson | undefined) : record;
	const props = named?.props ?? {};
	const label = props.richText ? plainTextOf(props.richText) : typeof props.name === 'string' ? props.name : '';
	if (label) return `'${label.replace(/\s+/g, ' ').slice(0, 40)}'`;
	if (named?.type === 'arrow') return 'an arrow';
	return 'a shape';
}

function capitalise(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

/** JSON equality that ignores only key order (Yjs and JSON round trips may reorder keys). */
export function sameJson(a: unknown, b: unknown): boolean {
	return canonical(a ?? null) === canonical(b ?? null);
}

function canonical(value: unknown): string {
	return JSON.stringify(value, (_key, inner: unknown) =>
		inner && typeof inner === 'object' && !Array.isArray(inner)
			? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
			: inner
	);
}
