// Shares cursors and selections through Yjs awareness (never the document) and shows peers as tldraw presence records.
import { InstancePresenceRecordType, createPresenceStateDerivation, createUserId, react } from 'tldraw';
import type { Signal, TLInstancePresence, TLStore, TLUser, TLUserId } from 'tldraw';
import type { Awareness } from 'y-protocols/awareness';

/** Identity as the server stamps it on every awareness state (`state.user`). */
export interface PresenceUser {
	id: string;
	name: string;
	color: string;
}

export interface PresenceBindingOptions {
	store: TLStore;
	awareness: Awareness;
	/** This user; its id, name and colour go into the published presence. */
	user: Signal<TLUser | null>;
	/** Minimum time between two published presence states. */
	throttleMs?: number;
}

const DEFAULT_THROTTLE_MS = 80;

/** Publishes this client's presence and mirrors everyone else's into the store; returns dispose. */
export function bindPresenceToAwareness({ store, awareness, user, throttleMs = DEFAULT_THROTTLE_MS }: PresenceBindingOptions): () => void {
	const $presence = createPresenceStateDerivation(user, {
		instanceId: presenceIdOf(awareness.clientID)
	})(store);
	const shownPeers = new Set<TLInstancePresence['id']>();

	const publish = throttle(() => {
		awareness.setLocalStateField('presence', $presence.get());
	}, throttleMs);

	// Kept apart from presence so a cursor move doesn't resend the identity.
	const stopPublishingUser = react('publish user to awareness', () => {
		const me = user.get();
		awareness.setLocalStateField('user', me ? { id: externalUserId(me.id), name: me.name, color: me.color } : null);
	});
	const stopPublishingPresence = react('publish presence to awareness', () => {
		$presence.get();
		publish();
	});

	function syncPeers(clientIds: number[]): void {
		// Our own state changes with every cursor move; only peers need the store.
		const peers = clientIds.filter((clientId) => clientId !== awareness.clientID);
		if (peers.length === 0) return;
		const states = awareness.getStates();
		store.mergeRemoteChanges(() => {
			const gone: TLInstancePresence['id'][] = [];
			for (const clientId of peers) {
				const id = presenceIdOf(clientId);
				const record = presenceFromAwarenessState(clientId, states.get(clientId));
				if (!record) {
					if (shownPeers.delete(id) && store.has(id)) gone.push(id);
					continue;
				}
				try {
					store.put([record]);
					shownPeers.add(id);
				} catch (error) {
					console.warn(`[easel] ignored invalid presence from client ${clientId}`, error);
				}
			}
			if (gone.length > 0) store.remove(gone);
		});
	}

	const onChange = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
		syncPeers([...added, ...updated, ...removed]);
	};
	awareness.on('change', onChange);
	syncPeers([...awareness.getStates().keys()]);

	return () => {
		stopPublishingUser();
		stopPublishingPresence();
		publish.cancel();
		awareness.off('change', onChange);
		const stale = [...shownPeers].filter((id) => store.has(id));
		shownPeers.clear();
		if (stale.length > 0) store.mergeRemoteChanges(() => store.remove(stale));
	};
}

/** One presence record per awareness client, so two tabs of one user are two cursors. */
export function presenceIdOf(clientId: number): TLInstancePresence['id'] {
	return InstancePresenceRecordType.createId(String(clientId));
}

/**
 * Builds a peer's presence record from its awareness state, preferring the identity the server
 * stamped (`state.user`) over what the peer claims. Returns null when the peer shares no presence.
 */
export function presenceFromAwarenessState(clientId: number, state: Record<string, unknown> | undefined): TLInstancePresence | null {
	const presence = state?.presence;
	if (!presence || typeof presence !== 'object') return null;
	const claimed = presence as Partial<TLInstancePresence>;
	const stamped = readPresenceUser(state?.user);
	const userId = stamped?.id ?? claimed.userId;
	if (typeof userId !== 'string' || userId === '') return null;
	// Validation of the remaining, untrusted fields happens when the record is put into the store,
	// so the cast only tells create() what the validator will check.
	return InstancePresenceRecordType.create({
		...claimed,
		id: presenceIdOf(clientId),
		userId: toUserId(userId),
		userName: stamped?.name ?? claimed.userName ?? '',
		color: stamped?.color ?? claimed.color
	} as TLInstancePresence);
}

function readPresenceUser(value: unknown): PresenceUser | null {
	if (!value || typeof value !== 'object') return null;
	const { id, name, color } = value as Record<string, unknown>;
	if (typeof id !== 'string' || typeof name !== 'string' || typeof color !== 'string') return null;
	return { id, name, color };
}

/** The server stamps raw account ids; tldraw wants `user:`-prefixed ones. */
function toUserId(id: string): TLUserId {
	return id.startsWith('user:') ? (id as TLUserId) : createUserId(id);
}

function externalUserId(id: TLUserId): string {
	return id.startsWith('user:') ? id.slice('user:'.length) : id;
}

/** Leading and trailing throttle: the first call runs now, the last call in a burst always runs. */
function throttle(fn: () => void, waitMs: number): (() => void) & { cancel(): void } {
	let timer: ReturnType<typeof setTimeout> | null = null;
	let lastRun = 0;
	const run = () => {
		timer = null;
		lastRun = Date.now();
		fn();
	};
	const throttled = () => {
		if (timer) return;
		const wait = lastRun + waitMs - Date.now();
		if (wait <= 0) run();
		else timer = setTimeout(run, wait);
	};
	throttled.cancel = () => {
		if (timer) clearTimeout(timer);
		timer = null;
	};
	return throttled;
}
