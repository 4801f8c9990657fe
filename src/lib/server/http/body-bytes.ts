// A raw request body read whole but never kept past a limit. A body over it is refused with
// PAYLOAD_TOO_LARGE; what is left of it is read and dropped first (up to a bound), because a
// connection closed under a client still sending makes it see a reset instead of the answer.
import { AppError } from '../errors.ts';

/** How much of an oversized body is drained, as a multiple of the limit, before the connection is simply cut. */
const DRAIN_FACTOR = 8;

/**
 * The body's bytes, at most `limit`; PAYLOAD_TOO_LARGE naming the limit (`what` says of what) when it
 * is longer, whatever its Content-Length said. The domain function that takes the bytes still checks them.
 */
export async function readBodyBytes(request: Request, limit: number, what = 'The body'): Promise<Uint8Array> {
	const tooLarge = () => new AppError('PAYLOAD_TOO_LARGE', `${what} may be at most ${Math.round(limit / 1000)} KB.`, { limit });
	if (Number(request.headers.get('content-length') ?? '0') > limit * DRAIN_FACTOR) throw tooLarge();
	if (!request.body) return new Uint8Array(0);
	const reader = request.body.getReader();
	const chunks: Uint8Array[] = [];
	let received = 0;
	for (;;) {
		let next: ReadableStreamReadResult<Uint8Array>;
		try {
			next = await reader.read();
		} catch {
			throw new AppError('INVALID_INPUT', 'The body could not be read to its end.');
		}
		if (next.done) break;
		received += next.value.byteLength;
		if (received <= limit) chunks.push(next.value);
		else if (received > limit * DRAIN_FACTOR) {
			await reader.cancel().catch(() => {});
			throw tooLarge();
		}
	}
	if (received > limit) throw tooLarge();
	const bytes = new Uint8Array(received);
	let offset = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, offset);
		offset += chunk.byteLength;
	}
	return bytes;
}
