// What a message card shows, worked out from card props alone (pure, no tldraw): the retry set a card
// belongs to and where it stands in it, the call a tool message answers, a tool call's result (on the
// calling card, or from the message that answered it), pretty-printed JSON, the footer's figures,
// and which image sources a card may load.
import type { MessageCardImage, MessageCardProps, MessageCardToolCall, MessageRole } from '../../conversations/message-card.ts';

export const ROLE_LABELS: Record<MessageRole, string> = { system: 'System', user: 'User', assistant: 'Assistant', tool: 'Tool' };

/** The little of a card the cross-card questions need (a shape id, its z-order index and some props). */
export interface CardSummary {
	id: string;
	/** tldraw's fractional index; writers add new cards above the rest, so it follows arrival. */
	index: string;
	props: Pick<MessageCardProps, 'conversationId' | 'messageId' | 'retryOf' | 'toolCallId' | 'toolCalls' | 'toolResults' | 'text'>;
}

/** Where a card stands among the attempts at one message: the original and its retries. */
export interface RetryPosition {
	/** 1-based, the original first. */
	position: number;
	count: number;
	isRetry: boolean;
	/** Shape ids of the attempt before and after this one, in order (none at the ends). */
	previousId: string | null;
	nextId: string | null;
}

/**
 * The attempts `cardId` belongs to, or null when it is the only one. A retry names the message it
 * retries (`retryOf`), possibly itself a retry: every attempt is grouped under the first one in the
 * chain. The original comes first, retries in arrival order (index, then message id). A retry whose
 * original has no card (deleted) still groups with the other retries of it.
 */
export function retryPosition(cards: readonly CardSummary[], cardId: string): RetryPosition | null {
	const card = cards.find((candidate) => candidate.id === cardId);
	if (!card) return null;
	const conversation = cards.filter((candidate) => candidate.props.conversationId === card.props.conversationId);
	const byMessage = new Map(conversation.map((candidate) => [candidate.props.messageId, candidate]));
	// The first message of the chain; the props are anyone's to write, so a loop has a root too (its least id).
	const rootOf = (start: CardSummary): string => {
		const chain = [start.props.messageId];
		for (let next = start.props.retryOf; next; next = byMessage.get(next)?.props.retryOf ?? '') {
			const looped = chain.indexOf(next);
			if (looped >= 0) return chain.slice(looped).sort(compareText)[0];
			chain.push(next);
		}
		return chain[chain.length - 1];
	};
	const root = rootOf(card);
	const attempts = conversation.filter((candidate) => rootOf(candidate) === root);
	if (attempts.length < 2) return null;
	attempts.sort((a, b) => originalFirst(a, b, root) || compareText(a.index, b.index) || compareText(a.props.messageId, b.props.messageId));
	const at = attempts.indexOf(card);
	return {
		position: at + 1,
		count: attempts.length,
		isRetry: card.props.messageId !== root,
		previousId: attempts[at - 1]?.id ?? null,
		nextId: attempts[at + 1]?.id ?? null
	};
}

function originalFirst(a: CardSummary, b: CardSummary, root: string): number {
	return Number(b.props.messageId === root) - Number(a.props.messageId === root);
}

/** How the card's retry switch reads: "Retry 1 of 2" on the first of two retries, "Original · 2 retries" on the message they retry. */
export function retryLabel({ position, count, isRetry }: RetryPosition): string {
	const retries = count - 1;
	return isRetry ? `Retry ${position - 1} of ${retries}` : `Original · ${retries} ${retries === 1 ? 'retry' : 'retries'}`;
}

/** The call a tool message answers: the card that made it and the tool's name, when that card is here. */
export function answeredCall(cards: readonly CardSummary[], conversationId: string, toolCallId: string): { cardId: string; name: string } | null {
	if (!toolCallId) return null;
	for (const card of cards) {
		if (card.props.conversationId !== conversationId) continue;
		const call = card.props.toolCalls.find((candidate) => candidate.id === toolCallId);
		if (call) return { cardId: card.id, name: call.name };
	}
	return null;
}

