// Conversations programs push onto a canvas (OpenAI or Anthropic message format, idempotent on
// `externalId`, appended to and streamed into by deltas): the database keeps the tree and the text
// in order; the canvas shows a card per message, bound by arrows, laid out as a tree in a frame.
export { ingestConversation, type IngestedConversation } from './ingest-conversation.ts';
export { appendMessage } from './append-message.ts';
export { completeMessage, streamDelta, streamText, type StreamedMessage } from './stream-message.ts';
export { getConversation, listConversations, type ConversationJson, type ConversationSummaryJson } from './read-conversation.ts';
export { conversationLimits, type ConversationLimits } from './message-limits.ts';
export { drawConversation } from './draw-conversation.ts';
