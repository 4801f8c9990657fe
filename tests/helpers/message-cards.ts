// Valid message-card records (src/lib/conversations/message-card.ts) for tests that put cards on a
// canvas without the conversations API: the server validates them like any client's records.
import { emptyMessageCardProps, type MessageCardProps, type MessageCardToolCall } from '../../src/lib/conversations/message-card.ts';

export type CardProps = Partial<MessageCardProps>;

export function messageCardProps(props: CardProps = {}): MessageCardProps {
	return { ...emptyMessageCardProps(), h: 200, conversationId: 'conversation-1', messageId: 'message-1', ...props };
}

/** A card on the first page (`page:page`). */
export function messageCard(id: string, props: CardProps = {}, place: { x?: number; y?: number; index?: string; parentId?: string } = {}) {
	return {
		id,
		typeName: 'shape' as const,
		type: 'conversation-message' as const,
		x: place.x ?? 100,
		y: place.y ?? 100,
		rotation: 0,
		index: place.index ?? 'a1',
		parentId: place.parentId ?? 'page:page',
		isLocked: false,
		opacity: 1,
		meta: {},
		props: messageCardProps(props)
	};
}

export function toolCall(id: string, name: string, args: unknown, result: string | null = null, isError = false): MessageCardToolCall {
	return { id, name, arguments: typeof args === 'string' ? args : JSON.stringify(args), result, isError };
}
