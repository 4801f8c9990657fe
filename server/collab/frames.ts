// The first look at every frame a socket sends, before Hocuspocus parses it: frames that can't be
// Hocuspocus messages (text, a broken envelope, an unknown message type, a nonsense document name,
// a Yjs payload that does not decode or writes outside the document's known top-level types) and
// floods (before authentication, or of sync requests after it) close that socket with a named code
// and reach nothing else. It also says what each sound frame does, so limits key on its effect,
// not on its envelope.
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { SOCKET_CLOSES } from '../../src/lib/collab-protocol.ts';
import { topLevelTypesOf } from './document-kinds.ts';

/** What a socket may send before any of its documents authenticated (a browser needs ~3 frames per canvas). */
export const PRE_AUTH_LIMITS = { frames: 50, bytes: 256 * 1024 };

/** Document names are `<kind>:<id>`; anything else is refused without a lookup. */
const DOCUMENT_NAME = /^[a-z]{1,20}:[A-Za-z0-9-]{1,64}$/;

/** Hocuspocus message types a client may send (Sync … Pong; see @hocuspocus/server MessageType). */
const SYNC = 0;
const AWARENESS = 1;
const SYNC_REPLY = 4;
const HIGHEST_MESSAGE_TYPE = 10;
/** y-protocols sync steps: 0 = step 1 (state vector), 1 = step 2, 2 = update. */
const SYNC_STEP_1 = 0;
const HIGHEST_SYNC_STEP = 2;

/**
 * What a sound frame does. Hocuspocus applies Sync (0) and SyncReply (4) alike, so the envelope
 * type says nothing about effect:
 * - `change`: sync step 2 or update, which can change the document;
 * - `sync-request`: sync step 1, which makes the server encode what the client lacks (up to the
 *   whole document) and queue it on the socket;
 * - `other`: awareness, auth, stateless, …
 */
export type FrameEffect = 'change' | 'sync-request' | 'other';

export type FrameReading = { problem: string } | { problem: null; effect: FrameEffect };

/** Reads a frame's envelope (and a sync message's Yjs payload): what is wrong with it, or what it does. */
export function readFrame(frame: string | Uint8Array): FrameReading {
	if (typeof frame === 'string') return { problem: 'text frames are not part of the protocol' };
	try {
		const decoder = decoding.createDecoder(frame);
		const documentName = decoding.readVarString(decoder);
		if (!DOCUMENT_NAME.test(documentName)) return { problem: 'bad document name' };
		const type = decoding.readVarUint(decoder);
		if (type > HIGHEST_MESSAGE_TYPE) return { problem: `unknown message type ${type}` };
		if (type === SYNC || type === SYNC_REPLY) {
			const step = decoding.readVarUint(decoder);
			if (step > HIGHEST_SYNC_STEP) return { problem: 'unknown sync step' };
			const payload = decoding.readVarUint8Array(decoder);
			if (decoding.hasContent(decoder)) return { problem: 'trailing bytes after the sync message' };
			const problem = yjsPayloadProblem(step, payload, topLevelTypesOf(documentName));
			if (problem) return { problem };
			return { problem: null, effect: step === SYNC_STEP_1 ? 'sync-request' : 'change' };
		} else if (type === AWARENESS) {
			decoding.readVarUint8Array(decoder);
			if (decoding.hasContent(decoder)) return { problem: 'trailing bytes after the awareness message' };
		}
		return { problem: null, effect: 'other' };
	} catch {
		return { problem: 'truncated message' };
	}
}

/**
 * What a frame that was read on arrival does, from its envelope alone (its payload was checked
 * then, so hooks on the hot path don't decode it again); `other` for one that can't be read.
 */
export function frameEffect(frame: Uint8Array): FrameEffect {
	try {
		const decoder = decoding.createDecoder(frame);
		decoding.readVarString(decoder);
		const type = decoding.readVarUint(decoder);
		if (type !== SYNC && type !== SYNC_REPLY) return 'other';
		return decoding.readVarUint(decoder) === SYNC_STEP_1 ? 'sync-request' : 'change';
	} catch {
		return 'other';
	}
}

/**
 * Whether a sync payload decodes as what its step says, and writes only to known top-level types.
 * y-protocols swallows an update Yjs can't read (it logs and applies nothing), so without this the
 * sender would never learn and could keep sending them. Decoding costs about as much as applying a
 * typical edit (~20–40 µs); what that does to throughput is measured in docs/benchmarks.md.
 */
