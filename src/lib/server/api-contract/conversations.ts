// The contract of conversations pushed by programs: ingesting them, appending and streaming messages.
import { z } from 'zod';
import {
	appendMessageRequest,
	completeMessageRequest,
	conversationListResponse,
	conversationResponse,
	ingestConversationRequest,
	ingestConversationResponse,
	messageResponse,
	streamDeltaRequest,
	streamDeltaResponse
} from '../conversations/api-schemas.ts';
import { canvasParams } from './canvases.ts';
import type { ApiOperation } from './operation.ts';

const conversationParams = z.object({ conversationId: z.uuid().meta({ description: 'The conversation id.' }) });
const messageParams = conversationParams.extend({ messageId: z.uuid().meta({ description: 'The message id.' }) });

export const conversationOperations: ApiOperation[] = [
	{
		method: 'post',
		path: '/api/v1/canvases/{id}/conversations',
		operationId: 'ingestConversation',
		tag: 'Conversations',
		summary: 'Push a conversation onto a canvas',
		description: 'OpenAI or Anthropic messages become a tree of message cards. Idempotent on `externalId`: pushing it again answers 200 with the same ids.',
		auth: 'caller',
		params: canvasParams,
		body: { type: 'json', schema: ingestConversationRequest },
		responses: {
			200: { description: 'Already pushed (same `externalId`): the same ids.', schema: ingestConversationResponse },
			201: { description: 'Created.', schema: ingestConversationResponse }
		},
		errors: ['LIMIT_EXCEEDED', 'CONFLICT', 'UNSUPPORTED_MEDIA_TYPE']
	},
	{
		method: 'get',
		path: '/api/v1/canvases/{id}/conversations',
		operationId: 'listConversations',
		tag: 'Conversations',
		summary: "A canvas's conversations",
		auth: 'caller',
		params: canvasParams,
		responses: { 200: { description: 'The conversations.', schema: conversationListResponse } }
	},
	{
		method: 'get',
		path: '/api/v1/conversations/{conversationId}',
		operationId: 'getConversation',
		tag: 'Conversations',
		summary: 'A conversation as a tree',
		auth: 'caller',
		params: conversationParams,
		responses: { 200: { description: 'The conversation and every message.', schema: conversationResponse } }
	},
	{
		method: 'post',
		path: '/api/v1/conversations/{conversationId}/messages',
		operationId: 'appendMessage',
		tag: 'Conversations',
		summary: 'Append a message',
		description: 'Under the latest message unless `parentId` or `retryOf` says otherwise; a second child of one parent is a branch.',
		auth: 'caller',
		params: conversationParams,
		body: { type: 'json', schema: appendMessageRequest },
		responses: { 201: { description: 'The message.', schema: messageResponse } },
		errors: ['LIMIT_EXCEEDED', 'CONFLICT', 'UNSUPPORTED_MEDIA_TYPE']
	},
	{
		method: 'post',
		path: '/api/v1/conversations/{conversationId}/messages/{messageId}/stream',
		operationId: 'streamMessage',
		tag: 'Conversations',
		summary: 'Stream text into a streaming message',
		description: 'JSON `{ delta }` (repeat it), or a chunked `text/plain` body whose chunks are the deltas, appended as they arrive.',
		auth: 'caller',
		params: messageParams,
		body: { type: 'json', schema: streamDeltaRequest, orText: true, description: 'JSON `{ delta }`, or `text/plain`: the deltas as the body streams.' },
		responses: { 200: { description: 'The message so far.', schema: streamDeltaResponse } },
		errors: ['LIMIT_EXCEEDED', 'CONFLICT']
	},
	{
		method: 'post',
		path: '/api/v1/conversations/{conversationId}/messages/{messageId}/complete',
		operationId: 'completeMessage',
		tag: 'Conversations',
		summary: 'Complete a streaming message',
		description: 'The canvas holds its whole text when this answers. The body may be left out.',
		auth: 'caller',
		params: messageParams,
		body: { type: 'json', schema: completeMessageRequest, required: false },
		responses: { 200: { description: 'The message.', schema: messageResponse } },
		errors: ['CONFLICT']
	}
];
