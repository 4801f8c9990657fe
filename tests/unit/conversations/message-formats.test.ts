// Both message formats, as programs send them, come out as one message model; what Easel does
// not show is kept by its type; mistakes are refused naming where they are.
import { describe, expect, it } from 'vitest';
import { appendMessageRequest, ingestConversationRequest } from '../../../src/lib/server/conversations/api-schemas.ts';
import { conversationInputError } from '../../../src/lib/server/conversations/input-errors.ts';
import { normalizeMessage, normalizeUsage, normalizeWireMessage, systemText, wireMessageSchema } from '../../../src/lib/server/conversations/message-formats.ts';
import { codePoints, messageChars } from '../../../src/lib/server/conversations/message-limits.ts';

const wire = (message: unknown) => normalizeWireMessage(wireMessageSchema.parse(message), 'messages.0');
const problem = (schema: { safeParse(value: unknown): { success: boolean; error?: unknown } }, value: unknown) => {
	const parsed = schema.safeParse(value);
	if (parsed.success) throw new Error('expected a refusal');
	return conversationInputError(parsed.error as never).message;
};

describe('OpenAI chat messages', () => {
	it('reads text parts, images (inline and linked), tool calls and tool results', () => {
		expect(
			wire({
				role: 'user',
				content: [
					{ type: 'text', text: 'a' },
					{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
					{ type: 'text', text: 'b' }
				]
			})
		).toMatchObject({
			role: 'user',
			text: 'a\n\nb',
			parts: [{ type: 'image', image: { kind: 'inline', base64: 'AAAA', mediaType: 'image/png' }, path: 'messages.0.content.1.image_url' }],
			status: 'complete'
		});
		expect(wire({ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'high' } }] }).parts).toEqual([
			{ type: 'image', image: { kind: 'link', url: 'https://example.com/a.png' }, path: 'messages.0.content.0.image_url' }
		]);
		expect(
			wire({ role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'search', arguments: '{"q":"x"}' } }] })
		).toMatchObject({ text: '', toolCalls: [{ id: 'call_1', name: 'search', arguments: '{"q":"x"}' }], status: 'complete' });
		expect(wire({ role: 'tool', tool_call_id: 'call_1', content: '{"hits":3}' })).toMatchObject({ role: 'tool', toolCallId: 'call_1', text: '{"hits":3}' });
		expect(wire({ role: 'developer', content: 'Be brief.', name: ' ops ' })).toMatchObject({ role: 'developer', text: 'Be brief.', name: 'ops' });
		expect(wire({ role: 'assistant', content: [{ type: 'refusal', refusal: 'I cannot help with that.' }] }).text).toBe('I cannot help with that.');
		expect(wire({ role: 'assistant', content: null, refusal: 'No.' }).text).toBe('No.');
	});

	it('keeps content types it does not show (audio, files) by their type', () => {
		expect(
			wire({
				role: 'user',
				content: [
					{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } },
					{ type: 'file', file: { file_id: 'f' } }
				]
			}).parts
		).toEqual([
			{ type: 'unsupported', originalType: 'input_audio' },
			{ type: 'unsupported', originalType: 'file' }
		]);
	});

	it('refuses a tool message without the call it answers, and one call id used twice', () => {
		expect(() => wire({ role: 'tool', content: 'x' })).toThrow('messages.0.tool_call_id: a tool message must name the call it answers');
		const call = { id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } };
		expect(() => wire({ role: 'assistant', tool_calls: [call, call] })).toThrow('messages.0.tool_calls.1.id: the tool call id "c" is used twice');
	});
});

