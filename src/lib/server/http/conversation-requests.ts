// The /api/v1 edge of conversations: JSON bodies up to the conversation body limit (inline images
// travel in them) whose schema failures name where in the body they are, and text/plain bodies
// read chunk by chunk as they arrive (streamed deltas).
import type { RequestEvent } from '@sveltejs/kit';
import type { z } from 'zod';
import { AppError } from '../errors.ts';
import { runtime } from '../runtime.ts';
import { conversationInputError } from '../conversations/input-errors.ts';
import { readBody } from './api.ts';

/** Whether the request carries a text/plain body (a stream of deltas) rather than JSON. */
export function isTextBody(event: RequestEvent): boolean {
	return (event.request.headers.get('content-type') ?? '').toLowerCase().startsWith('text/plain');
}

export async function readConversationJson<T extends z.ZodType>(event: RequestEvent, schema: T): Promise<z.infer<T>> {
	const limit = runtime().config.CONVERSATION_MAX_BODY_BYTES;
	if (!(event.request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/json')) {
		throw new AppError('INVALID_INPUT', 'Send the body as JSON with Content-Type: application/json.');
	}
	const bytes = await readBody(
		event.request,
		limit,
		() => new AppError('PAYLOAD_TOO_LARGE', `The body is larger than the ${Math.round(limit / 1024 / 1024)} MB limit of the conversation API.`, { limit }),
		{
			drain: true
		}
	);
	let body: unknown;
	try {
		body = JSON.parse(new TextDecoder().decode(bytes));
	} catch {
		throw new AppError('INVALID_INPUT', 'The body is not valid JSON.');
	}
	const parsed = schema.safeParse(body);
	if (!parsed.success) throw conversationInputError(parsed.error);
	return parsed.data;
}

/** The body's text as it arrives, one decoded chunk at a time (UTF-8 sequences split across chunks are joined). */
export async function* textChunks(request: Request): AsyncGenerator<string> {
	if (!request.body) return;
	const decoder = new TextDecoder('utf-8', { fatal: true });
	const reader = request.body.getReader();
	try {
		for (;;) {
			let next: ReadableStreamReadResult<Uint8Array>;
			try {
				next = await reader.read();
			} catch {
				throw new AppError('INVALID_INPUT', 'The body could not be read to its end; what arrived before was kept.');
			}
			if (next.done) break;
			yield decode(decoder, next.value, true);
		}
		const rest = decode(decoder, undefined, false);
		if (rest) yield rest;
	} finally {
		reader.releaseLock();
	}
}

function decode(decoder: TextDecoder, bytes: Uint8Array | undefined, stream: boolean): string {
	try {
		return decoder.decode(bytes, { stream });
	} catch {
		throw new AppError('INVALID_INPUT', 'The body is not UTF-8 text.');
	}
}