/** A tool call's outcome: on the calling card once the writer filled it in, else from the message answering it. */
export interface ToolCallOutcome {
	result: string | null;
	isError: boolean;
	/** The card of the message answering it (an OpenAI tool message, or one carrying a `tool_result` block), if any. */
	answerCardId: string | null;
}

export function toolCallOutcome(cards: readonly CardSummary[], conversationId: string, call: MessageCardToolCall): ToolCallOutcome {
	let answer: { cardId: string; result: string; isError: boolean } | null = null;
	for (const card of cards) {
		if (card.props.conversationId !== conversationId) continue;
		if (card.props.toolCallId === call.id) answer = { cardId: card.id, result: card.props.text, isError: false };
		const block = card.props.toolResults.find((result) => result.toolCallId === call.id);
		if (block) answer = { cardId: card.id, result: block.content, isError: block.isError };
		if (answer) break;
	}
	if (call.result !== null) return { result: call.result, isError: call.isError, answerCardId: answer?.cardId ?? null };
	return { result: answer?.result ?? null, isError: answer?.isError ?? call.isError, answerCardId: answer?.cardId ?? null };
}

/** JSON text indented for reading; anything that is not JSON comes back as it was. */
export function prettyJson(text: string): { text: string; isJson: boolean } {
	const trimmed = text.trim();
	if (!trimmed || !'{["'.includes(trimmed[0])) return { text, isJson: false };
	try {
		return { text: JSON.stringify(JSON.parse(trimmed), null, 2), isJson: true };
	} catch {
		return { text, isJson: false };
	}
}

/** JSON text on one line with its outer braces dropped (`city: "Paris", unit: "celsius"`), for a collapsed call; other text as it was, on one line. */
export function compactJson(text: string): string {
	try {
		const value: unknown = JSON.parse(text);
		if (value && typeof value === 'object' && !Array.isArray(value)) {
			return Object.entries(value)
				.map(([key, entry]) => `${key}: ${JSON.stringify(entry)}`)
				.join(', ');
		}
		return JSON.stringify(value);
	} catch {
		return text.replace(/\s+/g, ' ').trim();
	}
}

const COUNT = new Intl.NumberFormat('en-US');

/** The footer's figures, each only when the program gave it: "1,234 in · 567 out · 1.2 s · $0.0031". */
export function usageFigures(props: Pick<MessageCardProps, 'inputTokens' | 'outputTokens' | 'latencyMs' | 'costUsd'>): string[] {
	const figures: string[] = [];
	if (props.inputTokens !== null) figures.push(`${COUNT.format(props.inputTokens)} in`);
	if (props.outputTokens !== null) figures.push(`${COUNT.format(props.outputTokens)} out`);
	if (props.latencyMs !== null) figures.push(formatLatency(props.latencyMs));
	if (props.costUsd !== null) figures.push(formatCost(props.costUsd));
	return figures;
}

export function formatLatency(ms: number): string {
	if (ms < 1000) return `${Math.round(ms)} ms`;
	if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
	const minutes = Math.floor(ms / 60_000);
	return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Dollars with enough digits that a fraction of a cent still shows (token prices are that small). */
export function formatCost(usd: number): string {
	if (usd === 0) return '$0';
	if (usd >= 1) return `$${usd.toFixed(2)}`;
	if (usd >= 0.01) return `$${usd.toFixed(3)}`;
	return `$${Number(usd.toPrecision(2)).toFixed(Math.min(8, 1 - Math.floor(Math.log10(usd))))}`;
}

/**
 * How a card's image may be shown: a stored one through its tldraw asset record (resolved by the
 * canvas's asset store, so share-link guests and exports see it too), or a program's link, never
 * loaded (the page may not fetch it, and a program should not learn who looks at its canvas): shown
 * as a link instead.
 */
export function cardImageKind(image: MessageCardImage): 'stored' | 'remote' | 'unusable' {
	if (image.assetId.startsWith('asset:')) return 'stored';
	return /^https?:\/\//i.test(image.url) ? 'remote' : 'unusable';
}

/** The short form of a provider's call id shown beside a tool's name (`call_8f2a…`). */
export function shortCallId(id: string): string {
	return id.length > 14 ? `${id.slice(0, 12)}…` : id;
}

function compareText(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}
