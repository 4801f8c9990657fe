// POST: completes a streaming message { usage?, latencyMs?, costUsd? } → 200 { message }; the canvas holds its whole text when this answers.
import type { RequestHandler } from './$types';
import * as conversations from '$lib/server/conversations';
import { completeMessageRequest } from '$lib/server/conversations/api-schemas';
import { api, callerActor, uuidParam } from '$lib/server/http/api';
import { readConversationJson } from '$lib/server/http/conversation-requests';

export const POST: RequestHandler = api(async (event) => {
	const actor = callerActor(event);
	const conversationId = uuidParam(event, 'conversationId');
	const messageId = uuidParam(event, 'messageId');
	// A completion without a body is fine: it has nothing to add.
	const input = event.request.headers.get('content-type') ? await readConversationJson(event, completeMessageRequest) : {};
	const message = await conversations.completeMessage(event.locals.services, actor, conversationId, messageId, input);
	return Response.json({ message });
});
