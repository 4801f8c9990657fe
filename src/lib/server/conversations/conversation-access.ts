// Who may push, append, stream and read conversations: writing needs `conversation.write` on the
// canvas (editors and above; API keys with `conversations:write`) on a canvas within its plan;
// reading needs `canvas.view`. A conversation whose canvas the actor cannot see is NOT_FOUND, as an
// id from another team reveals nothing.
import { eq } from 'drizzle-orm';
import type { Queryable } from '../db/index.ts';
import { conversations } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { isUuid, requireCanvasPermission, type Actor, type CanvasAccess } from '../access.ts';
import * as billing from '../billing.ts';
import type { ConversationRow } from './message-rows.ts';

/** Asserts that `actor` may write conversations onto canvas `canvasId` now. */
export async function requireConversationWrite(db: Queryable, actor: Actor, canvasId: string): Promise<CanvasAccess> {
	const access = await requireCanvasPermission(db, actor, canvasId, 'conversation.write');
	// A canvas beyond its team's plan is read-only for every writer, whatever role or scope allowed it.
	if (await billing.isCanvasOverLimit(db, access.canvas.teamId, access.canvas.id)) throw await billing.canvasReadOnlyError(db, access.canvas.teamId);
	return access;
}

/** The conversation, when `actor` may read it (or write it, with `write`); NOT_FOUND otherwise, FORBIDDEN to a reader who may not write. */
export async function requireConversation(
	db: Queryable,
	actor: Actor,
	conversationId: string,
	mode: 'read' | 'write'
): Promise<{ conversation: ConversationRow; access: CanvasAccess }> {
	if (!isUuid(conversationId)) throw conversationNotFound();
	const [conversation] = await db.select().from(conversations).where(eq(conversations.id, conversationId));
	if (!conversation) throw conversationNotFound();
	try {
		const access =
			mode === 'write'
				? await requireConversationWrite(db, actor, conversation.canvasId)
				: await requireCanvasPermission(db, actor, conversation.canvasId, 'canvas.view');
		return { conversation, access };
	} catch (error) {
		if (error instanceof AppError && error.code === 'NOT_FOUND') throw conversationNotFound();
		throw error;
	}
}

export function conversationNotFound(): AppError {
	return new AppError('NOT_FOUND', 'Conversation was not found.');
}

export function messageNotFound(): AppError {
	return new AppError('NOT_FOUND', 'Message was not found in this conversation.');
}
