// Raw Hocuspocus frames for tests that speak the collaboration protocol without a provider.
import * as encoding from 'lib0/encoding';

/** One Hocuspocus frame: the document name, then the message. */
export function frame(name: string, write: (encoder: encoding.Encoder) => void): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarString(encoder, name);
	write(encoder);
	return encoding.toUint8Array(encoder);
}

/** The Auth message a provider sends first, with its token. */
export const authFrame = (name: string, token: string) =>
	frame(name, (e) => {
		encoding.writeVarUint(e, 2); // Auth
		encoding.writeVarUint(e, 0); // token
		encoding.writeVarString(e, token);
		encoding.writeVarString(e, '4.8.0');
	});

/** A sync message in either envelope Hocuspocus applies: Sync (0, the default) or SyncReply (4). */
export const syncFrame = (name: string, step: number, payload: Uint8Array, messageType: 0 | 4 = 0) =>
	frame(name, (e) => {
		encoding.writeVarUint(e, messageType);
		encoding.writeVarUint(e, step);
		encoding.writeVarUint8Array(e, payload);
	});
