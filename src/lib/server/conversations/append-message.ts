// Appending one message to a conversation: under its parent (by default the latest message, so a
// linear chat needs no ids; null makes a new root), a second child of one parent being a branch,
// and `retryOf` marking a sibling that retries another. Appends to one conversation are serialized
// (its row is locked) so order of arrival and the tree's parent checks hold under concurrency.
import { randomUUID } from 'node:crypto';
import { and, count, desc, eq, sql } from 'drizzle-orm';
import type { Transaction } from '../db/index.ts';
import { conversationMessages, conversations } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { Actor } from '../access.ts';
import * as billing from '../billing.ts';
import type { Services } from '../services.ts';
import type { AppendMessageRequest, MessageJson } from './api-schemas.ts';
import { requireConversation } from './conversation-access.ts';
import { draw } from './conversation-canvas.ts';
import { checkImages, insertImageAssets, storedParts, storeImageBytes } from './message-images.ts';
import { checkConversationSize, checkMessage, type ConversationLimits } from './message-limits.ts';
import { normalizeMessage } from './message-formats.ts';
import { messageJson, newMessageRow } from './message-rows.ts';

export async function appendMessage(
	services: Services,
	limits: ConversationLimits,
	actor: Actor,
	conversationId: string,
	input: AppendMessageRequest
): Promise<MessageJson> {
	const { db } = services;
	const { conversation, access } = await requireConversation(db, actor, conversationId, 'write');
	const message = normalizeMessage(
		{
			role: input.role,
			content: input.content,
			toolCalls: [...(input.toolCalls ?? []), ...(input.tool_calls ?? [])],
			toolCallId: input.toolCallId ?? input.tool_call_id,
			name: input.name,
			model: input.model,
			usage: input.usage,
			latencyMs: input.latencyMs,
			costUsd: input.costUsd,
			status: input.status
		},
		''
	);
	checkMessage(message, '', limits);
	const { limits: plan } = await billing.teamPlan(db, access.canvas.teamId);
	const images = await checkImages([message], { maxImageBytes: limits.maxImageBytes, planFileBytes: plan.storage.fileBytes, plan: plan.plan });
	const known = await storeImageBytes(services, images);

	const row = await db.transaction(async (tx) => {
		// One append at a time per conversation: the parent checks and the order of arrival hold.
		await tx.select({ id: conversations.id }).from(conversations).where(eq(conversations.id, conversation.id)).for('update');
		const [{ value: held }] = await tx.select({ value: count() }).from(conversationMessages).where(eq(conversationMessages.conversationId, conversation.id));
		checkConversationSize(held + 1, limits);
		const { parentId, retryOf } = await placeInTree(tx, conversation.id, input);
		const [last] = await tx
			.select({ seq: sql<number>`coalesce(max(${conversationMessages.seq}), 0)`.mapWith(Number) })
			.from(conversationMessages)
			.where(eq(conversationMessages.conversationId, conversation.id));
		await insertImageAssets(
			tx,
			services,
			{ canvasId: conversation.canvasId, teamId: access.canvas.teamId, uploadedBy: actor.kind === 'user' ? actor.userId : null },
			images,
			known
		);
		const [inserted] = await tx
			.insert(conversationMessages)
			.values(
				newMessageRow(message, storedParts(message, images.sources[0], images), {
					id: randomUUID(),
					conversationId: conversation.id,
					parentId,
					retryOf,
					seq: last.seq + 1
				})
			)
			.returning();
		return inserted;
	});
	try {
		await draw(services, conversation.id, { origin: 'ingest', actor });
	} catch (error) {
		services.logger.error({ err: error, conversationId: conversation.id }, 'could not draw a conversation');
		throw new AppError('UNAVAILABLE', 'The message was stored but could not be drawn on the canvas; the next message or completion draws it.', {
			conversationId: conversation.id,
			messageId: row.id
		});
	}
	return messageJson(row, []);
}

/** Where the new message goes: its parent (given, the retried message's, or the latest) and what it retries; INVALID_INPUT naming the field otherwise. */
async function placeInTree(
	tx: Transaction,
	conversationId: string,
	input: Pick<AppendMessageRequest, 'parentId' | 'retryOf'>
): Promise<{ parentId: string | null; retryOf: string | null }> {
	const find = async (id: string) => {
		const [row] = await tx
			.select({ id: conversationMessages.id, parentId: conversationMessages.parentId })
			.from(conversationMessages)
			.where(and(eq(conversationMessages.conversationId, conversationId), eq(conversationMessages.id, id)));
		return row;
	};
	if (input.retryOf) {
		const retried = await find(input.retryOf);
		if (!retried) throw new AppError('INVALID_INPUT', `retryOf: ${input.retryOf} is not a message of this conversation.`, { field: 'retryOf' });
		if (input.parentId !== undefined && input.parentId !== retried.parentId) {
			throw new AppError(
				'INVALID_INPUT',
				`retryOf must name a sibling: the message it retries answers ${retried.parentId ?? 'nothing (it is a root)'}, not ${input.parentId ?? 'nothing'}. Leave parentId out to answer the same parent.`,
				{ field: 'retryOf' }
			);
		}
		return { parentId: retried.parentId, retryOf: retried.id };
	}
	if (input.parentId === null) return { parentId: null, retryOf: null };
	if (input.parentId === undefined) {
		const [latest] = await tx
			.select({ id: conversationMessages.id })
			.from(conversationMessages)
			.where(eq(conversationMessages.conversationId, conversationId))
			.orderBy(desc(conversationMessages.seq))
			.limit(1);
		return { parentId: latest?.id ?? null, retryOf: null };
	}
	if (!(await find(input.parentId))) throw new AppError('INVALID_INPUT', `parentId: ${input.parentId} is not a message of this conversation.`, { field: 'parentId' });
	return { parentId: input.parentId, retryOf: null };
}
