// Reading conversations back: one as its tree (messages flat in order of arrival, each with its
// parent and children, plus the roots), and the list of a canvas's conversations.
import { count, desc, eq } from 'drizzle-orm';
import type { Queryable } from '../db/index.ts';
import { conversationMessages, conversations } from '../db/schema.ts';
import { requireCanvasPermission, type Actor } from '../access.ts';
import type { z } from 'zod';
import type { conversationListResponse, conversationResponse } from './api-schemas.ts';
import { requireConversation } from './conversation-access.ts';
import { childrenOf, messageJson, messagesOf, type ConversationRow } from './message-rows.ts';

export type ConversationJson = z.infer<typeof conversationResponse>['conversation'];
export type ConversationSummaryJson = z.infer<typeof conversationListResponse>['conversations'][number];

/** The conversation with every message; NOT_FOUND unless `actor` may view its canvas. */
export async function getConversation(db: Queryable, actor: Actor, conversationId: string): Promise<ConversationJson> {
	const { conversation } = await requireConversation(db, actor, conversationId, 'read');
	const rows = await messagesOf(db, conversation.id);
	const children = childrenOf(rows);
	return {
		...summaryJson(conversation, rows.length),
		rootIds: children.get('') ?? [],
		messages: rows.map((row) => messageJson(row, children.get(row.id) ?? []))
	};
}

/** The canvas's conversations, newest first. */
export async function listConversations(db: Queryable, actor: Actor, canvasId: string): Promise<ConversationSummaryJson[]> {
	const access = await requireCanvasPermission(db, actor, canvasId, 'canvas.view');
	const rows = await db
		.select({ conversation: conversations, messageCount: count(conversationMessages.id) })
		.from(conversations)
		.leftJoin(conversationMessages, eq(conversationMessages.conversationId, conversations.id))
		.where(eq(conversations.canvasId, access.canvas.id))
		.groupBy(conversations.id)
		.orderBy(desc(conversations.createdAt), desc(conversations.id));
	return rows.map((row) => summaryJson(row.conversation, row.messageCount));
}

function summaryJson(conversation: ConversationRow, messageCount: number): ConversationSummaryJson {
	return {
		id: conversation.id,
		canvasId: conversation.canvasId,
		externalId: conversation.externalId,
		title: conversation.title,
		messageCount,
		createdAt: conversation.createdAt.toISOString()
	};
}
