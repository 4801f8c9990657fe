// What a message's card shows: its props validate as the canvas's shape, tool results come from
// the answer on the card's own branch, and its height follows its content within bounds.
import { describe, expect, it } from 'vitest';
import { tldrawSchema } from '../../../src/lib/server/canvas-records.ts';
import { MAX_CARD_HEIGHT, MIN_CARD_HEIGHT, TOOL_DETAILS_HEIGHT, messageCardProps, toolResultsByMessage } from '../../../src/lib/server/conversations/message-cards.ts';
import type { MessageRow } from '../../../src/lib/server/conversations/message-rows.ts';

let seq = 0;
function row(id: string, parentId: string | null, fields: Partial<MessageRow> = {}): MessageRow {
	return {
		id,
		conversationId: 'c0000000-0000-4000-8000-000000000000',
		parentId,
		retryOf: null,
		seq: ++seq,
		role: 'user',
		content: { parts: [], toolCalls: [], toolCallId: null },
		text: '',
		model: null,
		name: null,
		usage: null,
		latencyMs: null,
		status: 'complete',
		createdAt: new Date(),
		completedAt: new Date(),
		...fields
	};
}

const call = (id: string) => ({ parts: [], toolCalls: [{ id, name: 'lookup', arguments: '{}' }], toolCallId: null });

describe('message cards', () => {
	it('show a tool call’s result from the answer on their own branch, not from a retry’s', () => {
		const rows = [
			row('q', null, { text: 'Find it' }),
			row('a', 'q', { role: 'assistant', content: call('call_1') }),
			row('t', 'a', { role: 'tool', text: 'found', content: { parts: [], toolCalls: [], toolCallId: 'call_1' } }),
			row('retry', 'q', { role: 'assistant', content: call('call_1'), retryOf: 'a' }),
			row('t2', 'retry', {
				role: 'user',
				content: { parts: [{ type: 'tool_result', toolCallId: 'call_1', content: 'failed', isError: true }], toolCalls: [], toolCallId: null }
			})
		];
		const results = toolResultsByMessage(rows);
		expect(messageCardProps(rows[1], results.get('a')).toolCalls).toEqual([{ id: 'call_1', name: 'lookup', arguments: '{}', result: 'found', isError: false }]);
		const retry = messageCardProps(rows[3], results.get('retry'));
		expect(retry.toolCalls[0]).toMatchObject({ result: 'failed', isError: true });
		expect(retry.retryOf).toBe('a');
		expect(messageCardProps(rows[4], results.get('t2')).toolResults).toEqual([{ toolCallId: 'call_1', content: 'failed', isError: true }]);
		expect(messageCardProps(row('lonely', null, { role: 'assistant', content: call('call_9') }), undefined).toolCalls[0].result).toBeNull();
	});

	it('are valid records of the canvas schema, with developer messages shown as system', () => {
		const props = messageCardProps(
			row('d', null, {
				role: 'developer',
				text: 'Rules',
				usage: { inputTokens: 3, costUsd: 0.01 },
				latencyMs: 20,
				content: { parts: [{ type: 'image', image: { url: 'https://example.com/x.png' } }], toolCalls: [], toolCallId: null }
			}),
			undefined
		);
		expect(props).toMatchObject({ role: 'system', inputTokens: 3, outputTokens: null, costUsd: 0.01, images: [{ assetId: '', url: 'https://example.com/x.png' }] });
		const record = {
			id: 'shape:message-d',
			typeName: 'shape',
			type: 'conversation-message',
			x: 0,
			y: 0,
			rotation: 0,
			index: 'a1',
			parentId: 'page:page',
			isLocked: false,
			opacity: 1,
			meta: {},
			props
		};
		expect(() => tldrawSchema.validateRecord(null as never, record as never, 'createRecord', null)).not.toThrow();
	});

	it('grow with their text and tool calls, between a floor and a cap (longer ones scroll inside)', () => {
		const short = messageCardProps(row('s', null, { text: 'Hi' }), undefined).h;
		const longer = messageCardProps(row('l', null, { text: 'word '.repeat(200) }), undefined).h;
		const calls = messageCardProps(row('c', null, { text: 'Hi', content: call('x') }), undefined).h;
		const huge = messageCardProps(row('h', null, { text: 'x\n'.repeat(5000) }), undefined).h;
		expect(short).toBe(MIN_CARD_HEIGHT);
		expect(longer).toBeGreaterThan(short);
		// A card with a tool call keeps room to open it, arguments and result, without scrolling.
		expect(calls).toBeGreaterThanOrEqual(short + TOOL_DETAILS_HEIGHT);
		expect(huge).toBe(MAX_CARD_HEIGHT);
	});
});
