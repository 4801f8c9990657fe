// What a message's card shows (the props of the shared card shape) and how tall it is: the server
// estimates the height from the content, at a fixed width, capped (longer content scrolls inside
// the card). A tool call's result comes from the message that answered it: the nearest later one
// down the same branch.
import { MESSAGE_CARD_WIDTH, type MessageCardImage, type MessageCardProps, type MessageCardToolCall, type MessageRole } from '../../conversations/message-card.ts';
import { contentOf, usageOf, type MessageRow } from './message-rows.ts';

/** Shortest and tallest card; the browser scrolls a card whose content is taller. */
export const MIN_CARD_HEIGHT = 96;
export const MAX_CARD_HEIGHT = 560;
/** Room kept in a card with tool calls or results for one of them opened (arguments and result), so it opens without scrolling. */
export const TOOL_DETAILS_HEIGHT = 160;
/** Longest tool result a card quotes (the message itself, and the API, keep all of it). */
export const MAX_CARD_RESULT_CHARS = 4000;

/** The card's layout as the estimate assumes it: 14 px text on 20 px lines, ~46 characters a line at this width. */
const HEADER_HEIGHT = 44;
const LINE_HEIGHT = 20;
const CHARS_PER_LINE = 46;
const ROW_HEIGHT = 36;
const IMAGE_ROW_HEIGHT = 104;
const IMAGES_PER_ROW = 3;
const FOOTER_HEIGHT = 28;
const PADDING = 16;

type Row = Pick<MessageRow, 'id' | 'parentId' | 'retryOf' | 'conversationId' | 'role' | 'name' | 'model' | 'text' | 'content' | 'usage' | 'latencyMs' | 'status'>;

/** Results by call id for every message's tool calls: from the first answer after it on its own branch (its descendants, in order of arrival). */
export function toolResultsByMessage(rows: Row[]): Map<string, Map<string, { result: string; isError: boolean }>> {
	const byId = new Map(rows.map((row) => [row.id, row]));
	const callsOf = new Map(rows.map((row) => [row.id, new Set(contentOf(row).toolCalls.map((call) => call.id))]));
	const results = new Map<string, Map<string, { result: string; isError: boolean }>>();
	const answer = (from: Row, callId: string, result: string, isError: boolean) => {
		const seen = new Set<string>();
		for (let ancestor = byId.get(from.parentId ?? ''); ancestor && !seen.has(ancestor.id); ancestor = byId.get(ancestor.parentId ?? '')) {
			seen.add(ancestor.id);
			if (!callsOf.get(ancestor.id)?.has(callId)) continue;
			const own = results.get(ancestor.id) ?? new Map();
			if (!own.has(callId)) own.set(callId, { result, isError });
			results.set(ancestor.id, own);
			return;
		}
	};
	for (const row of rows) {
		const content = contentOf(row);
		if (row.role === 'tool' && content.toolCallId) answer(row, content.toolCallId, row.text, false);
		for (const part of content.parts) if (part.type === 'tool_result') answer(row, part.toolCallId, part.content, part.isError);
	}
	return results;
}

/** The props of a message's card (its height estimated; `w` fixed). */
export function messageCardProps(row: Row, results: Map<string, { result: string; isError: boolean }> | undefined): MessageCardProps {
	const content = contentOf(row);
	const usage = usageOf(row);
	const toolCalls: MessageCardToolCall[] = content.toolCalls.map((call) => {
		const answered = results?.get(call.id);
		return { id: call.id, name: call.name, arguments: call.arguments, result: answered ? quoted(answered.result) : null, isError: answered?.isError ?? false };
	});
	const images: MessageCardImage[] = content.parts.flatMap((part) =>
		part.type !== 'image' ? [] : ['url' in part.image ? { assetId: '', url: part.image.url } : { assetId: imageAssetRecordId(part.image.assetId), url: '' }]
	);
	const props: MessageCardProps = {
		w: MESSAGE_CARD_WIDTH,
		h: MIN_CARD_HEIGHT,
		conversationId: row.conversationId,
		messageId: row.id,
		parentId: row.parentId ?? '',
		role: cardRole(row.role),
		author: row.name ?? '',
		model: row.model ?? '',
		text: row.text,
		toolCalls,
		toolCallId: content.toolCallId ?? '',
		toolResults: content.parts.flatMap((part) =>
			part.type === 'tool_result' ? [{ toolCallId: part.toolCallId, content: quoted(part.content), isError: part.isError }] : []
		),
		images,
		status: row.status,
		retryOf: row.retryOf ?? '',
		inputTokens: usage?.inputTokens ?? null,
		outputTokens: usage?.outputTokens ?? null,
		latencyMs: row.latencyMs,
		costUsd: usage?.costUsd ?? null
	};
	return { ...props, h: estimateCardHeight(props) };
}

/** How tall a card with these props draws: header, wrapped text, a row per tool call and result (and room to open one), image rows, the usage line; capped. */
export function estimateCardHeight(
	props: Pick<MessageCardProps, 'text' | 'toolCalls' | 'toolResults' | 'images' | 'inputTokens' | 'outputTokens' | 'latencyMs' | 'costUsd'>
): number {
	let height = HEADER_HEIGHT + PADDING;
	const text = props.text.length > CHARS_PER_LINE * 40 ? props.text.slice(0, CHARS_PER_LINE * 40) : props.text;
	if (text.trim()) {
		const lines = text.split('\n').reduce((sum, line) => sum + Math.max(1, Math.ceil(line.length / CHARS_PER_LINE)), 0);
		height += lines * LINE_HEIGHT;
	}
	const toolRows = props.toolCalls.length + props.toolResults.length;
	if (toolRows > 0) height += toolRows * ROW_HEIGHT + TOOL_DETAILS_HEIGHT;
	height += Math.ceil(props.images.length / IMAGES_PER_ROW) * IMAGE_ROW_HEIGHT;
	if ([props.inputTokens, props.outputTokens, props.latencyMs, props.costUsd].some((value) => value !== null)) height += FOOTER_HEIGHT;
	return Math.min(MAX_CARD_HEIGHT, Math.max(MIN_CARD_HEIGHT, Math.ceil(height / 8) * 8));
}

/** The tldraw asset record of a stored image on the canvas. */
export function imageAssetRecordId(assetId: string): string {
	return `asset:${assetId}`;
}

function cardRole(role: string): MessageRole {
	if (role === 'developer') return 'system';
	return role === 'system' || role === 'user' || role === 'assistant' || role === 'tool' ? role : 'user';
}

function quoted(text: string): string {
	return text.length > MAX_CARD_RESULT_CHARS ? `${text.slice(0, MAX_CARD_RESULT_CHARS)}… (cut here; the whole result is in the conversation's API)` : text;
}
