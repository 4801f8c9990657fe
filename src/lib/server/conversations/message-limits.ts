// The configured limits of the conversation API and the checks that name them: messages per
// request and per conversation, characters per message, tool calls and images per message.
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { invalid, within, type MessagePart, type NormalizedMessage, type ToolCall } from './message-formats.ts';
import type { StoredPart } from './message-rows.ts';

export interface ConversationLimits {
	maxBodyBytes: number;
	maxMessagesPerRequest: number;
	maxMessages: number;
	maxMessageChars: number;
	maxToolCalls: number;
	maxImages: number;
	maxImageBytes: number;
}

export function conversationLimits(config: Config): ConversationLimits {
	return {
		maxBodyBytes: config.CONVERSATION_MAX_BODY_BYTES,
		maxMessagesPerRequest: config.CONVERSATION_MAX_MESSAGES_PER_REQUEST,
		maxMessages: config.CONVERSATION_MAX_MESSAGES,
		maxMessageChars: config.CONVERSATION_MAX_MESSAGE_CHARS,
		maxToolCalls: config.CONVERSATION_MAX_TOOL_CALLS,
		maxImages: config.CONVERSATION_MAX_IMAGES,
		maxImageBytes: config.CONVERSATION_MAX_IMAGE_BYTES
	};
}

/** Characters a message holds for the limit: its text, tool calls (names and arguments), tool results and thinking. */
export function messageChars(message: { text: string; toolCalls: readonly ToolCall[]; parts: readonly (MessagePart | StoredPart)[] }): number {
	let chars = codePoints(message.text);
	for (const call of message.toolCalls) chars += codePoints(call.name) + codePoints(call.arguments);
	for (const part of message.parts) {
		if (part.type === 'tool_result') chars += codePoints(part.content);
		else if (part.type === 'thinking') chars += codePoints(part.text);
	}
	return chars;
}

/** Refuses a message past a per-message limit, naming it and where the message is (`messages.3`). */
export function checkMessage(message: NormalizedMessage, path: string, limits: ConversationLimits): void {
	const chars = messageChars(message);
	if (chars > limits.maxMessageChars)
		throw invalid(path, `a message may hold at most ${limits.maxMessageChars} characters (text, tool calls and results); this one holds ${chars}`);
	if (message.toolCalls.length > limits.maxToolCalls)
		throw invalid(within(path, 'tool_calls'), `a message may make at most ${limits.maxToolCalls} tool calls; this one makes ${message.toolCalls.length}`);
	const images = message.parts.filter((part) => part.type === 'image').length;
	if (images > limits.maxImages) throw invalid(within(path, 'content'), `a message may hold at most ${limits.maxImages} images; this one holds ${images}`);
}

/** Refuses a conversation that would hold more messages than allowed. */
export function checkConversationSize(count: number, limits: ConversationLimits): void {
	if (count > limits.maxMessages) {
		throw new AppError('LIMIT_EXCEEDED', `A conversation may hold at most ${limits.maxMessages} messages (every branch counted); this one would hold ${count}.`, {
			limit: 'conversationMessages',
			allowed: limits.maxMessages
		});
	}
}

/** Length in Unicode code points, as PostgreSQL's char_length counts. */
export function codePoints(text: string): number {
	let count = 0;
	for (let index = 0; index < text.length; index++) {
		const unit = text.charCodeAt(index);
		// A high surrogate followed by a low one is one code point.
		if (unit >= 0xd800 && unit <= 0xdbff && index + 1 < text.length) {
			const next = text.charCodeAt(index + 1);
			if (next >= 0xdc00 && next <= 0xdfff) index++;
		}
		count++;
	}
	return count;
}