function yjsPayloadProblem(step: number, payload: Uint8Array, topLevelTypes: ReadonlySet<string> | undefined): string | null {
	if (step === SYNC_STEP_1) {
		try {
			Y.decodeStateVector(payload);
			return null;
		} catch {
			return 'undecodable state vector';
		}
	}
	let structs: ReturnType<typeof Y.decodeUpdate>['structs'];
	try {
		structs = Y.decodeUpdate(payload).structs;
	} catch {
		return 'undecodable Yjs update';
	}
	// A write to any other top-level type than its kind's is refused: nothing would validate, bound or
	// read it, yet it would be stored and sent to every viewer. An item names its top-level type only
	// when it has no neighbour to inherit it from; those that
	// inherit from an item of an unknown type are caught after they apply (unknown-types.ts).
	for (const struct of structs) {
		// Decoded items keep their parent as written: a top-level type's name, or an ID.
		const parent: unknown = struct instanceof Y.Item ? struct.parent : null;
		if (typeof parent === 'string' && topLevelTypes && !topLevelTypes.has(parent)) {
			return `writes to an unknown top-level type ${JSON.stringify(parent.slice(0, 40))}`;
		}
	}
	return null;
}

/** Per-socket accounting: the pre-authentication budget, then the sync-request budget. */
export interface SocketState {
	/** Set once the server closed the socket for what it sent: frames still arriving are dropped. */
	refused: boolean;
	authenticated: boolean;
	framesBeforeAuth: number;
	bytesBeforeAuth: number;
	/** Sync requests the socket may still send now (a token bucket refilled over time). */
	syncRequestTokens: number;
	syncRequestsCheckedAt: number;
}

export function newSocketState(syncRequestsPerMinute: number): SocketState {
	return {
		refused: false,
		authenticated: false,
		framesBeforeAuth: 0,
		bytesBeforeAuth: 0,
		syncRequestTokens: syncRequestBurst(syncRequestsPerMinute),
		syncRequestsCheckedAt: Date.now()
	};
}

/** Counts a frame; true when the socket is over its pre-authentication budget. */
export function overPreAuthBudget(state: SocketState, bytes: number): boolean {
	if (state.authenticated) return false;
	state.framesBeforeAuth++;
	state.bytesBeforeAuth += bytes;
	return state.framesBeforeAuth > PRE_AUTH_LIMITS.frames || state.bytesBeforeAuth > PRE_AUTH_LIMITS.bytes;
}

/**
 * Sync requests a socket may send at once. A browser sends one per document it opens (a canvas and
 * its chat: two), again on every reconnect (a role change makes both reconnect), so 10 covers a tab
 * re-authorised a few times in a row; every one queued is an encode of up to the whole document,
 * made even after the socket was closed for the next one, so the burst is what bounds a flood's memory.
 */
export const SYNC_REQUEST_BURST = 10;

function syncRequestBurst(perMinute: number): number {
	return Math.min(SYNC_REQUEST_BURST, perMinute);
}

/**
 * Counts a sync request; true when the socket is over its budget: SYNC_REQUEST_BURST at once,
 * refilled at `perMinute` a minute. Each costs the server an encode of what the client lacks (up to
 * the whole document), so a flood of them from one socket, even a read-only one, would fill the
 * server's memory with copies of the canvas.
 */
export function overSyncRequestBudget(state: SocketState, perMinute: number, now = Date.now()): boolean {
	const burst = syncRequestBurst(perMinute);
	state.syncRequestTokens = Math.min(burst, state.syncRequestTokens + ((now - state.syncRequestsCheckedAt) * perMinute) / 60_000);
	state.syncRequestsCheckedAt = now;
	if (state.syncRequestTokens < 1) return true;
	state.syncRequestTokens -= 1;
	return false;
}

interface ServerSocket {
	close(code?: number, reason?: string): void;
	send(data: Uint8Array, ...rest: unknown[]): void;
	terminate(): void;
	readonly bufferedAmount: number;
}

/**
 * The socket as Hocuspocus is given it, with two guards installed once on the socket itself (a
 * Proxy would sit on every send):
 * - Hocuspocus closes a socket whose bytes it could not decode with its generic 4401 / 4205 codes;
 *   with this the client learns the actual reason;
 * - a client that stops reading makes every send pile up in the server's memory: past
 *   `maxQueuedBytes` queued the socket is dropped at once (a close frame would wait behind the
 *   queue that it never reads).
 */
export function guardSocket<T extends ServerSocket>(socket: T, options: { maxQueuedBytes: number; onOverflow(): void }): T {
	const close = socket.close.bind(socket);
	const send = socket.send.bind(socket);
	socket.close = (code?: number, reason?: string) =>
		code === 4401 || code === 4205 ? close(SOCKET_CLOSES.MALFORMED_MESSAGE.code, SOCKET_CLOSES.MALFORMED_MESSAGE.reason) : close(code, reason);
	socket.send = (data: Uint8Array, ...rest: unknown[]) => {
		send(data, ...rest);
		if (socket.bufferedAmount > options.maxQueuedBytes) {
			options.onOverflow();
			socket.terminate();
		}
	};
	return socket;
}
