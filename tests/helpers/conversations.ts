// Conversations as programs push them (an OpenAI chat and an Anthropic one, each with a tool call
// and pictures), and the records the canvas shows for them.
import { png } from './images.ts';
import { api, type ApiBody } from './clients.ts';

export const PNG_BASE64 = Buffer.from(png(3, 2)).toString('base64');
export const REMOTE_IMAGE = 'https://images.example.com/paris-sky.png';

/** An OpenAI chat: system, a user turn with a picture inline and one linked, a tool call, its result, the answer. */
export function openAiConversation() {
	return [
		{ role: 'system', content: 'You are a weather assistant.' },
		{
			role: 'user',
			name: 'ada',
			content: [
				{ type: 'text', text: 'What is the weather in Paris? Here is the sky.' },
				{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
				{ type: 'image_url', image_url: { url: REMOTE_IMAGE, detail: 'low' } }
			]
		},
		{ role: 'assistant', content: null, tool_calls: [{ id: 'call_weather', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
		{ role: 'tool', tool_call_id: 'call_weather', content: '{"temperature":21,"sky":"clear"}' },
		{ role: 'assistant', content: 'It is **21 °C** and clear in Paris.', model: 'gpt-4o-mini', usage: { prompt_tokens: 120, completion_tokens: 14 } }
	];
}

/** An Anthropic conversation: a picture as base64, a tool_use block and its tool_result in the next user turn. */
export function anthropicConversation() {
	return {
		system: [{ type: 'text', text: 'You are a careful travel agent.' }],
		messages: [
			{
				role: 'user',
				content: [
					{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
					{ type: 'text', text: 'Book me the train to the city in this picture.' }
				]
			},
			{
				role: 'assistant',
				content: [
					{ type: 'thinking', thinking: 'The picture shows Lyon.', signature: 'sig' },
					{ type: 'text', text: 'Let me look for trains.' },
					{ type: 'tool_use', id: 'toolu_trains', name: 'search_trains', input: { to: 'Lyon', date: '2026-12-24' } }
				],
				model: 'claude-sonnet-4-5',
				usage: { input_tokens: 300, output_tokens: 40 }
			},
			{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_trains', content: [{ type: 'text', text: '08:04 TGV 6601' }], is_error: false }] },
			{ role: 'assistant', content: 'The 08:04 TGV 6601 is booked.' }
		]
	};
}

export interface CanvasRecords {
	records: Record<string, ApiBody>;
}

/** What the canvas holds now, as collaborators see it. */
export async function canvasRecords(baseUrl: string, token: string, canvasId: string): Promise<Record<string, ApiBody>> {
	const { status, body } = await api(baseUrl, `/api/v1/canvases/${canvasId}/document`, { token });
	if (status !== 200) throw new Error(`reading the canvas failed: ${status} ${JSON.stringify(body)}`);
	return body.records;
}

export const cardId = (messageId: string) => `shape:message-${messageId}`;
export const frameId = (conversationId: string) => `shape:conversation-${conversationId}`;

/** The message cards among `records`, by message id. */
export function cardsOf(records: Record<string, ApiBody>): Map<string, ApiBody> {
	return new Map(
		Object.values(records)
			.filter((record) => record.typeName === 'shape' && record.type === 'conversation-message')
			.map((record) => [record.props.messageId as string, record])
	);
}

/** The arrows bound at both ends, as [from shape, to shape] pairs. */
export function boundArrows(records: Record<string, ApiBody>): [string, string][] {
	const bindings = Object.values(records).filter((record) => record.typeName === 'binding' && record.type === 'arrow');
	return Object.values(records)
		.filter((record) => record.typeName === 'shape' && record.type === 'arrow')
		.map((arrow) => {
			const end = (terminal: string) => bindings.find((binding) => binding.fromId === arrow.id && binding.props.terminal === terminal)?.toId;
			return [end('start'), end('end')] as [string, string];
		})
		.filter(([from, to]) => from && to);
}

/** A card's box on the page (cards sit in their conversation's frame). */
export function pageBox(records: Record<string, ApiBody>, shape: ApiBody): { x: number; y: number; w: number; h: number } {
	const parent = records[shape.parentId];
	const origin = parent?.typeName === 'shape' ? { x: parent.x, y: parent.y } : { x: 0, y: 0 };
	return { x: origin.x + shape.x, y: origin.y + shape.y, w: shape.props.w, h: shape.props.h };
}

export function overlap(a: { x: number; y: number; w: number; h: number }, b: { x: number; y: number; w: number; h: number }): boolean {
	return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}
