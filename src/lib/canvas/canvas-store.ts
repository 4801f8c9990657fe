// Opens one canvas: a tldraw store bound to its Yjs doc, presence and connection, ready for an editor.
import { UserRecordType, atom, computed, createTLStore, createUserId } from 'tldraw';
import type { Signal, TLStore, TLUser } from 'tldraw';
import type { Awareness } from 'y-protocols/awareness';
import { documentName } from '../document-names.ts';
import { createCanvasAssetStore, type CanvasAssetStore } from './canvas-assets.ts';
import { createCollabSession } from './collab-session.ts';
import { easelBindingUtils, easelShapeUtils } from './custom-shapes.ts';
import type { CollabSession, CollabStatus } from './collab-session.ts';
import { bindPresenceToAwareness } from './presence-binding.ts';
import { bindStoreToYjs, RECORDS_MAP } from './yjs-binding.ts';

export interface CanvasUser {
	id: string;
	name: string;
	color: string;
}

export interface OpenCanvasOptions {
	canvasId: string;
	user: CanvasUser;
	readOnly: boolean;
	/** Open through a share link rather than team membership. */
	shareToken?: string;
	/** The server granted read-only (true) or editing (false); can change while open. */
	onAccess?: (readOnly: boolean) => void;
	/** Hocuspocus endpoint; default `ws(s)://<current host>/collab`. */
	url?: string;
	onStatus?: (status: CollabStatus) => void;
	onRefused?: (reason: string, code?: number) => void;
	/** The store holds the canvas (from the server, or from this browser's copy while offline). */
	onReady?: () => void;
	/** The stored canvas is downloading (see CollabSessionOptions). */
	onDownloadProgress?: (received: number, total: number | null) => void;
}

export interface OpenCanvas {
	store: TLStore;
	session: CollabSession;
	/** This user as tldraw sees them (presence and attribution). */
	currentUser: Signal<TLUser>;
	/** Where the canvas's images are uploaded and shown from. */
	assets: CanvasAssetStore;
	close(): void;
}

export function openCanvas({ canvasId, user, readOnly, shareToken, url, onStatus, onRefused, onReady, onAccess, onDownloadProgress }: OpenCanvasOptions): OpenCanvas {
	const currentUser = atom<TLUser>('easel current user', UserRecordType.create({ id: createUserId(user.id), name: user.name, color: user.color }));
	const mode = atom<'readonly' | 'readwrite'>('easel collaboration mode', readOnly ? 'readonly' : 'readwrite');
	const connection = atom<'online' | 'offline'>('easel connection', 'offline');
	// Who wrote what (attribution labels) is resolved from Easel's identities, never from user
	// records in the document (see shared-records.ts): this user, and collaborators as the server
	// stamped them on their presence.
	const resolved = new Map<string, Signal<TLUser | null>>();
	const resolve = (userId: string): Signal<TLUser | null> => {
		let signal = resolved.get(userId);
		if (!signal) {
			const id = createUserId(userId);
			signal = computed(`easel user ${userId}`, () => {
				if (currentUser.get().id === id) return currentUser.get();
				const peer = store.query
					.records('instance_presence')
					.get()
					.find((presence) => presence.userId === id);
				return peer ? UserRecordType.create({ id, name: peer.userName, color: peer.color }) : null;
			});
			resolved.set(userId, signal);
		}
		return signal;
	};
	// collaboration makes tldraw show the offline badge and enforce read-only from these signals.
	const assets = createCanvasAssetStore({ canvasId, shareToken });
	const store: TLStore = createTLStore({
		shapeUtils: easelShapeUtils,
		bindingUtils: easelBindingUtils,
		users: { currentUser, resolve },
		collaboration: { mode, status: connection },
		assets
	});

	let closed = false;
	let stopPresence: (() => void) | null = null;
	const bindPresence = (awareness: Awareness) => {
		stopPresence?.();
		stopPresence = bindPresenceToAwareness({ store, awareness, user: currentUser });
	};

	const session = createCollabSession({
		documentName: documentName('canvas', canvasId),
		shareToken,
		url,
		onStatus(status) {
			connection.set(status === 'connected' ? 'online' : 'offline');
			onStatus?.(status);
		},
		onRefused,
		onDownloadProgress,
		onAuthenticated(scope) {
			// The server is the authority: its grant wins over what the page believed, and can change while open.
			const grantedReadOnly = scope === 'readonly';
			mode.set(grantedReadOnly ? 'readonly' : 'readwrite');
			binding.setReadOnly(grantedReadOnly);
			onAccess?.(grantedReadOnly);
		},
		// The socket connects only once the doc is loaded, so a synced doc is never seeded over a copy still loading.
		onSynced: markReady,
		onAwareness: (awareness) => bindPresence(awareness)
	});
	const binding = bindStoreToYjs({ store, doc: session.doc, readOnly });

	function markReady(): void {
		if (closed || binding.isReady) return;
		binding.ready();
		onReady?.();
	}

	// A copy in this browser, or the stored canvas: open it now; the socket's sync merges in the rest.
	void session.loaded.then(() => {
		if (session.doc.getMap(RECORDS_MAP).size > 0) markReady();
	});

	return {
		store,
		session,
		currentUser,
		assets,
		close() {
			closed = true;
			stopPresence?.();
			binding.dispose();
			session.destroy();
			store.dispose();
			assets.dispose();
		}
	};
}
