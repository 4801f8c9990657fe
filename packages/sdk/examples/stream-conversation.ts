// An agent turn mirrored onto a canvas: the conversation with a tool call is pushed, then the answer streams in token by token.
//
// The model is simulated (no network but Easel's); with the OpenAI SDK, pass an async generator of
// `chunk.choices[0]?.delta?.content ?? ''` to streamResponse instead.
//
//     EASEL_URL=http://localhost:5173 EASEL_API_KEY=easel_... EASEL_CANVAS_ID=<uuid> node packages/sdk/examples/stream-conversation.ts
import { createEasel } from '../src/index.ts';

const easel = createEasel({ baseUrl: requiredEnv('EASEL_URL'), token: requiredEnv('EASEL_API_KEY') });
const canvasId = requiredEnv('EASEL_CANVAS_ID');

const answer = 'The build failed in **lint**: `src/app.ts` has an unused import. Remove it and push again.';

/** Yields the answer a few characters at a time, like a streaming model. */
async function* fakeModelStream(text: string): AsyncGenerator<string> {
	for (let start = 0; start < text.length; start += 5) {
		await new Promise((resolve) => setTimeout(resolve, 10));
		yield text.slice(start, start + 5);
	}
}

const conversation = await easel.conversations.push(canvasId, {
	externalId: `sdk-example-ci-${Date.now()}`,
	title: 'CI assistant',
	messages: [
		{ role: 'system', content: 'You help with failing builds. Use tools for facts.' },
		{ role: 'user', content: 'Why did the last build fail?' },
		{
			role: 'assistant',
			content: null,
			tool_calls: [{ id: 'call_build_1', type: 'function', function: { name: 'get_build_log', arguments: JSON.stringify({ build: 'latest' }) } }]
		},
		{ role: 'tool', tool_call_id: 'call_build_1', content: JSON.stringify({ step: 'lint', error: "'fs' is defined but never used (src/app.ts:1)" }) }
	]
});

// An empty assistant message is open for streaming; everyone on the canvas sees its text grow.
const started = Date.now();
const message = await easel.conversations.append(conversation.id, { role: 'assistant', model: 'gpt-4o-mini', status: 'streaming' });
const streamed = await easel.conversations.streamResponse(conversation.id, message.id, fakeModelStream(answer));
const completed = await easel.conversations.complete(conversation.id, message.id, {
	usage: { prompt_tokens: 120, completion_tokens: 24 },
	latencyMs: Date.now() - started
});

console.log(`streamed ${streamed.textLength} characters; the message is ${completed.status}`);
console.log(JSON.stringify({ conversationId: conversation.id, messageIds: conversation.messageIds, answerId: completed.id }));

function requiredEnv(name: string): string {
	const value = process.env[name];
	if (!value) throw new Error(`Set ${name} (see the comment at the top of this file).`);
	return value;
}
