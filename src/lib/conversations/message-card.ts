// The message card: the custom tldraw shape a conversation's message is drawn as. Its props and
// migrations are here, universal, so the server's tldraw schema (which validates every record a
// client or a server-side writer sends) and the browser's shape util agree on one definition.
import { T } from '@tldraw/validate';
import { createShapePropsMigrationSequence, type RecordProps, type TLBaseShape } from '@tldraw/tlschema';

export const MESSAGE_CARD_TYPE = 'conversation-message';

/** Every card's width; its height is estimated on the server from its content and capped (the card scrolls inside). */
export const MESSAGE_CARD_WIDTH = 380;

/** The card of a message: one per message, its id derived from the message's, so every writer draws the same one. */
export function messageCardShapeId(messageId: string): string {
	return `shape:message-${messageId}`;
}

/** The frame a conversation's cards sit in, titled with the conversation's title. */
export function conversationFrameShapeId(conversationId: string): string {
	return `shape:conversation-${conversationId}`;
}

/** A card's role; an OpenAI `developer` message is shown as `system` (the API keeps `developer`). */
export const MESSAGE_ROLES = ['system', 'user', 'assistant', 'tool'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

/** One tool call a message made, with its result once a later message (or block) returned one. */
export interface MessageCardToolCall {
	/** The provider's call id (`call_…`, `toolu_…`), or one Easel made up when it had none. */
	id: string;
	name: string;
	/** The arguments as JSON text, as the model wrote them. */
	arguments: string;
	/** The tool's result as text (JSON or plain), null while none came back. */
	result: string | null;
	isError: boolean;
}

/** A tool result a message carries (an Anthropic user message may hold several `tool_result` blocks). */
export interface MessageCardToolResult {
	/** The call it answers (`toolu_…`, `call_…`). */
	toolCallId: string;
	/** The result as text (JSON or plain). */
	content: string;
	isError: boolean;
}

/**
 * An image of a message: either stored on this canvas (the program sent it inline; `assetId` names
 * the tldraw asset record, whose `src` is `/api/v1/assets/<id>`, so copies and publications keep
 * it) or a link the program gave (`url`, http(s); the server never fetched it).
 */
export interface MessageCardImage {
	/** The tldraw asset record (`asset:…`) of a stored image, or ''. */
	assetId: string;
	/** The http(s) address of a linked image, or ''. */
	url: string;
}

export interface MessageCardProps {
	w: number;
	h: number;
	conversationId: string;
	messageId: string;
	/** The message this one answers, or '' for a root (the tree, also drawn as an arrow between the cards). */
	parentId: string;
	role: MessageRole;
	/** Who wrote it as the program named them (`name`), or '' */
	author: string;
	/** The model that wrote it, or '' */
	model: string;
	/** Markdown (rendered sanitized); grows while `status` is 'streaming'. */
	text: string;
	toolCalls: MessageCardToolCall[];
	/** For a tool message: the call it answers, or '' */
	toolCallId: string;
	/** Tool results carried as blocks of the message (Anthropic `tool_result`), in order; an OpenAI tool message has its result as `text`. */
	toolResults: MessageCardToolResult[];
	/** The message's images, in order. */
	images: MessageCardImage[];
	status: 'streaming' | 'complete';
	/** The message this one retries (a sibling), or '' */
	retryOf: string;
	inputTokens: number | null;
	outputTokens: number | null;
	latencyMs: number | null;
	/** What the program said the message cost, in US dollars. */
	costUsd: number | null;
}

export type MessageCardShape = TLBaseShape<typeof MESSAGE_CARD_TYPE, MessageCardProps>;

export const messageCardProps: RecordProps<MessageCardShape> = {
	w: T.nonZeroNumber,
	h: T.nonZeroNumber,
	conversationId: T.string,
	messageId: T.string,
	parentId: T.string,
	role: T.literalEnum(...MESSAGE_ROLES),
	author: T.string,
	model: T.string,
	text: T.string,
	toolCalls: T.arrayOf(
		T.object({
			id: T.string,
			name: T.string,
			arguments: T.string,
			result: T.string.nullable(),
			isError: T.boolean
		})
	),
	toolCallId: T.string,
	toolResults: T.arrayOf(T.object({ toolCallId: T.string, content: T.string, isError: T.boolean })),
	images: T.arrayOf(T.object({ assetId: T.string, url: T.string })),
	status: T.literalEnum('streaming', 'complete'),
	retryOf: T.string,
	inputTokens: T.positiveInteger.nullable(),
	outputTokens: T.positiveInteger.nullable(),
	latencyMs: T.positiveNumber.nullable(),
	costUsd: T.positiveNumber.nullable()
};

/** An empty card: what the browser's shape util starts from and what tests override. */
export function emptyMessageCardProps(): MessageCardProps {
	return {
		w: MESSAGE_CARD_WIDTH,
		h: 160,
		conversationId: '',
		messageId: '',
		parentId: '',
		role: 'assistant',
		author: '',
		model: '',
		text: '',
		toolCalls: [],
		toolCallId: '',
		toolResults: [],
		images: [],
		status: 'complete',
		retryOf: '',
		inputTokens: null,
		outputTokens: null,
		latencyMs: null,
		costUsd: null
	};
}

/** Versions of the card's props; a change to them is a new migration here (never an edit of one). */
export const messageCardMigrations = createShapePropsMigrationSequence({ sequence: [] });

/** How the card is registered with a tldraw schema (`createTLSchema({ shapes: { …, ...MESSAGE_CARD_SCHEMA } })`). */
export const MESSAGE_CARD_SCHEMA = { [MESSAGE_CARD_TYPE]: { props: messageCardProps, migrations: messageCardMigrations } } as const;
