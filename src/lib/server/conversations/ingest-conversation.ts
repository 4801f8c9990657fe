// Pushing a whole conversation onto a canvas: the messages become a chain (each the child of the
// one before; Anthropic's top-level `system` first), stored in one transaction with their images,
// then drawn. Idempotent on `externalId` per canvas: the unique index decides between concurrent
// pushes, the others answer the winner's conversation, and every push draws it (so a retry draws
// what a failed first attempt stored but could not draw).
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { conversationMessages, conversations } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { Actor } from '../access.ts';
import * as billing from '../billing.ts';
import type { Services } from '../services.ts';
import { actorColumns } from './actor-columns.ts';
import type { IngestConversationRequest } from './api-schemas.ts';
import { requireConversationWrite } from './conversation-access.ts';
import { draw } from './conversation-canvas.ts';
import { checkImages, insertImageAssets, storedParts, storeImageBytes } from './message-images.ts';
import { checkConversationSize, checkMessage, type ConversationLimits } from './message-limits.ts';
import { normalizeMessage, normalizeWireMessage, systemText, type NormalizedMessage } from './message-formats.ts';
import { contentOf, messagesOf, newMessageRow, type ConversationRow, type MessageRow } from './message-rows.ts';

export interface IngestedConversation {
	/** False when `externalId` already named this conversation (nothing was stored again). */
	created: boolean;
	conversation: { id: string; messageIds: string[]; systemMessageId: string | null };
}

export async function ingestConversation(
	services: Services,
	limits: ConversationLimits,
	actor: Actor,
	canvasId: string,
	input: IngestConversationRequest
): Promise<IngestedConversation> {
	const { db } = services;
	const access = await requireConversationWrite(db, actor, canvasId);
	if (input.messages.length > limits.maxMessagesPerRequest) {
		throw new AppError('INVALID_INPUT', `messages: one request may push at most ${limits.maxMessagesPerRequest} messages; this one has ${input.messages.length}.`, {
			field: 'messages'
		});
	}
	const system = systemText(input.system);
	const pushed = input.messages.map((message, index) => normalizeWireMessage(message, `messages.${index}`));
	const all: NormalizedMessage[] = system === null ? pushed : [normalizeMessage({ role: 'system', content: system }, 'system'), ...pushed];
	all.forEach((message, index) => checkMessage(message, system === null ? `messages.${index}` : index === 0 ? 'system' : `messages.${index - 1}`, limits));
	checkConversationSize(all.length, limits);

	const externalId = input.externalId ?? null;
	const writer = { origin: 'ingest', actor } as const;
	const answer = async (conversation: ConversationRow): Promise<IngestedConversation> => {
		const result = await matchingRetry(services, conversation, all, system !== null);
		await drawOrExplain(services, conversation.id, writer, result.conversation.messageIds);
		return result;
	};
	if (externalId) {
		const existing = await findByExternalId(services, canvasId, externalId);
		if (existing) return answer(existing);
	}

	const { limits: plan } = await billing.teamPlan(db, access.canvas.teamId);
	const images = await checkImages(all, { maxImageBytes: limits.maxImageBytes, planFileBytes: plan.storage.fileBytes, plan: plan.plan });
	const known = await storeImageBytes(services, images);
	const ids = all.map(() => randomUUID());
	const stored = await db.transaction(async (tx) => {
		const [row] = await tx
			.insert(conversations)
			.values({ canvasId, teamId: access.canvas.teamId, externalId, title: input.title || null, ...actorColumns(actor) })
			.onConflictDoNothing()
			.returning();
		// Another push with the same externalId won: it is committed now (the insert waited for it).
		if (!row) return null;
		await insertImageAssets(tx, services, { canvasId, teamId: access.canvas.teamId, uploadedBy: actor.kind === 'user' ? actor.userId : null }, images, known);
		await tx.insert(conversationMessages).values(
			all.map((message, index) =>
				newMessageRow(message, storedParts(message, images.sources[index], images), {
					id: ids[index],
					conversationId: row.id,
					parentId: index === 0 ? null : ids[index - 1],
					seq: index + 1
				})
			)
		);
		return row;
	});
	if (!stored) {
		const winner = await findByExternalId(services, canvasId, externalId!);
		if (!winner) throw new AppError('CONFLICT', 'Another push of this conversation is under way; try again.');
		return answer(winner);
	}
	const messageIds = system === null ? ids : ids.slice(1);
	await drawOrExplain(services, stored.id, writer, messageIds);
	return { created: true, conversation: { id: stored.id, messageIds, systemMessageId: system === null ? null : ids[0] } };
}

async function findByExternalId(services: Pick<Services, 'db'>, canvasId: string, externalId: string): Promise<ConversationRow | null> {
	const [row] = await services.db
		.select()
		.from(conversations)
		.where(and(eq(conversations.canvasId, canvasId), eq(conversations.externalId, externalId)));
	return row ?? null;
}

/**
 * The stored conversation's ids for a retry of its push: its first messages must be the pushed ones
 * (same roles, text, tool calls; text may have grown by streaming since). Another conversation under
 * the same externalId is a CONFLICT, since answering its ids would be wrong.
 */
async function matchingRetry(
	services: Pick<Services, 'db'>,
	conversation: ConversationRow,
	pushed: NormalizedMessage[],
	withSystem: boolean
): Promise<IngestedConversation> {
	const rows = (await messagesOf(services.db, conversation.id)).slice(0, pushed.length);
	const same = rows.length === pushed.length && rows.every((row, index) => sameMessage(row, pushed[index], index === 0 ? null : rows[index - 1].id));
	if (!same) {
		throw new AppError(
			'CONFLICT',
			`externalId ${JSON.stringify(conversation.externalId)} already names another conversation on this canvas, with other messages. Push this one with another externalId, or append to that one with POST /api/v1/conversations/${conversation.id}/messages.`,
			{ conversationId: conversation.id }
		);
	}
	const ids = rows.map((row) => row.id);
	return {
		created: false,
		conversation: { id: conversation.id, messageIds: withSystem ? ids.slice(1) : ids, systemMessageId: withSystem ? ids[0] : null }
	};
}

function sameMessage(row: MessageRow, message: NormalizedMessage, parentId: string | null): boolean {
	const content = contentOf(row);
	return (
		row.parentId === parentId &&
		row.role === message.role &&
		row.text.startsWith(message.text) &&
		content.toolCallId === message.toolCallId &&
		JSON.stringify(content.toolCalls) === JSON.stringify(message.toolCalls) &&
		content.parts.map((part) => part.type).join() === message.parts.map((part) => part.type).join()
	);
}

/** Draws the conversation; when that fails the messages are stored all the same: UNAVAILABLE says so, and pushing again draws them. */
async function drawOrExplain(services: Services, conversationId: string, writer: { origin: 'ingest'; actor: Actor }, messageIds: string[]): Promise<void> {
	try {
		await draw(services, conversationId, writer);
	} catch (error) {
		services.logger.error({ err: error, conversationId }, 'could not draw a conversation');
		throw new AppError('UNAVAILABLE', 'The conversation was stored but could not be drawn on the canvas. Push it again (with the same externalId) to draw it.', {
			conversationId,
			messageIds
		});
	}
}
