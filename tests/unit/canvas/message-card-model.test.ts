// What a message card works out from the cards around it: retry sets and the switch's label, the call
// a tool message answers, a call's result, and the figures and sources it shows.
import { describe, expect, it } from 'vitest';
import {
	answeredCall,
	cardImageKind,
	compactJson,
	formatCost,
	formatLatency,
	prettyJson,
	retryLabel,
	retryPosition,
	toolCallOutcome,
	usageFigures,
	type CardSummary
} from '../../../src/lib/canvas/message-card/card-model.ts';
import { messageCardProps, toolCall, type CardProps } from '../../helpers/message-cards.ts';

function card(id: string, index: string, props: CardProps): CardSummary {
	return { id, index, props: messageCardProps(props) };
}

describe('retryPosition', () => {
	const original = card('shape:a', 'a1', { messageId: 'a' });
	const firstRetry = card('shape:b', 'a3', { messageId: 'b', retryOf: 'a' });
	// A retry of the retry belongs to the same set; it arrived last (highest index).
	const secondRetry = card('shape:c', 'a5', { messageId: 'c', retryOf: 'b' });
	const unrelated = card('shape:d', 'a2', { messageId: 'd' });
	const otherConversation = card('shape:e', 'a4', { messageId: 'e', retryOf: 'a', conversationId: 'other' });
	const cards = [secondRetry, unrelated, firstRetry, otherConversation, original];

	it('orders the original first, then retries in arrival order, within one conversation', () => {
		expect(retryPosition(cards, 'shape:a')).toEqual({ position: 1, count: 3, isRetry: false, previousId: null, nextId: 'shape:b' });
		expect(retryPosition(cards, 'shape:b')).toEqual({ position: 2, count: 3, isRetry: true, previousId: 'shape:a', nextId: 'shape:c' });
		expect(retryPosition(cards, 'shape:c')).toEqual({ position: 3, count: 3, isRetry: true, previousId: 'shape:b', nextId: null });
	});

	it('is null for a message nobody retried, and for an unknown card', () => {
		expect(retryPosition(cards, 'shape:d')).toBeNull();
		expect(retryPosition(cards, 'shape:e')).toBeNull();
		expect(retryPosition(cards, 'shape:missing')).toBeNull();
	});

	it('keeps retries together when the original card is gone, and survives a retryOf loop', () => {
		const orphans = [card('shape:x', 'a1', { messageId: 'x', retryOf: 'gone' }), card('shape:y', 'a2', { messageId: 'y', retryOf: 'gone' })];
		expect(retryPosition(orphans, 'shape:y')).toMatchObject({ position: 2, count: 2, isRetry: true, previousId: 'shape:x' });
		const loop = [card('shape:p', 'a1', { messageId: 'p', retryOf: 'q' }), card('shape:q', 'a2', { messageId: 'q', retryOf: 'p' })];
		expect(retryPosition(loop, 'shape:p')?.count).toBe(2);
	});

	it('labels the switch by retry', () => {
		expect(retryLabel({ position: 1, count: 3, isRetry: false, previousId: null, nextId: 'b' })).toBe('Original · 2 retries');
		expect(retryLabel({ position: 1, count: 2, isRetry: false, previousId: null, nextId: 'b' })).toBe('Original · 1 retry');
		expect(retryLabel({ position: 3, count: 3, isRetry: true, previousId: 'b', nextId: null })).toBe('Retry 2 of 2');
	});
});

