// Records when the collaboration server acknowledged each local edit of a Y.Doc.
//
// The signal: Hocuspocus answers every document-changing frame (sync step 2 or update) with a
// SyncStatus message once it has applied the change to its in-memory document, one reply per frame,
// in order (messages of one connection are processed one after another). The provider only counts
// these replies (`unsyncedChanges`); this ledger matches them to the frames, and so to the edits,
// by watching the client's WebSocket: hand `ledger.WebSocket` to the provider as its polyfill.
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';

const MESSAGE_SYNC = 0;
const MESSAGE_SYNC_STATUS = 8;
const SYNC_STEP_2 = 1;
const SYNC_UPDATE = 2;

export interface LedgerEdit {
	/** The edit's own Yjs update (to check whether a stored document contains it). */
	update: Uint8Array;
	madeAt: number;
	/** When the server's acknowledgement arrived (performance.now()), if it did. */
	ackedAt?: number;
}

interface PendingFrame {
	/** Edits this frame carries: one for an update frame, every earlier edit for a sync step 2. */
	edits: LedgerEdit[];
}

export class AcknowledgementLedger {
	readonly edits: LedgerEdit[] = [];
	/** A WebSocket class for `HocuspocusProviderWebsocket({ WebSocketPolyfill })`. */
	readonly WebSocket: typeof WebSocket;
	private sending: LedgerEdit | undefined;
	private readonly doc: Y.Doc;

	constructor(doc: Y.Doc) {
		this.doc = doc;
		// Arrow functions keep the ledger as `this`; inside the socket class `this` is the socket.
		const sendingEdit = () => this.sending;
		const editsSoFar = () => [...this.edits];
		this.WebSocket = class LedgerWebSocket extends WebSocket {
			/** Frames sent on this socket that await their SyncStatus reply, oldest first. */
			private readonly awaiting: PendingFrame[] = [];

			constructor(url: string | URL, protocols?: string | string[]) {
				super(url, protocols);
				// Registered before the provider's own listener, so the time is taken on arrival.
				this.addEventListener('message', (event) => {
					const applied = readSyncStatus(new Uint8Array(event.data as ArrayBuffer));
					if (applied === undefined) return;
					const frame = this.awaiting.shift();
					if (!applied) return; // refused (read-only): not acknowledged
					const now = performance.now();
					for (const edit of frame?.edits ?? []) edit.ackedAt ??= now;
				});
			}

			override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
				super.send(data);
				if (!(data instanceof Uint8Array)) return;
				const kind = readSyncKind(data);
				if (kind === SYNC_UPDATE) {
					const sending = sendingEdit();
					this.awaiting.push({ edits: sending ? [sending] : [] });
				} else if (kind === SYNC_STEP_2) {
					// A sync step 2 carries everything this client has that the server lacked.
					this.awaiting.push({ edits: editsSoFar() });
				}
			}
		};
	}

	/**
	 * Makes an edit in one transaction and records it; the provider sends it synchronously when its
	 * socket is open. Returns undefined when the transaction changed nothing.
	 */
	edit(change: () => void): LedgerEdit | undefined {
		let update: Uint8Array | undefined;
		const capture = (bytes: Uint8Array, _origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => {
			if (transaction.local) update = bytes;
		};
		const edit: LedgerEdit = { update: new Uint8Array(), madeAt: performance.now() };
		this.doc.on('update', capture);
		this.sending = edit;
		try {
			this.doc.transact(change);
		} finally {
			this.sending = undefined;
			this.doc.off('update', capture);
		}
		if (!update) return undefined;
		edit.update = update;
		this.edits.push(edit);
		return edit;
	}
}

/** The sync message kind of an outgoing Hocuspocus frame, or undefined for other messages. */
function readSyncKind(frame: Uint8Array): number | undefined {
	try {
		const decoder = decoding.createDecoder(frame);
		decoding.readVarString(decoder);
		if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return undefined;
		return decoding.readVarUint(decoder);
	} catch {
		return undefined;
	}
}

/** The `applied` flag of an incoming SyncStatus message, or undefined for other messages. */
function readSyncStatus(frame: Uint8Array): boolean | undefined {
	try {
		const decoder = decoding.createDecoder(frame);
		decoding.readVarString(decoder);
		if (decoding.readVarUint(decoder) !== MESSAGE_SYNC_STATUS) return undefined;
		return decoding.readVarInt(decoder) === 1;
	} catch {
		return undefined;
	}
}
