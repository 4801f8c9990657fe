// The assistant's tools on a canvas (AI SDK `tool`s): each call is exactly one validated transaction
// through the session's write path, and every logical change is recorded for review.
import type { ToolSet } from 'ai';
import type { CanvasDraft } from '../collaboration-control.ts';
import type { StoredRunChange } from '../db/schema.ts';

/** What a run gives its tools: the one canvas (and page) they may touch, and how to write and report. */
export interface ToolSession {
	runId: string;
	pageId: string;
	/** One validated transaction on the live canvas; throws AppError INVALID_INPUT when a record fails (nothing written). */
	transact(change: (draft: CanvasDraft) => void): Promise<void>;
	/** Records one reviewable change (the engine stores it and shows it in the chat). */
	recordChange(change: StoredRunChange): void;
	/** Moves the assistant's cursor to where it draws. */
	moveCursor(point: { x: number; y: number }): void;
	/** Reads the live canvas records (for occupancy and ids). */
	readRecords(): Promise<Record<string, unknown>>;
}

/** The canvas tools: draw_diagram, update_shapes, move_shapes, restyle_shapes, delete_shapes, connect_shapes. */
export function createCanvasTools(session: ToolSession): ToolSet {
	void session;
	throw new Error('not implemented yet');
}