describe('tool calls across cards', () => {
	const caller = card('shape:call', 'a1', { messageId: 'm1', toolCalls: [toolCall('call_1', 'get_weather', { city: 'Paris' }), toolCall('call_2', 'search', {}, '[]')] });
	const answer = card('shape:answer', 'a2', { messageId: 'm2', role: 'tool', toolCallId: 'call_1', text: '{"temp":21}' });

	it('finds the call a tool message answers, by id within the conversation', () => {
		expect(answeredCall([caller, answer], 'conversation-1', 'call_1')).toEqual({ cardId: 'shape:call', name: 'get_weather' });
		expect(answeredCall([caller, answer], 'other', 'call_1')).toBeNull();
		expect(answeredCall([caller, answer], 'conversation-1', '')).toBeNull();
	});

	it('takes a result from a tool_result block of a later message, with its error', () => {
		const blocks = card('shape:blocks', 'a3', { messageId: 'm3', role: 'user', toolResults: [{ toolCallId: 'call_1', content: 'quota exceeded', isError: true }] });
		expect(toolCallOutcome([caller, blocks], 'conversation-1', caller.props.toolCalls[0])).toEqual({
			result: 'quota exceeded',
			isError: true,
			answerCardId: 'shape:blocks'
		});
	});

	it("prefers the result on the calling card, else the answering tool message's text, else waits", () => {
		expect(toolCallOutcome([caller, answer], 'conversation-1', caller.props.toolCalls[1])).toEqual({ result: '[]', isError: false, answerCardId: null });
		expect(toolCallOutcome([caller, answer], 'conversation-1', caller.props.toolCalls[0])).toEqual({
			result: '{"temp":21}',
			isError: false,
			answerCardId: 'shape:answer'
		});
		expect(toolCallOutcome([caller], 'conversation-1', caller.props.toolCalls[0])).toEqual({ result: null, isError: false, answerCardId: null });
	});
});

describe('what a card shows', () => {
	it('indents JSON and leaves anything else alone', () => {
		expect(prettyJson('{"city":"Paris","days":[1,2]}')).toEqual({ text: '{\n  "city": "Paris",\n  "days": [\n    1,\n    2\n  ]\n}', isJson: true });
		expect(prettyJson('{"broken":')).toEqual({ text: '{"broken":', isJson: false });
		expect(prettyJson('sunny, 21°C')).toEqual({ text: 'sunny, 21°C', isJson: false });
		expect(prettyJson('42')).toEqual({ text: '42', isJson: false });
	});

	it('puts arguments on one line for a collapsed call', () => {
		expect(compactJson('{"city": "Paris",\n "days": [1, 2]}')).toBe('city: "Paris", days: [1,2]');
		expect(compactJson('[1, 2]')).toBe('[1,2]');
		expect(compactJson('not\n  json')).toBe('not json');
	});

	it('lists only the figures the program gave', () => {
		expect(usageFigures({ inputTokens: 1234, outputTokens: 56, latencyMs: 1250, costUsd: 0.00312 })).toEqual(['1,234 in', '56 out', '1.25 s', '$0.0031']);
		expect(usageFigures({ inputTokens: null, outputTokens: 0, latencyMs: null, costUsd: null })).toEqual(['0 out']);
		expect(usageFigures({ inputTokens: null, outputTokens: null, latencyMs: null, costUsd: null })).toEqual([]);
	});

	it('formats latency and cost at every scale', () => {
		expect([formatLatency(840), formatLatency(12_400), formatLatency(125_000)]).toEqual(['840 ms', '12.4 s', '2 min 5 s']);
		expect([formatCost(0), formatCost(2.5), formatCost(0.042), formatCost(0.000012)]).toEqual(['$0', '$2.50', '$0.042', '$0.000012']);
	});

	it('loads stored images only; a link stays a link', () => {
		expect(cardImageKind({ assetId: 'asset:0b7a6f1e-5b8e-4f61-9a56-2a3c4d5e6f70', url: '' })).toBe('stored');
		expect(cardImageKind({ assetId: '', url: 'https://tracker.example/pixel.png' })).toBe('remote');
		expect(cardImageKind({ assetId: '', url: 'javascript:alert(1)' })).toBe('unusable');
		expect(cardImageKind({ assetId: '', url: '' })).toBe('unusable');
	});
});
