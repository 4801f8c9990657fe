// Streaming into a message: each delta is appended in the database atomically (`text = text || $1`),
// so concurrent requests, on any instance, keep one order and nothing twice; the card follows,
// coalesced. A chunked text/plain body streams too: its chunks are appended as they arrive (what
// arrives while one append is under way goes with the next), so the canvas grows while the
// request is open. Completing writes the final text on the card before it answers.
import { and, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db/index.ts';
import { conversationMessages } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { Actor } from '../access.ts';
import type { Services } from '../services.ts';
import type { CompleteMessageRequest, MessageJson } from './api-schemas.ts';
import { messageNotFound, requireConversation } from './conversation-access.ts';
import { draw, settle, streamed } from './conversation-canvas.ts';
import { codePoints, messageChars, type ConversationLimits } from './message-limits.ts';
import { normalizeUsage } from './message-formats.ts';
import { childrenOf, contentOf, messagesOf, messageJson, storedUsage, usageOf, type MessageRow } from './message-rows.ts';

export interface StreamedMessage {
	id: string;
	status: 'streaming';
	/** Characters of text so far. */
	textLength: number;
}

/** Appends `delta` to a streaming message's text. CONFLICT once it is complete; PAYLOAD_TOO_LARGE past the message limit. */
export async function streamDelta(
	services: Services,
	limits: ConversationLimits,
	actor: Actor,
	conversationId: string,
	messageId: string,
	delta: string
): Promise<StreamedMessage> {
	const { conversation } = await requireConversation(services.db, actor, conversationId, 'write');
	const textLength = await appendText(services.db, limits, conversation.id, messageId, delta);
	streamed(services, { id: messageId, conversationId: conversation.id, canvasId: conversation.canvasId }, { origin: 'ingest', actor });
	return { id: messageId, status: 'streaming', textLength };
}

/**
 * Appends every chunk of `chunks` (a request body, decoded) in order, as they arrive. The message
 * must be streaming before anything is read. Refused appends stop the stream with their error;
 * what was appended before stays.
 */
export async function streamText(
	services: Services,
	limits: ConversationLimits,
	actor: Actor,
	conversationId: string,
	messageId: string,
	chunks: AsyncIterable<string>
): Promise<StreamedMessage> {
	const { conversation } = await requireConversation(services.db, actor, conversationId, 'write');
	let textLength = await appendText(services.db, limits, conversation.id, messageId, '');
	const message = { id: messageId, conversationId: conversation.id, canvasId: conversation.canvasId };
	const writer = { origin: 'ingest', actor } as const;
	let pending = '';
	let appending: Promise<void> | null = null;
	let failure: unknown = null;
	const flush = (): Promise<void> => {
		const delta = pending;
		pending = '';
		return appendText(services.db, limits, conversation.id, messageId, delta).then((length) => {
			textLength = length;
			streamed(services, message, writer);
		});
	};
	// One append at a time; chunks that arrive meanwhile go together with the next one, in order.
	const pump = async () => {
		while (pending && failure === null) {
			try {
				await flush();
			} catch (error) {
				failure = error;
			}
		}
		appending = null;
	};
	for await (const chunk of chunks) {
		if (failure !== null) break;
		if (!chunk) continue;
		pending += chunk;
		appending ??= pump();
	}
	await appending;
	if (pending && failure === null) await pump();
	if (failure !== null) throw failure;
	return { id: messageId, status: 'streaming', textLength };
}

/**
 * Completes a streaming message (usage, latency and cost given now are kept) and draws its card
 * final: when this resolves the canvas holds the whole text. Completing a complete message changes
 * nothing and answers it, so a retried completion is safe.
 */
export async function completeMessage(services: Services, actor: Actor, conversationId: string, messageId: string, input: CompleteMessageRequest): Promise<MessageJson> {
	const { db } = services;
	const { conversation } = await requireConversation(db, actor, conversationId, 'write');
	const current = await messageOf(db, conversation.id, messageId);
	const usage = normalizeUsage(input.usage, input.costUsd);
	if (current.status === 'streaming') {
		// What completion reports adds to (and overrides) what the message was appended with.
		const before = usageOf(current);
		const merged = {
			inputTokens: usage?.inputTokens ?? before?.inputTokens ?? null,
			outputTokens: usage?.outputTokens ?? before?.outputTokens ?? null,
			costUsd: usage?.costUsd ?? before?.costUsd ?? null
		};
		await db
			.update(conversationMessages)
			.set({
				status: 'complete',
				completedAt: new Date(),
				usage: storedUsage(merged),
				...(input.latencyMs === undefined ? {} : { latencyMs: Math.round(input.latencyMs) })
			})
			.where(and(eq(conversationMessages.id, messageId), eq(conversationMessages.status, 'streaming')));
	}
	await settle(services, messageId);
	try {
		await draw(services, conversation.id, { origin: 'ingest', actor });
	} catch (error) {
		services.logger.error({ err: error, conversationId: conversation.id }, 'could not draw a conversation');
		throw new AppError('UNAVAILABLE', 'The message is complete but its card could not be drawn; completing it again draws it.', {
			conversationId: conversation.id,
			messageId
		});
	}
	const rows = await messagesOf(db, conversation.id);
	const row = rows.find((candidate) => candidate.id === messageId)!;
	return messageJson(row, childrenOf(rows).get(row.id) ?? []);
}

/**
 * Appends `delta` in one statement and answers the text's length; an empty delta only checks that
 * the message can be streamed into. NOT_FOUND, CONFLICT (complete) or PAYLOAD_TOO_LARGE otherwise.
 */
async function appendText(db: Queryable, limits: ConversationLimits, conversationId: string, messageId: string, delta: string): Promise<number> {
	const added = codePoints(delta);
	const [row] = await db
		.update(conversationMessages)
		.set({ text: sql`${conversationMessages.text} || ${delta}` })
		.where(
			and(
				eq(conversationMessages.id, messageId),
				eq(conversationMessages.conversationId, conversationId),
				eq(conversationMessages.status, 'streaming'),
				sql`char_length(${conversationMessages.text}) + ${added} <= ${limits.maxMessageChars}`
			)
		)
		.returning({ length: sql<number>`char_length(${conversationMessages.text})`.mapWith(Number) });
	if (row) return row.length;
	const current = await messageOf(db, conversationId, messageId);
	if (current.status !== 'streaming') {
		throw new AppError(
			'CONFLICT',
			'This message is complete: nothing more can be streamed into it. Append a new message (with status "streaming") to stream another answer.',
			{
				messageId
			}
		);
	}
	const chars = messageChars({ text: current.text, ...contentOf(current) });
	throw new AppError('PAYLOAD_TOO_LARGE', `A message may hold at most ${limits.maxMessageChars} characters; this one holds ${chars} and the delta adds ${added}.`, {
		limit: 'messageChars',
		allowed: limits.maxMessageChars
	});
}

async function messageOf(db: Queryable, conversationId: string, messageId: string): Promise<MessageRow> {
	const [row] = await db
		.select()
		.from(conversationMessages)
		.where(and(eq(conversationMessages.conversationId, conversationId), eq(conversationMessages.id, messageId)));
	if (!row) throw messageNotFound();
	return row;
}
