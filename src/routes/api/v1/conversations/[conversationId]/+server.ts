// GET: the conversation as a tree: { conversation: { …, rootIds, messages: [{ id, parentId, childIds, … }] } }.
import type { RequestHandler } from './$types';
import * as conversations from '$lib/server/conversations';
import { api, uuidParam } from '$lib/server/http/api';
import { callerActor } from '$lib/server/http/publication-json';

export const GET: RequestHandler = api(async (event) => {
	const conversation = await conversations.getConversation(event.locals.db, callerActor(event), uuidParam(event, 'conversationId'));
	return Response.json({ conversation });
});
