// The response of GET /api/v1/canvases/:id/state: the stored updates, gzipped when the client takes it,
// and the document's load started only once everything before the end has left through the socket.
import { Duplex } from 'node:stream';
import { createGzip } from 'node:zlib';
import { DOCUMENT_STATE_TYPE, STATE_BYTES_HEADER, encodeUpdateFrames, framedLength } from '../../document-state.ts';
import type { OpeningState } from '../runtime.ts';

/** Smaller bodies go as they are: compressing them saves less than it costs. */
const COMPRESS_FROM_BYTES = 16 * 1024;

export function documentStateResponse(opening: OpeningState, request: Request): Response {
	const bytes = framedLength(opening.updates);
	const gzip = bytes >= COMPRESS_FROM_BYTES && acceptsGzip(request.headers.get('accept-encoding'));
	let body = streamOf(encodeUpdateFrames(opening.updates));
	// Level 1: tldraw's Yjs state shrinks ~10× at ~30 ms per 20 MiB, on libuv's threads, not the event loop.
	if (gzip) body = body.pipeThrough(Duplex.toWeb(createGzip({ level: 1 })) as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
	return new Response(afterLastPull(body, opening.startLoading), {
		headers: {
			'content-type': DOCUMENT_STATE_TYPE,
			...(gzip ? { 'content-encoding': 'gzip' } : { 'content-length': String(bytes) }),
			[STATE_BYTES_HEADER]: String(bytes),
			vary: 'accept-encoding',
			'cache-control': 'private, no-store',
			'x-content-type-options': 'nosniff'
		}
	});
}

/**
 * `stream`, read only when the response writer asks for more (it waits for the socket to drain
 * first), so `onEnd` runs once everything before the end is on its way: decoding the canvas on this
 * thread then can't hold up the transfer.
 */
function afterLastPull(stream: ReadableStream<Uint8Array>, onEnd: () => void): ReadableStream<Uint8Array> {
	const reader = stream.getReader();
	return new ReadableStream<Uint8Array>(
		{
			async pull(controller) {
				const { done, value } = await reader.read();
				if (!done) return controller.enqueue(value);
				controller.close();
				onEnd();
			},
			cancel: (reason) => reader.cancel(reason)
		},
		{ highWaterMark: 0 }
	);
}

/** The pieces one by one, each when asked for. */
function streamOf(pieces: Uint8Array[]): ReadableStream<Uint8Array> {
	let next = 0;
	return new ReadableStream<Uint8Array>(
		{
			pull(controller) {
				if (next < pieces.length) controller.enqueue(pieces[next++]);
				else controller.close();
			}
		},
		{ highWaterMark: 0 }
	);
}

function acceptsGzip(header: string | null): boolean {
	return (header ?? '').split(',').some((part) => {
		const [coding, ...parameters] = part.trim().toLowerCase().split(';');
		return coding === 'gzip' && !parameters.some((parameter) => /^\s*q=0(\.0*)?\s*$/.test(parameter));
	});
}
