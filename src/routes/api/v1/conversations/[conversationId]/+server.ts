// GET: the conversation as a tree: { conversation: { …, rootIds, messages: [{ id, parentId, childIds, … }] } }.
import type { RequestHandler } from './$types';
import * as conversations from '$lib/server/conversations';
import { api, callerActor, uuidParam } from '$lib/server/http/api';

export const GET: RequestHandler = api(async (event) => {
	const conversation = await conversations.getConversation(event.locals.db, callerActor(event), uuidParam(event, 'conversationId'));
	return Response.json({ conversation });
});
