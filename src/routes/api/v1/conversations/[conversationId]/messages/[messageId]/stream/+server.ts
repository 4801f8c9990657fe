// POST: streams text into a streaming message: JSON { delta } (repeat it), or a chunked text/plain
// body whose chunks are the deltas, appended as they arrive → 200 { message: { id, status, textLength } }.
import type { RequestHandler } from './$types';
import * as conversations from '$lib/server/conversations';
import { streamDeltaRequest } from '$lib/server/conversations/api-schemas';
import { api, callerActor, uuidParam } from '$lib/server/http/api';
import { isTextBody, readConversationJson, textChunks } from '$lib/server/http/conversation-requests';
import { runtime } from '$lib/server/runtime';

export const POST: RequestHandler = api(async (event) => {
	const actor = callerActor(event);
	const conversationId = uuidParam(event, 'conversationId');
	const messageId = uuidParam(event, 'messageId');
	const limits = conversations.conversationLimits(runtime().config);
	const message = isTextBody(event)
		? await conversations.streamText(event.locals.services, limits, actor, conversationId, messageId, textChunks(event.request))
		: await conversations.streamDelta(event.locals.services, limits, actor, conversationId, messageId, (await readConversationJson(event, streamDeltaRequest)).delta);
	return Response.json({ message });
});
