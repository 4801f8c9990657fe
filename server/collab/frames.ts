// The first look at every frame a socket sends, before Hocuspocus parses it: frames that can't be
// Hocuspocus messages (text, a broken envelope, an unknown message type, a nonsense document name,
// a Yjs payload that does not decode) and floods before authentication close that socket with a
// named code and reach nothing else.
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';

/** Close code and reason for a frame that is not a well-formed message. */
export const MALFORMED_MESSAGE = { code: 4422, reason: 'MALFORMED_MESSAGE' } as const;
/** Close code and reason for too much traffic before the socket authenticated. */
export const PRE_AUTH_FLOOD = { code: 4429, reason: 'RATE_LIMITED' } as const;

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

/** Why `frame` can't be a Hocuspocus message, or null when its envelope is sound. */
export function frameProblem(frame: string | Uint8Array): string | null {
	if (typeof frame === 'string') return 'text frames are not part of the protocol';
	try {
		const decoder = decoding.createDecoder(frame);
		const documentName = decoding.readVarString(decoder);
		if (!DOCUMENT_NAME.test(documentName)) return 'bad document name';
		const type = decoding.readVarUint(decoder);
		if (type > HIGHEST_MESSAGE_TYPE) return `unknown message type ${type}`;
		if (type === SYNC || type === SYNC_REPLY) {
			const step = decoding.readVarUint(decoder);
			if (step > HIGHEST_SYNC_STEP) return 'unknown sync step';
			const payload = decoding.readVarUint8Array(decoder);
			if (decoding.hasContent(decoder)) return 'trailing bytes after the sync message';
			return yjsPayloadProblem(step, payload);
		} else if (type === AWARENESS) {
			decoding.readVarUint8Array(decoder);
			if (decoding.hasContent(decoder)) return 'trailing bytes after the awareness message';
		}
		return null;
	} catch {
		return 'truncated message';
	}
}

/**
 * Whether a sync payload decodes as what its step says. y-protocols swallows an update Yjs can't
 * read (it logs and applies nothing), so without this the sender would never learn and could keep
 * sending them. Decoding costs about as much as applying a typical edit (~20–40 µs); what that
 * does to throughput is measured in docs/benchmarks.md.
 */
function yjsPayloadProblem(step: number, payload: Uint8Array): string | null {
	try {
		if (step === SYNC_STEP_1) Y.decodeStateVector(payload);
		else Y.decodeUpdate(payload);
		return null;
	} catch {
		return step === SYNC_STEP_1 ? 'undecodable state vector' : 'undecodable Yjs update';
	}
}

/** Per-socket accounting until the socket's first document authenticates. */
export interface SocketState {
	authenticated: boolean;
	framesBeforeAuth: number;
	bytesBeforeAuth: number;
}

export function newSocketState(): SocketState {
	return { authenticated: false, framesBeforeAuth: 0, bytesBeforeAuth: 0 };
}

/** Counts a frame; true when the socket is over its pre-authentication budget. */
export function overPreAuthBudget(state: SocketState, bytes: number): boolean {
	if (state.authenticated) return false;
	state.framesBeforeAuth++;
	state.bytesBeforeAuth += bytes;
	return state.framesBeforeAuth > PRE_AUTH_LIMITS.frames || state.bytesBeforeAuth > PRE_AUTH_LIMITS.bytes;
}

/**
 * Hocuspocus closes a socket whose bytes it could not decode with its generic 4401 / 4205 codes;
 * after this the client learns the actual reason. The socket's own `close` is replaced once (a
 * Proxy would sit on every send).
 */
export function withNamedCloses<T extends { close(code?: number, reason?: string): void }>(socket: T): T {
	const close = socket.close.bind(socket);
	socket.close = (code?: number, reason?: string) =>
		code === 4401 || code === 4205 ? close(MALFORMED_MESSAGE.code, MALFORMED_MESSAGE.reason) : close(code, reason);
	return socket;
}
