// The conversation API's requests and responses as zod schemas: routes validate bodies with them,
// and the OpenAPI document is generated from them. Limits that come from configuration (messages
// per request, characters, tool calls, images) are checked by the domain, which names them.
import { z } from 'zod';
import {
	CONVERSATION_ROLES,
	contentSchema,
	easelToolCallSchema,
	latencySchema,
	MESSAGE_STATUSES,
	openAiToolCallSchema,
	systemSchema,
	usageSchema,
	wireMessageSchema
} from './message-formats.ts';

const messageId = z.uuid({ error: 'must be a message id (a UUID)' });

export const ingestConversationRequest = z
	.object({
		/** The program's own id for the conversation: pushing it again answers the same conversation. */
		externalId: z.string().trim().min(1).max(200).optional(),
		title: z.string().trim().max(200).optional(),
		/** Anthropic's top-level system prompt; it becomes the first message (the root). */
		system: systemSchema.optional(),
		/** OpenAI chat messages or Anthropic messages, in order: each becomes the child of the one before. */
		messages: z.array(wireMessageSchema).min(1, { error: 'messages must hold at least one message' })
	})
	.meta({ id: 'IngestConversationRequest' });
export type IngestConversationRequest = z.infer<typeof ingestConversationRequest>;

export const ingestConversationResponse = z
	.object({
		conversation: z.object({
			id: z.uuid(),
			/** One id per pushed message, in the order sent. */
			messageIds: z.array(z.uuid()),
			/** The message made from the top-level `system`, or null. */
			systemMessageId: z.uuid().nullable()
		})
	})
	.meta({ id: 'IngestedConversation' });

export const appendMessageRequest = z
	.object({
		/**
		 * The message this one answers. Omitted: the conversation's latest message (so a program appending
		 * a linear chat needs no ids); null: a new root. A second child of one parent is a branch.
		 */
		parentId: messageId.nullable().optional(),
		/** A sibling this message retries: same parent (the default parent), shown side by side as a retry. */
		retryOf: messageId.optional(),
		role: z.enum(CONVERSATION_ROLES, { error: `role must be one of ${CONVERSATION_ROLES.join(', ')}` }),
		content: contentSchema.nullable().optional(),
		/** `{ id, name, arguments }` or OpenAI's `{ id, type: 'function', function: { name, arguments } }`. */
		toolCalls: z.array(z.union([openAiToolCallSchema, easelToolCallSchema], { error: 'a tool call needs an id and a name' })).optional(),
		tool_calls: z.array(openAiToolCallSchema).optional(),
		toolCallId: z.string().min(1).max(200).optional(),
		tool_call_id: z.string().min(1).max(200).optional(),
		name: z.string().max(200).optional(),
		model: z.string().max(200).optional(),
		usage: usageSchema.nullable().optional(),
		latencyMs: latencySchema.optional(),
		costUsd: z.number().nonnegative().finite().optional(),
		/** 'streaming' makes a message to stream into; the default is streaming when it has no content, complete otherwise. */
		status: z.enum(MESSAGE_STATUSES).optional()
	})
	.meta({ id: 'AppendMessageRequest' });
export type AppendMessageRequest = z.infer<typeof appendMessageRequest>;

export const streamDeltaRequest = z.object({ delta: z.string() });

export const completeMessageRequest = z.object({
	usage: usageSchema.nullable().optional(),
	latencyMs: latencySchema.optional(),
	costUsd: z.number().nonnegative().finite().optional()
});
export type CompleteMessageRequest = z.infer<typeof completeMessageRequest>;

const usageJson = z.object({ inputTokens: z.number().nullable(), outputTokens: z.number().nullable(), costUsd: z.number().nullable() });

/** A non-text part of a message, as the API answers it. */
export const messagePartJson = z
	.discriminatedUnion('type', [
		z.object({
			type: z.literal('image'),
			/** `/api/v1/assets/<id>` for an image stored on the canvas; the program's http(s) link otherwise. */
			url: z.string(),
			/** The stored asset, or null for a link. */
			assetId: z.uuid().nullable(),
			mediaType: z.string().nullable()
		}),
		z.object({ type: z.literal('tool_result'), toolCallId: z.string(), content: z.string(), isError: z.boolean() }),
		z.object({ type: z.literal('thinking'), text: z.string() }),
		z.object({ type: z.literal('redacted_thinking') }),
		z.object({ type: z.literal('unsupported'), originalType: z.string() })
	])
	.meta({ id: 'MessagePart' });

export const messageJson = z
	.object({
		id: z.uuid(),
		conversationId: z.uuid(),
		parentId: z.uuid().nullable(),
		retryOf: z.uuid().nullable(),
		/** Ids of the messages answering this one, in order of arrival (branches and retries). */
		childIds: z.array(z.uuid()),
		role: z.enum(CONVERSATION_ROLES),
		name: z.string().nullable(),
		model: z.string().nullable(),
		/** The text parts joined by blank lines, with every streamed delta appended in order. */
		text: z.string(),
		parts: z.array(messagePartJson),
		toolCalls: z.array(z.object({ id: z.string(), name: z.string(), arguments: z.string() })),
		toolCallId: z.string().nullable(),
		usage: usageJson.nullable(),
		latencyMs: z.number().nullable(),
		status: z.enum(MESSAGE_STATUSES),
		createdAt: z.iso.datetime(),
		completedAt: z.iso.datetime().nullable()
	})
	.meta({ id: 'Message', description: 'One message of a conversation, a message card on the canvas.' });
export type MessageJson = z.infer<typeof messageJson>;

export const messageResponse = z.object({ message: messageJson });

export const streamDeltaResponse = z.object({
	message: z.object({ id: z.uuid(), status: z.literal('streaming'), /** Characters of text so far. */ textLength: z.number() })
});

export const conversationSummaryJson = z
	.object({
		id: z.uuid(),
		canvasId: z.uuid(),
		externalId: z.string().nullable(),
		title: z.string().nullable(),
		messageCount: z.number(),
		createdAt: z.iso.datetime()
	})
	.meta({ id: 'ConversationSummary' });

export const conversationResponse = z.object({
	conversation: conversationSummaryJson
		.extend({
			/** Messages without a parent, in order of arrival. */
			rootIds: z.array(z.uuid()),
			/** Every message, flat, in order of arrival; the tree is in `parentId` (and `childIds`). */
			messages: z.array(messageJson)
		})
		.meta({ id: 'Conversation', description: 'A conversation as a tree of messages.' })
});

export const conversationListResponse = z.object({ conversations: z.array(conversationSummaryJson) });
