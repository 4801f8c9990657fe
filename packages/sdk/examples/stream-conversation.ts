// Pushes an OpenAI-format conversation with a tool call onto a canvas, then streams the model's
// answer delta by delta while anyone with the canvas open watches it grow.
//
//   EASEL_URL=http://localhost:5173 EASEL_API_KEY=easel_… EASEL_CANVAS_ID=<uuid> node examples/stream-conversation.ts
import { createEasel } from '@easel/sdk';

const easel = createEasel({ baseUrl: process.env.EASEL_URL!, token: process.env.EASEL_API_KEY! });
const canvasId = process.env.EASEL_CANVAS_ID!;

const conversation = await easel.conversations.create(canvasId, {
	externalId: 'sdk-example-weather',
	title: 'Weather agent (SDK example)',
	messages: [
		{ role: 'system', content: 'You are a travel assistant.' },
		{ role: 'user', content: 'Do I need an umbrella in Lisbon today?' },
		{
			role: 'assistant',
			content: null,
			tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: JSON.stringify({ city: 'Lisbon' }) } }]
		},
		{ role: 'tool', tool_call_id: 'call_1', content: JSON.stringify({ forecast: 'rain', high_c: 17 }) }
	]
});

/** Stands in for a model's stream (e.g. the AI SDK's `result.textStream`). */
async function* modelStream(text: string) {
	for (const word of text.split(/(?<= )/)) {
		await new Promise((resolve) => setTimeout(resolve, 5));
		yield word;
	}
}

const answer = await easel.conversations.streamResponse(
	conversation.id,
	{ parentId: conversation.messageIds.at(-1)!, model: 'gpt-4o-mini' },
	modelStream('Yes: rain all day in **Lisbon**, with a high of 17 °C. Take an umbrella.'),
	{ usage: { inputTokens: 120, outputTokens: 19 } }
);
console.log(JSON.stringify({ conversationId: conversation.id, answerId: answer.id }));
