// The stored state of a canvas as GET /api/v1/canvases/:id/state sends it: the stored Yjs updates
// (snapshot, then the log after it) unchanged, each behind its length, so the server never decodes them.

export const DOCUMENT_STATE_TYPE = 'application/vnd.easel.yjs-updates';

/** Response header with the body's size before any compression (for progress; Content-Length is the compressed size). */
export const STATE_BYTES_HEADER = 'easel-state-bytes';

/** Request header carrying a share-link token (the state of a canvas opened through `/s/<token>`). */
export const SHARE_TOKEN_HEADER = 'easel-share-token';

/** Bytes of the length before each update: an unsigned 32-bit big-endian integer. */
const LENGTH_BYTES = 4;

/** The response body in pieces, each update preceded by its length (no copy of the updates). */
export function encodeUpdateFrames(updates: Uint8Array[]): Uint8Array[] {
	return updates.flatMap((update) => {
		const length = new Uint8Array(LENGTH_BYTES);
		new DataView(length.buffer).setUint32(0, update.byteLength);
		return [length, update];
	});
}

export function framedLength(updates: Uint8Array[]): number {
	return updates.reduce((sum, update) => sum + LENGTH_BYTES + update.byteLength, 0);
}

/** The updates in a body; throws when it is cut off or not in this format. */
export function decodeUpdateFrames(body: Uint8Array): Uint8Array[] {
	const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
	const updates: Uint8Array[] = [];
	let offset = 0;
	while (offset < body.byteLength) {
		if (offset + LENGTH_BYTES > body.byteLength) throw new Error('The canvas state is cut off.');
		const length = view.getUint32(offset);
		offset += LENGTH_BYTES;
		if (offset + length > body.byteLength) throw new Error('The canvas state is cut off.');
		updates.push(body.subarray(offset, offset + length));
		offset += length;
	}
	return updates;
}
