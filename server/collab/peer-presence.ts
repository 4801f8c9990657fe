// Server-side peers (the assistant, "Easel AI") among a canvas's collaborators: each peer is an
// awareness client of its own (a y-protocols Awareness on a throwaway Y.Doc, so it has its own
// client id and renews its state every 15 s like a browser does) whose updates are applied to the
// loaded canvas document's awareness, which Hocuspocus broadcasts to every connection and, with
// Redis, to the other instances that have the canvas open. Browsers render it with the same
// presence binding as a person (state `{ user, presence }`, presence-binding.ts).
import type { afterUnloadDocumentPayload, beforeHandleAwarenessPayload, Document, Extension, Hocuspocus } from '@hocuspocus/server';
import { InstancePresenceRecordType, createUserId, type TLPageId, type TLShapeId } from '@tldraw/tlschema';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { documentName } from '../../src/lib/document-names.ts';
import type { PeerPresence } from '../../src/lib/server/runtime.ts';
import type { ConnectionContext } from './context.ts';

/** The origin of peers' awareness updates on a document (not a connection: Hocuspocus tracks none for it). */
const PEER_ORIGIN = 'server-peer';

interface Peer {
	document: Document;
	awareness: Awareness;
}

export class PeerPresences implements Extension {
	/** By canvas document name, then peer id. */
	private readonly peers = new Map<string, Map<string, Peer>>();
	private hocuspocus: Hocuspocus<ConnectionContext> | undefined;

	attach(hocuspocus: Hocuspocus<ConnectionContext>): void {
		this.hocuspocus = hocuspocus;
	}

	/** Shows, moves or (with null) removes a peer on a canvas; nothing happens when the canvas is not loaded here. */
	set(canvasId: string, peerId: string, presence: PeerPresence | null): void {
		const name = documentName('canvas', canvasId);
		const document = this.hocuspocus?.documents.get(name);
		let peer = this.peers.get(name)?.get(peerId);
		// The canvas was unloaded and loaded again since: that peer belongs to the old document.
		if (peer && peer.document !== document) {
			this.remove(name, peerId);
			peer = undefined;
		}
		if (!presence) {
			if (peer) this.remove(name, peerId);
			return;
		}
		if (!document) return;
		if (!peer) peer = this.add(name, peerId, document);
		peer.awareness.setLocalState(awarenessState(peer.awareness.clientID, peerId, presence));
	}

	/** A client may not speak for a server peer's awareness client id. */
	async beforeHandleAwareness({ documentName: name, states }: beforeHandleAwarenessPayload<ConnectionContext>): Promise<void> {
		const peers = this.peers.get(name);
		if (!peers) return;
		for (const peer of peers.values()) states.delete(peer.awareness.clientID);
	}

	async afterUnloadDocument({ documentName: name }: afterUnloadDocumentPayload): Promise<void> {
		for (const peerId of [...(this.peers.get(name)?.keys() ?? [])]) this.remove(name, peerId);
	}

	/** Removes every peer (shutdown): their renewal timers stop. */
	clear(): void {
		for (const [name, peers] of this.peers) for (const peerId of [...peers.keys()]) this.remove(name, peerId);
	}

	private add(name: string, peerId: string, document: Document): Peer {
		const awareness = new Awareness(new Y.Doc());
		awareness.setLocalState(null);
		awareness.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
			const changed = [...added, ...updated, ...removed];
			if (changed.length > 0) applyAwarenessUpdate(document.awareness, encodeAwarenessUpdate(awareness, changed), PEER_ORIGIN);
		});
		const peer = { document, awareness };
		let peers = this.peers.get(name);
		if (!peers) this.peers.set(name, (peers = new Map()));
		peers.set(peerId, peer);
		return peer;
	}

	private remove(name: string, peerId: string): void {
		const peers = this.peers.get(name);
		const peer = peers?.get(peerId);
		if (!peers || !peer) return;
		peers.delete(peerId);
		if (peers.size === 0) this.peers.delete(name);
		// Sends the removal to the document (and so to every reader), then stops the renewal timer.
		peer.awareness.setLocalState(null);
		peer.awareness.destroy();
	}
}

/** The awareness state a browser reads: the identity (`user`) and a valid tldraw instance presence. */
function awarenessState(clientId: number, peerId: string, presence: PeerPresence): Record<string, unknown> {
	return {
		user: { id: peerId, name: presence.name, color: presence.color },
		presence: InstancePresenceRecordType.create({
			id: InstancePresenceRecordType.createId(String(clientId)),
			userId: createUserId(peerId),
			userName: presence.name,
			color: presence.color,
			currentPageId: presence.pageId as TLPageId,
			selectedShapeIds: (presence.selectedShapeIds ?? []) as TLShapeId[],
			cursor: { x: presence.cursor.x, y: presence.cursor.y, type: 'default', rotation: 0 },
			lastActivityTimestamp: Date.now()
		})
	};
}
