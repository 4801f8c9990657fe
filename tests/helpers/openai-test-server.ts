// A local server speaking OpenAI's chat completions protocol (POST /v1/chat/completions, streamed as
// server-sent events or as one JSON body, and GET /v1/models), checked against what
// @ai-sdk/openai's `.chat()` and @ai-sdk/openai-compatible send and parse. Scripted through
// ai-test-server.ts; Ollama, vLLM, Groq and LM Studio speak this same protocol.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
	contentText,
	nextId,
	splitIntoPieces,
	startAiTestServer,
	TOOL_ARGUMENT_CHUNK_SIZE,
	type AiTestServer,
	type AiTestServerOptions,
	type Answer,
	type ParsedGeneration,
	type Protocol,
	type SseWriter,
	type WireJson
} from './ai-test-server.ts';

export type { AiTestServer, AiTestServerOptions, ReplyRule, ScriptedReply, RecordedRequest } from './ai-test-server.ts';

interface OpenAiMessage {
	role: string;
	content?: unknown;
}

function sendJson(response: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
	response.writeHead(status, { 'content-type': 'application/json', 'x-request-id': nextId('req_'), ...headers });
	response.end(JSON.stringify(payload));
}

const ERROR_TYPES: Record<number, { type: string; code: string | null }> = {
	400: { type: 'invalid_request_error', code: null },
	401: { type: 'invalid_request_error', code: 'invalid_api_key' },
	403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory' },
	404: { type: 'invalid_request_error', code: 'model_not_found' },
	429: { type: 'requests', code: 'rate_limit_exceeded' },
	500: { type: 'server_error', code: null },
	503: { type: 'server_error', code: null }
};

function usageOf(answer: Answer) {
	return { prompt_tokens: answer.inputTokens, completion_tokens: answer.outputTokens, total_tokens: answer.inputTokens + answer.outputTokens };
}

export const openAiProtocol: Protocol = {
	toolCallIdPrefix: 'call_',
	generationPath: '/v1/chat/completions',

	apiKey(request: IncomingMessage) {
		const header = request.headers.authorization;
		return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
	},

	parse(body: WireJson): ParsedGeneration {
		const messages: OpenAiMessage[] = Array.isArray(body?.messages) ? body.messages : [];
		const lastUser = messages.findLastIndex((message) => message.role === 'user');
		return {
			model: typeof body?.model === 'string' ? body.model : undefined,
			stream: body?.stream === true,
			includeUsage: body?.stream_options?.include_usage === true,
			system: messages
				.filter((message) => message.role === 'system' || message.role === 'developer')
				.map((message) => contentText(message.content))
				.join('\n'),
			lastUserText: lastUser >= 0 ? contentText(messages[lastUser].content) : '',
			toolNames: Array.isArray(body?.tools) ? body.tools.map((tool: WireJson) => tool?.function?.name).filter(Boolean) : [],
			step: messages.slice(lastUser + 1).filter((message) => message.role === 'assistant').length
		};
	},

	errorMessage(status, apiKey, model) {
		if (status === 401)
			return `Incorrect API key provided: ${apiKey ? `${apiKey.slice(0, 3)}…${apiKey.slice(-4)}` : '(none)'}. You can find your API key at https://platform.openai.com/account/api-keys.`;
		if (status === 404) return `The model \`${model ?? ''}\` does not exist or you do not have access to it.`;
		if (status === 429) return 'Rate limit reached for requests. Please try again later.';
		return 'The server had an error while processing your request. Sorry about that!';
	},

	sendError(response, status, message, headers = {}) {
		const { type, code } = ERROR_TYPES[status] ?? { type: 'server_error', code: null };
		sendJson(response, status, { error: { message, type, param: null, code } }, headers);
	},

	sendModels(response, models) {
		const created = Math.floor(Date.now() / 1000);
		sendJson(response, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created, owned_by: 'easel-test' })) });
	},

	sendJson(response, answer, parsed) {
		sendJson(response, 200, {
			id: nextId('chatcmpl-'),
			object: 'chat.completion',
			created: Math.floor(Date.now() / 1000),
			model: parsed.model ?? 'test-model',
			choices: [
				{
					index: 0,
					message: {
						role: 'assistant',
						content: answer.text.length > 0 ? answer.text : null,
						refusal: null,
						...(answer.toolCalls.length > 0
							? { tool_calls: answer.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })) }
							: {})
					},
					logprobs: null,
					finish_reason: answer.toolCalls.length > 0 ? 'tool_calls' : 'stop'
				}
			],
			usage: usageOf(answer)
		});
	},

	async stream(writer: SseWriter, answer: Answer, parsed: ParsedGeneration, cut?: number) {
		const id = nextId('chatcmpl-');
		const created = Math.floor(Date.now() / 1000);
		const model = parsed.model ?? 'test-model';
		const includeUsage = parsed.includeUsage;
		// With `include_usage`, OpenAI sends `usage: null` on every chunk and the totals on a last chunk without choices.
		const chunk = (choice: Record<string, unknown> | null, extra: Record<string, unknown> = {}) => ({
			id,
			object: 'chat.completion.chunk',
			created,
			model,
			system_fingerprint: 'fp_easel_test',
			choices: choice ? [{ index: 0, logprobs: null, finish_reason: null, ...choice }] : [],
			...(includeUsage ? { usage: null } : {}),
			...extra
		});
		await writer.event(chunk({ delta: { role: 'assistant', content: '', refusal: null } }));
		const pieces = splitIntoPieces(answer.text, answer.pacing.chunkSize);
		for (const [index, piece] of pieces.entries()) {
			if (cut !== undefined && index >= cut) return;
			await writer.event(chunk({ delta: { content: piece } }));
		}
		if (cut !== undefined) return;
		for (const [index, call] of answer.toolCalls.entries()) {
			await writer.event(chunk({ delta: { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] } }));
			for (const piece of splitIntoPieces(call.arguments, TOOL_ARGUMENT_CHUNK_SIZE)) {
				await writer.event(chunk({ delta: { tool_calls: [{ index, function: { arguments: piece } }] } }));
			}
		}
		await writer.event(chunk({ delta: {}, finish_reason: answer.toolCalls.length > 0 ? 'tool_calls' : 'stop' }));
		if (includeUsage) await writer.event(chunk(null, { usage: usageOf(answer) }));
		await writer.event('[DONE]');
	}
};

/**
 * Starts the OpenAI-protocol test server on 127.0.0.1 (port 0 unless `options.port`). Point
 * `createOpenAI({ baseURL: server.baseURL }).chat(id)` or `createOpenAICompatible({ baseURL: server.baseURL, … })` at it.
 */
export function startOpenAiTestServer(options: AiTestServerOptions = {}): Promise<AiTestServer> {
	return startAiTestServer(openAiProtocol, options);
}
