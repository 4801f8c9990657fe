// POST: appends a message (under the latest one unless parentId or retryOf says otherwise) → 201 { message }.
import type { RequestHandler } from './$types';
import * as conversations from '$lib/server/conversations';
import { appendMessageRequest } from '$lib/server/conversations/api-schemas';
import { api, callerActor, uuidParam } from '$lib/server/http/api';
import { readConversationJson } from '$lib/server/http/conversation-requests';
import { runtime } from '$lib/server/runtime';

export const POST: RequestHandler = api(async (event) => {
	const actor = callerActor(event);
	const conversationId = uuidParam(event, 'conversationId');
	const input = await readConversationJson(event, appendMessageRequest);
	const message = await conversations.appendMessage(event.locals.services, conversations.conversationLimits(runtime().config), actor, conversationId, input);
	return Response.json({ message }, { status: 201 });
});
