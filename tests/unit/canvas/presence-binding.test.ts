import { TLPOINTER_ID, UserRecordType, atom, createUserId } from 'tldraw';
import type { TLInstancePresence, TLStore, TLUser } from 'tldraw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { bindPresenceToAwareness, presenceIdOf } from '../../../src/lib/canvas/presence-binding.ts';
import { newStoreLikeAnEditorsStore } from './helpers.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
	while (cleanups.length) cleanups.pop()!();
	vi.restoreAllMocks();
});

function tab(user: { id: string; name: string; color: string }) {
	const store = newStoreLikeAnEditorsStore();
	const awareness = new Awareness(new Y.Doc());
	const currentUser = atom<TLUser>('user', UserRecordType.create({ id: createUserId(user.id), name: user.name, color: user.color }));
	const dispose = bindPresenceToAwareness({ store, awareness, user: currentUser, throttleMs: 10 });
	cleanups.push(() => awareness.destroy());
	return { store, awareness, dispose };
}

/** Forwards awareness updates one way, as the server would (optionally rewriting each state). */
function forwardAwareness(from: Awareness, to: Awareness, stamp?: (state: Record<string, unknown>) => Record<string, unknown>) {
	const onUpdate = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
		if (origin === 'forwarded') return;
		const clients = [...added, ...updated, ...removed];
		if (stamp) {
			// Rewrite on a scratch awareness, like the server's beforeHandleAwareness hook.
			const scratch = new Awareness(new Y.Doc());
			applyAwarenessUpdate(scratch, encodeAwarenessUpdate(from, clients), 'forwarded');
			for (const [clientId, state] of scratch.getStates()) scratch.getStates().set(clientId, stamp(state));
			applyAwarenessUpdate(to, encodeAwarenessUpdate(scratch, clients), 'forwarded');
			scratch.destroy();
		} else {
			applyAwarenessUpdate(to, encodeAwarenessUpdate(from, clients), 'forwarded');
		}
	};
	from.on('update', onUpdate);
	cleanups.push(() => from.off('update', onUpdate));
}

const presencesIn = (store: TLStore) => store.query.records('instance_presence').get();

describe('bindPresenceToAwareness', () => {
	it('publishes this user in awareness and never touches the document', () => {
		const alice = tab({ id: 'alice', name: 'Alice', color: '#e03131' });
		const state = alice.awareness.getLocalState()!;
		expect(state.user).toEqual({ id: 'alice', name: 'Alice', color: '#e03131' });
		expect(state.presence).toMatchObject({ userId: 'user:alice', userName: 'Alice', color: '#e03131', currentPageId: 'page:page' });
		expect(alice.awareness.doc.share.size).toBe(0);
	});

	it('shows a peer as a presence record, follows its cursor, and removes it when it leaves', async () => {
		const alice = tab({ id: 'alice', name: 'Alice', color: '#e03131' });
		const bob = tab({ id: 'bob', name: 'Bob', color: '#1971c2' });
		forwardAwareness(alice.awareness, bob.awareness);
		// The pointer moving is what changes presence.
		alice.store.update(TLPOINTER_ID, (pointer) => ({ ...pointer, x: 120, y: 80 }));

		const aliceInBob = () => bob.store.get(presenceIdOf(alice.awareness.clientID)) as TLInstancePresence | undefined;
		await vi.waitFor(() => expect(aliceInBob()?.cursor).toMatchObject({ x: 120, y: 80 }));
		expect(aliceInBob()).toMatchObject({ userId: 'user:alice', userName: 'Alice', color: '#e03131' });
		expect(presencesIn(alice.store)).toEqual([]);

		removeAwarenessStates(bob.awareness, [alice.awareness.clientID], 'gone');
		expect(aliceInBob()).toBeUndefined();
	});

	it('trusts the identity the server stamped over what the peer claims', async () => {
		const mallory = tab({ id: 'bob', name: 'Bob (really)', color: '#000000' });
		const viewer = tab({ id: 'carol', name: 'Carol', color: '#2f9e44' });
		forwardAwareness(mallory.awareness, viewer.awareness, (state) => ({
			...state,
			user: { id: 'mallory', name: 'Mallory', color: '#f08c00' }
		}));
		mallory.awareness.setLocalStateField('presence', { ...mallory.awareness.getLocalState()!.presence, chatMessage: 'hi' });

		await vi.waitFor(() => expect(viewer.store.get(presenceIdOf(mallory.awareness.clientID))).toBeDefined());
		expect(viewer.store.get(presenceIdOf(mallory.awareness.clientID))).toMatchObject({
			userId: 'user:mallory',
			userName: 'Mallory',
			color: '#f08c00'
		});
	});

	it('ignores a peer whose presence is invalid, and keeps the others', () => {
		const viewer = tab({ id: 'carol', name: 'Carol', color: '#2f9e44' });
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
		const good = new Awareness(new Y.Doc());
		const bad = new Awareness(new Y.Doc());
		cleanups.push(
			() => good.destroy(),
			() => bad.destroy()
		);
		const presence = viewer.awareness.getLocalState()!.presence;
		good.setLocalState({ user: { id: 'dan', name: 'Dan', color: '#123456' }, presence });
		bad.setLocalState({ user: { id: 'eve', name: 'Eve', color: '#654321' }, presence: { ...presence, cursor: 'everywhere' } });

		applyAwarenessUpdate(viewer.awareness, encodeAwarenessUpdate(bad, [bad.clientID]), 'server');
		applyAwarenessUpdate(viewer.awareness, encodeAwarenessUpdate(good, [good.clientID]), 'server');

		expect(viewer.store.get(presenceIdOf(bad.clientID))).toBeUndefined();
		expect(viewer.store.get(presenceIdOf(good.clientID))).toMatchObject({ userName: 'Dan' });
		expect(warn).toHaveBeenCalledOnce();
	});

	it('removes the peers it showed when disposed', () => {
		const alice = tab({ id: 'alice', name: 'Alice', color: '#e03131' });
		const bob = tab({ id: 'bob', name: 'Bob', color: '#1971c2' });
		applyAwarenessUpdate(bob.awareness, encodeAwarenessUpdate(alice.awareness, [alice.awareness.clientID]), 'server');
		expect(presencesIn(bob.store)).toHaveLength(1);
		bob.dispose();
		expect(presencesIn(bob.store)).toHaveLength(0);
	});
});
