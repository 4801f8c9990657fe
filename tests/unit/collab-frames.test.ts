// What the collaboration server makes of a frame before Hocuspocus sees it: its effect, whatever
// envelope carries it, and the sync-request budget.
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { SYNC_REQUEST_BURST, frameEffect, newSocketState, overSyncRequestBudget, readFrame } from '../../server/collab/frames.ts';

const NAME = 'canvas:00000000-0000-0000-0000-000000000000';

function syncFrame(messageType: number, step: number, payload: Uint8Array, name = NAME): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarString(encoder, name);
	encoding.writeVarUint(encoder, messageType);
	encoding.writeVarUint(encoder, step);
	encoding.writeVarUint8Array(encoder, payload);
	return encoding.toUint8Array(encoder);
}

function updateWriting(write: (doc: Y.Doc) => void): Uint8Array {
	const doc = new Y.Doc();
	write(doc);
	return Y.encodeStateAsUpdate(doc);
}

const recordUpdate = updateWriting((doc) => doc.getMap('records').set('shape:a', { id: 'shape:a' }));
const stateVector = Y.encodeStateVector(new Y.Doc());

describe('frame effect', () => {
	it.each([
		['Sync, step 1', 0, 0, stateVector, 'sync-request'],
		['Sync, step 2', 0, 1, recordUpdate, 'change'],
		['Sync, update', 0, 2, recordUpdate, 'change'],
		['SyncReply, step 1', 4, 0, stateVector, 'sync-request'],
		['SyncReply, step 2', 4, 1, recordUpdate, 'change'],
		['SyncReply, update', 4, 2, recordUpdate, 'change']
	] as const)('%s → %s, on arrival and on the hot path alike', (_label, type, step, payload, effect) => {
		const frame = syncFrame(type, step, payload);
		expect(readFrame(frame)).toEqual({ problem: null, effect });
		expect(frameEffect(frame)).toBe(effect);
	});

	it('awareness is neither a change nor a sync request', () => {
		const encoder = encoding.createEncoder();
		encoding.writeVarString(encoder, NAME);
		encoding.writeVarUint(encoder, 1);
		encoding.writeVarUint8Array(encoder, new Uint8Array([0]));
		expect(frameEffect(encoding.toUint8Array(encoder))).toBe('other');
	});
});

describe('top-level types', () => {
	it.each([
		['a map', (doc: Y.Doc) => doc.getMap('evil').set('x', 'y'.repeat(1000))],
		['a text', (doc: Y.Doc) => doc.getText('notes').insert(0, 'hello')],
		['an array', (doc: Y.Doc) => doc.getArray('list').push([1, 2, 3])]
	])('an update that writes %s outside records and meta is refused', (_label, write) => {
		for (const type of [0, 4]) {
			for (const step of [1, 2]) {
				expect(readFrame(syncFrame(type, step, updateWriting(write))).problem).toMatch(/unknown top-level type/);
			}
		}
	});

	it('records and meta are allowed', () => {
		const update = updateWriting((doc) => {
			doc.getMap('records').set('shape:a', { id: 'shape:a' });
			doc.getMap('meta').set('schema', {});
		});
		expect(readFrame(syncFrame(0, 2, update)).problem).toBeNull();
	});
});

describe('sync-request budget', () => {
	it('allows a small burst, then refills at the per-minute rate', () => {
		const perMinute = 20;
		const start = 1_000_000;
		const state = newSocketState(perMinute);
		state.syncRequestsCheckedAt = start;
		for (let i = 0; i < SYNC_REQUEST_BURST; i++) expect(overSyncRequestBudget(state, perMinute, start)).toBe(false);
		expect(overSyncRequestBudget(state, perMinute, start)).toBe(true);
		// Three seconds later one more request is allowed (20 a minute), not two.
		expect(overSyncRequestBudget(state, perMinute, start + 3_000)).toBe(false);
		expect(overSyncRequestBudget(state, perMinute, start + 3_000)).toBe(true);
		// After a quiet minute only the burst is back, not a minute's worth.
		const later = start + 3_000 + 60_000;
		for (let i = 0; i < SYNC_REQUEST_BURST; i++) expect(overSyncRequestBudget(state, perMinute, later)).toBe(false);
		expect(overSyncRequestBudget(state, perMinute, later)).toBe(true);
	});
});