describe('Anthropic messages', () => {
	it('reads text, base64 and url images, tool_use and tool_result blocks, thinking', () => {
		const message = wire({
			role: 'assistant',
			content: [
				{ type: 'thinking', thinking: 'hmm', signature: 's' },
				{ type: 'redacted_thinking', data: 'zzz' },
				{ type: 'text', text: 'Searching.', citations: null },
				{ type: 'tool_use', id: 'toolu_1', name: 'search', input: { q: 'x' } }
			],
			model: 'claude',
			usage: { input_tokens: 10, output_tokens: 2, cache_read_input_tokens: 5 }
		});
		expect(message).toMatchObject({
			text: 'Searching.',
			parts: [{ type: 'thinking', text: 'hmm' }, { type: 'redacted_thinking' }],
			toolCalls: [{ id: 'toolu_1', name: 'search', arguments: '{"q":"x"}' }],
			model: 'claude',
			usage: { inputTokens: 10, outputTokens: 2, costUsd: null }
		});
		const results = wire({
			role: 'user',
			content: [
				{
					type: 'tool_result',
					tool_use_id: 'toolu_1',
					content: [
						{ type: 'text', text: 'one' },
						{ type: 'image', source: { type: 'url', url: 'https://example.com/r.png' } }
					],
					is_error: true
				},
				{ type: 'tool_result', tool_use_id: 'toolu_2', content: 'two' },
				{ type: 'image', source: { type: 'base64', media_type: 'IMAGE/JPEG', data: 'AAAA' } }
			]
		});
		expect(results.parts).toEqual([
			{ type: 'tool_result', toolCallId: 'toolu_1', content: 'one', isError: true },
			{ type: 'image', image: { kind: 'link', url: 'https://example.com/r.png' }, path: 'messages.0.content.0.content.1.source' },
			{ type: 'tool_result', toolCallId: 'toolu_2', content: 'two', isError: false },
			{ type: 'image', image: { kind: 'inline', base64: 'AAAA', mediaType: 'image/jpeg' }, path: 'messages.0.content.2.source' }
		]);
	});

	it('takes the top-level system as text or text blocks', () => {
		expect(systemText('Be kind.')).toBe('Be kind.');
		expect(systemText([{ type: 'text', text: 'One' }, { type: 'text', text: 'Two', cache_control: { type: 'ephemeral' } } as never])).toBe('One\n\nTwo');
		expect(systemText(undefined)).toBeNull();
	});

	it('refuses images held in the Files API (Easel cannot read them)', () => {
		expect(() => wire({ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'file_1' } }] })).toThrow('messages.0.content.0.source.file_id:');
	});
});

describe('one model for both', () => {
	it('reads usage under every accepted name, plus cost', () => {
		expect(normalizeUsage({ prompt_tokens: 1, completion_tokens: 2 })).toEqual({ inputTokens: 1, outputTokens: 2, costUsd: null });
		expect(normalizeUsage({ input_tokens: 3, output_tokens: 4 })).toEqual({ inputTokens: 3, outputTokens: 4, costUsd: null });
		expect(normalizeUsage({ inputTokens: 5, outputTokens: 6, cost: 0.5 })).toEqual({ inputTokens: 5, outputTokens: 6, costUsd: 0.5 });
		expect(normalizeUsage({ costUsd: 0.1 }, 0.2)).toEqual({ inputTokens: null, outputTokens: null, costUsd: 0.2 });
		expect(normalizeUsage({})).toBeNull();
	});

	it('makes a message with nothing in it one to stream into, unless told otherwise', () => {
		expect(normalizeMessage({ role: 'assistant' }, '').status).toBe('streaming');
		expect(normalizeMessage({ role: 'assistant', content: '' }, '').status).toBe('streaming');
		expect(normalizeMessage({ role: 'assistant', content: 'Hi' }, '').status).toBe('complete');
		expect(normalizeMessage({ role: 'assistant', content: 'Hi', status: 'streaming' }, '').status).toBe('streaming');
		expect(normalizeMessage({ role: 'assistant', toolCalls: [{ id: 'c', name: 'f', arguments: { a: 1 } }] }, '').toolCalls).toEqual([
			{ id: 'c', name: 'f', arguments: '{"a":1}' }
		]);
	});

	it('refuses schema mistakes naming the deepest place in the body', () => {
		expect(problem(ingestConversationRequest, { messages: [{ role: 'user', content: [{ type: 'text', text: 1 }] }] })).toMatch(/^messages\.0\.content\.0\.text: /);
		expect(problem(ingestConversationRequest, { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { detail: 'low' } }] }] })).toMatch(
			/^messages\.0\.content\.0\.image_url\.url: /
		);
		expect(problem(ingestConversationRequest, { messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'x', name: '' }] }] })).toMatch(
			/^messages\.0\.content\.0\.name: /
		);
		expect(problem(ingestConversationRequest, { messages: [{ role: 'user', content: true }] })).toBe(
			'messages.0.content: content must be text or an array of content parts'
		);
		expect(problem(appendMessageRequest, { role: 'user', retryOf: 'x' })).toBe('retryOf: must be a message id (a UUID)');
		expect(problem(ingestConversationRequest, {})).toMatch(/^messages: /);
	});

	it('counts characters as PostgreSQL does (code points), tool calls and results included', () => {
		expect(codePoints('a😀b')).toBe(3);
		expect(
			messageChars({
				text: 'abc',
				toolCalls: [{ id: 'c', name: 'fn', arguments: '{}' }],
				parts: [{ type: 'tool_result', toolCallId: 'c', content: 'xyz', isError: false }]
			})
		).toBe(3 + 2 + 2 + 3);
	});
});
