// How a conversation's messages are kept (`conversation_messages.content`: the parts that are not
// text, the tool calls, the call a tool message answers) and how the API answers them.
import { asc, eq } from 'drizzle-orm';
import type { Queryable } from '../db/index.ts';
import { conversationMessages, conversations } from '../db/schema.ts';
import { assetSrc } from '../../asset-urls.ts';
import type { MessageJson } from './api-schemas.ts';
import type { ConversationRole, MessagePart, NormalizedMessage, ToolCall, Usage } from './message-formats.ts';

/** An image as kept: stored on the canvas (an asset), or a link the program gave. */
export type StoredImage = { assetId: string; mediaType: string; width: number | null; height: number | null; bytes: number } | { url: string };

/** A stored part: as normalized, images resolved, without where in the request it came from. */
export type StoredPart = Exclude<MessagePart, { type: 'image' }> | { type: 'image'; image: StoredImage };

/** `conversation_messages.content`. */
export interface StoredContent {
	parts: StoredPart[];
	toolCalls: ToolCall[];
	toolCallId: string | null;
}

export type ConversationRow = typeof conversations.$inferSelect;
export type MessageRow = typeof conversationMessages.$inferSelect;

/** The stored content of a row (tolerant of rows written by another version: missing fields are empty). */
export function contentOf(row: Pick<MessageRow, 'content'>): StoredContent {
	const content = (row.content ?? {}) as Partial<StoredContent>;
	return {
		parts: Array.isArray(content.parts) ? content.parts : [],
		toolCalls: Array.isArray(content.toolCalls) ? content.toolCalls : [],
		toolCallId: typeof content.toolCallId === 'string' ? content.toolCallId : null
	};
}

/** `usage` as stored: the three numbers Easel shows, each possibly absent. */
export function usageOf(row: Pick<MessageRow, 'usage'>): Usage | null {
	const usage = row.usage;
	if (!usage) return null;
	const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
	return { inputTokens: number(usage.inputTokens), outputTokens: number(usage.outputTokens), costUsd: number(usage.costUsd) };
}

/** Usage as stored (only the numbers given). */
export function storedUsage(usage: Usage | null): Record<string, number> | null {
	if (!usage) return null;
	const stored: Record<string, number> = {};
	if (usage.inputTokens !== null) stored.inputTokens = usage.inputTokens;
	if (usage.outputTokens !== null) stored.outputTokens = usage.outputTokens;
	if (usage.costUsd !== null) stored.costUsd = usage.costUsd;
	return Object.keys(stored).length > 0 ? stored : null;
}

/** Where a new message goes: its id, conversation, parent (null: a root), the message it retries, its order of arrival. */
export interface MessagePlace {
	id: string;
	conversationId: string;
	parentId: string | null;
	retryOf?: string | null;
	seq: number;
}

/** The row that keeps `message` at `place`; `parts` are its parts with images resolved (storedParts). */
export function newMessageRow(message: NormalizedMessage, parts: StoredPart[], place: MessagePlace): typeof conversationMessages.$inferInsert {
	return {
		...place,
		role: message.role,
		content: { parts, toolCalls: message.toolCalls, toolCallId: message.toolCallId } satisfies StoredContent,
		text: message.text,
		model: message.model,
		name: message.name,
		usage: storedUsage(message.usage),
		latencyMs: message.latencyMs,
		status: message.status,
		completedAt: message.status === 'complete' ? new Date() : null
	};
}

/** Every message of a conversation in order of arrival. */
export function messagesOf(db: Queryable, conversationId: string): Promise<MessageRow[]> {
	return db.select().from(conversationMessages).where(eq(conversationMessages.conversationId, conversationId)).orderBy(asc(conversationMessages.seq));
}

/** The children of every message (and the roots under ''), each list in order of arrival. */
export function childrenOf(rows: Pick<MessageRow, 'id' | 'parentId'>[]): Map<string, string[]> {
	const children = new Map<string, string[]>();
	for (const row of rows) {
		const key = row.parentId ?? '';
		children.set(key, [...(children.get(key) ?? []), row.id]);
	}
	return children;
}

export function messageJson(row: MessageRow, childIds: string[]): MessageJson {
	const content = contentOf(row);
	return {
		id: row.id,
		conversationId: row.conversationId,
		parentId: row.parentId,
		retryOf: row.retryOf,
		childIds,
		role: row.role as ConversationRole,
		name: row.name,
		model: row.model,
		text: row.text,
		parts: content.parts.map(partJson),
		toolCalls: content.toolCalls.map((call) => ({ id: call.id, name: call.name, arguments: call.arguments })),
		toolCallId: content.toolCallId,
		usage: usageOf(row),
		latencyMs: row.latencyMs,
		status: row.status,
		createdAt: row.createdAt.toISOString(),
		completedAt: row.completedAt ? row.completedAt.toISOString() : null
	};
}

function partJson(part: StoredPart): MessageJson['parts'][number] {
	if (part.type !== 'image') return part;
	const image = part.image;
	return 'url' in image
		? { type: 'image', url: image.url, assetId: null, mediaType: null }
		: { type: 'image', url: assetSrc(image.assetId), assetId: image.assetId, mediaType: image.mediaType };
}
