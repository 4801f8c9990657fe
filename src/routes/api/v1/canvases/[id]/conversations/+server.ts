// POST: pushes a conversation (OpenAI or Anthropic messages) onto the canvas → 201 { conversation: { id, messageIds, systemMessageId } },
// or 200 with the same ids when `externalId` already names it. GET: the canvas's conversations.
import type { RequestHandler } from './$types';
import * as conversations from '$lib/server/conversations';
import { ingestConversationRequest } from '$lib/server/conversations/api-schemas';
import { api, callerActor, uuidParam } from '$lib/server/http/api';
import { readConversationJson } from '$lib/server/http/conversation-requests';
import { runtime } from '$lib/server/runtime';

export const POST: RequestHandler = api(async (event) => {
	const actor = callerActor(event);
	const canvasId = uuidParam(event, 'id');
	const input = await readConversationJson(event, ingestConversationRequest);
	const { created, conversation } = await conversations.ingestConversation(
		event.locals.services,
		conversations.conversationLimits(runtime().config),
		actor,
		canvasId,
		input
	);
	return Response.json({ conversation }, { status: created ? 201 : 200 });
});

export const GET: RequestHandler = api(async (event) => {
	const list = await conversations.listConversations(event.locals.db, callerActor(event), uuidParam(event, 'id'));
	return Response.json({ conversations: list });
});
